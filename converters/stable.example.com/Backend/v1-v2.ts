import { between } from '../../../src/index.js';
import { v1 } from './v1.js';
import { v2 } from './v2.js';

/**
 * The e2e converter splits `hostPort` on `:` and fails unless there are exactly two parts. Ours
 * splits at the first colon and leaves `port` absent when there is none, so every string v1
 * admits survives v1 -> v2 -> v1 (`db`, `db:5432`, `[::1]:80` ...). The way back joins with a
 * colon; what v1 cannot tell apart (a host holding a colon) is kept by the framework's stash.
 * Fields go onto the fresh rest object with Object.assign: on Node 20, spreading an object into a
 * literal and adding fields after it (`{ ...rest, host }`) takes a slow path in V8.
 */
export const v1v2 = between(v1, v2, {
  up: ({ hostPort, ...rest }) => {
    if (hostPort === undefined) return rest;
    const colon = hostPort.indexOf(':');
    return colon < 0
      ? Object.assign(rest, { host: hostPort })
      : Object.assign(rest, { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) });
  },
  down: ({ host, port, ...rest }) => {
    if (port === undefined) return host === undefined ? rest : Object.assign(rest, { hostPort: host });
    return Object.assign(rest, { hostPort: `${host ?? ''}:${port}` });
  },
});
