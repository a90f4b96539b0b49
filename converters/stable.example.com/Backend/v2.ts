import { t, version } from '../../../src/index.js';

/** v2 of the Kubernetes e2e conversion example: host and port apart, at the object root. */
export const v2 = version('v2', t.type({ host: t.string, port: t.string }));
