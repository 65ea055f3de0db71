// A TCP proxy to put between a server and PostgreSQL, so a test can cut the database off
// (every open connection reset, new ones refused) and bring it back.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The target URL with its host and port replaced by the proxy's. */
  url: string;
  cut(): void;
  restore(): void;
  /**
   * Drops every connection the moment a client sends SQL matching `pattern` (before it reaches
   * PostgreSQL), then lets new connections through again: a blip in mid-transaction.
   */
  cutWhen(pattern: RegExp): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let open = true;
  let trigger: { pattern: RegExp; fired: () => void } | undefined;
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (trigger?.pattern.test(chunk.toString('latin1'))) {
        const { fired } = trigger;
        trigger = undefined;
        dropAll();
        fired();
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: url.toString(),
    cut() {
      open = false;
      dropAll();
    },
    cutWhen(pattern) {
      return new Promise((resolve) => {
        trigger = { pattern, fired: resolve };
      });
    },
    restore() {
      open = true;
    },
    close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
