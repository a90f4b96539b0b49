import { isIP } from 'node:net';
import tls from 'node:tls';

/** The address to dial to reach a server bound to `host`: loopback for the wildcard addresses. */
export function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/**
 * Complete a TLS handshake with our own webhook port and hang up: proof that the listener
 * accepts and that OpenSSL serves the current certificate. The certificate is not verified
 * (the probe has no CA; the apiserver does the verifying).
 */
export function probeTls(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      timeout: timeoutMs,
      ...(isIP(host) ? {} : { servername: host }),
    });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => fail(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once('error', fail);
  });
}
