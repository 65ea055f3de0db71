// An HTTP proxy to put between a client and the test server: it records the GraphQL operation
// of every request that reached the server, and can lose the answer to one (the server did the
// work; the client never hears of it), as a dropped connection on a mobile network does.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { listenInFrontOf } from './tcp-proxy.ts';

export interface ProxiedOperation {
  /** The operation's name (`RefreshToken`), or the method for a request without one. */
  name: string;
  /** The server's answer, as text. */
  answer: string;
}

export interface HttpProxy {
  /** The target URL with its host and port replaced by the proxy's. */
  url: string;
  /** Every request the server answered, in the order the answers came. */
  operations: ProxiedOperation[];
  /** How many requests of operation `name` the server answered. */
  count(name: string): number;
  /**
   * Forwards the next request of operation `name` and lets the server answer it, then destroys
   * the client's connection instead of passing the answer on. Resolves with the lost answer.
   */
  loseNextAnswer(name: string): Promise<string>;
  close(): Promise<void>;
}

/** The operation's name, from a POST's JSON body or a GET's `query` parameter. */
function operationName(req: IncomingMessage, body: string): string {
  let query: string;
  try {
    query =
      req.method === 'GET'
        ? (new URL(req.url ?? '/', 'http://proxy').searchParams.get('query') ?? '')
        : String((JSON.parse(body) as { query?: unknown }).query ?? '');
  } catch {
    return req.method ?? 'unknown';
  }
  return /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1] ?? (req.method as string);
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startHttpProxy(targetUrl: string): Promise<HttpProxy> {
  const target = new URL(targetUrl);
  const operations: ProxiedOperation[] = [];
  const losses: Array<{ name: string; lost: (answer: string) => void }> = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readAll(req);
    const name = operationName(req, body.toString('utf8'));
    const upstream = httpRequest({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    });
    upstream.on('response', async (answer) => {
      const text = await readAll(answer);
      operations.push({ name, answer: text.toString('utf8') });
      const loss = losses.findIndex((entry) => entry.name === name);
      if (loss >= 0) {
        const [entry] = losses.splice(loss, 1);
        req.socket.destroy();
        entry?.lost(text.toString('utf8'));
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      res.end(text);
    });
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  });
  const url = await listenInFrontOf(server, targetUrl);
  return {
    url: url.replace(/\/$/, ''),
    operations,
    count: (name) => operations.filter((operation) => operation.name === name).length,
    loseNextAnswer: (name) => new Promise((lost) => losses.push({ name, lost })),
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
