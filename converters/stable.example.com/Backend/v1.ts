import { constrained, t, version } from '../../../src/index.js';

/** `host:port`, `host`, or `[::1]:8080`: the port is what follows the last colon, when there is one. */
export const hostPort = constrained(t.string, {
  description: 'host:port; the port is what follows the last colon (none without a colon)',
});

/** v1 of the Kubernetes e2e conversion example: one `host:port` string at the object root. */
export const v1 = version('v1', t.type({ hostPort }), { storage: true });
