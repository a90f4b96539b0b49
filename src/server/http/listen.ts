import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Listen and resolve with the bound port (port 0 asks the system for a free one). */
export function listen(server: Server, port: number, host?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
