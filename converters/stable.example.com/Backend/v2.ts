import { constrained, t, version } from '../../../src/index.js';

/** A port number or name: it never holds a colon, so host and port always join back into one v1 hostPort. */
export const port = constrained(t.string, { pattern: '^[^:]*$', description: 'Port number or name (no colon)' });

/**
 * v2 of the Kubernetes e2e conversion example: host and port apart, at the object root. The port
 * is optional: v1 admits a hostPort without a colon (`db`), and every v1 object must have a v2 form.
 */
export const v2 = version('v2', t.intersection([t.type({ host: t.string }), t.partial({ port })]));
