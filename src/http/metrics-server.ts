// The metrics listener: GET /metrics in Prometheus text format, on METRICS_PORT, a listener of
// its own so that the public port never serves it (contract section 8). Nothing else is here:
// every other path is 404, every other method 405.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { listenOn } from './listen.ts';

export interface MetricsServerOptions {
  /** The exposition (src/metrics.ts). */
  render(): Promise<{ contentType: string; body: string }>;
  logger: Logger;
}

export interface MetricsServer {
  /** Listens; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export function createMetricsServer({ render, logger }: MetricsServerOptions): MetricsServer {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed.\n');
      return;
    }
    render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'collecting the metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Collecting the metrics failed.\n');
      },
    );
  });

  return {
    listen: (port, host) => listenOn(server, port, host),
    async close() {
      // A scraper keeps its connection open between scrapes; closing must not wait for it.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
