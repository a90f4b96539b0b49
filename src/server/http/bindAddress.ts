/**
 * Where a plain-HTTP side server (probes, metrics) listens, written the controller-runtime way:
 * `:8081` (all interfaces), `127.0.0.1:8081`, `[::1]:8081`, `:0` (an ephemeral port). `0` or an
 * empty text turns the server off.
 */
export interface BindAddress {
  /** Undefined: every interface. */
  readonly host?: string;
  readonly port: number;
}

/** The address, or undefined when the server is disabled; throws on a malformed address. */
export function parseBindAddress(text: string): BindAddress | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '0') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(trimmed);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new Error(`"${text}" is not a bind address: write HOST:PORT, :PORT, [IPv6]:PORT, or 0 to disable`);
  }
  const host = m[1] ?? m[2];
  return host ? { host, port } : { port };
}

/** `host:port` for logs, brackets around IPv6 hosts. */
export function formatAddress(host: string | undefined, port: number): string {
  if (!host) return `:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
