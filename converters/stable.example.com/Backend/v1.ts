import { t, version } from '../../../src/index.js';

/** v1 of the Kubernetes e2e conversion example: one `host:port` string at the object root. */
export const v1 = version('v1', t.type({ hostPort: t.string }), { storage: true });
