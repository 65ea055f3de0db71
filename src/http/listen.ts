// Listening on a port (0: any free one) and telling which one it got: both listeners need it.
import type { Server } from 'node:http';

export async function listenOn(server: Server, port: number, host?: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
