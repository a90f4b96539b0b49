import { between } from '../../../src/index.js';
import { v1 } from './v1.js';
import { v2 } from './v2.js';

/**
 * `host:port` -> host and port, split at the last colon, so that `[::1]:8080` has the host
 * `[::1]` and a port never holds a colon (v2's schema says so). Without a colon there is no
 * port. The e2e converter fails unless there are exactly two parts; ours accepts every string v1
 * admits, and joining is the exact inverse: every hostPort survives v1 -> v2 -> v1.
 */
export const splitHostPort = (hostPort: string): { host: string; port?: string } => {
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? { host: hostPort } : { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
};

/** No host, no hostPort: a port alone (a partial object) is kept by the stash, never joined to an invented host. */
export const joinHostPort = (host: string | undefined, port: string | undefined): string | undefined =>
  host === undefined || port === undefined ? host : `${host}:${port}`;

/**
 * What v1 cannot tell apart (a host holding a colon and no port: `a:b` reads back as host `a`,
 * port `b`) the framework's stash keeps.
 */
export const v1v2 = between(v1, v2, {
  up: ({ hostPort, ...rest }) => (hostPort === undefined ? rest : { ...rest, ...splitHostPort(hostPort) }),
  down: ({ host, port, ...rest }) => {
    const hostPort = joinHostPort(host, port);
    return hostPort === undefined ? rest : { ...rest, hostPort };
  },
});
