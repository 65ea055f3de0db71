// The HTTP server: POST/GET /graphql through Apollo, /healthz, /readyz, a request body limit,
// the client's address, CORS, and the refresh cookie's headers. Built the same way by
// src/main.ts and by the tests.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, Server as NetServer, type Socket } from 'node:net';
import { HeaderMap } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { SameSite } from '../config.ts';
import type { ContextFactory } from '../graphql/context.ts';
import { errorCodesOfBody, type RequestSummary } from '../graphql/request-summary.ts';
import { createApolloServer } from '../graphql/server.ts';
import { withoutRedaction, withRequestId } from '../log.ts';
import { clientAddress } from './client-address.ts';
import { createCorsPolicy } from './cors.ts';
import { listenOn } from './listen.ts';
import { openRefreshCookieExchange, REFRESH_TRANSPORT_HEADER } from './refresh-cookie.ts';

export const MAX_BODY_BYTES = 64 * 1024;
const READY_TIMEOUT_MS = 2000;
/**
 * How long a drain leaves idle keep-alive connections open for a request their client may
 * already have sent. A client that keeps sending gets its answer and Connection: close within
 * this; one that has gone quiet (the load balancer, once /readyz said 503) loses nothing.
 */
const IDLE_DRAIN_GRACE_MS = 1000;

export interface TesseraServerOptions {
  /** For the readiness probe. */
  orm: MikroORM;
  /** Builds each GraphQL request's context (src/graphql/context.ts). */
  createContext: ContextFactory;
  production: boolean;
  trustProxy: boolean;
  logger: Logger;
  /** CORS_ORIGINS, validated; empty: no CORS headers. */
  corsOrigins: readonly string[];
  refreshCookieSameSite: SameSite;
  /** Told of every finished request (src/metrics.ts); none by default. */
  metrics?: RequestMetrics;
}

/** A request as its metrics see it, once its response is finished (or its client went away). */
export interface FinishedRequest {
  /** Whether it was for /graphql. */
  graphql: boolean;
  summary: RequestSummary;
  /** From its arrival to the end of its response. */
  seconds: number;
}

export interface RequestMetrics {
  requestFinished(request: FinishedRequest): void;
}

export interface TesseraServer {
  httpServer: Server;
  /** Starts Apollo and listens; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * The drain: /readyz answers 503 at once, the listener closes (new connections are refused),
   * idle keep-alive connections are closed after a short grace, every request in flight is
   * answered with `Connection: close`; resolves when the last connection has closed and Apollo has stopped.
   */
  close(): Promise<void>;
  /** Destroys every connection still open: for a drain that overran its bound. */
  closeAllConnections(): void;
}

/** What /graphql answers (Apollo Server's own two). */
const GRAPHQL_METHODS: readonly string[] = ['GET', 'POST'];

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's X-Request-Id when it is a plain token, else a new one. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

// No constructor parameter properties: Node's type stripping runs only erasable syntax.
type ErrorExtensions = Readonly<Record<string, string>> & { code: string };

class HttpError extends Error {
  readonly status: number;
  /** The error's extensions when its code is not the status's (BAD_REQUEST, PAYLOAD_TOO_LARGE). */
  readonly extensions: ErrorExtensions | undefined;
  constructor(status: number, message: string, extensions?: ErrorExtensions) {
    super(message);
    this.status = status;
    this.extensions = extensions;
  }
}

/** The request target as a URL (origin-form or absolute-form), or null when it does not parse. */
function parseRequestTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  summary: RequestSummary,
  status: number,
  extensions: ErrorExtensions,
  message: string,
): void {
  summary.errorCodes = [extensions.code];
  send(res, status, { errors: [{ message, extensions }] });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'The request body is too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJsonBody(req: IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (
    !type.startsWith('application/json') &&
    !type.startsWith('application/graphql-response+json')
  ) {
    // Apollo answers with its own 400 for other types; it only needs to see the header.
    return raw.toString('utf8');
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return JSON.parse(text.decode(raw));
  } catch {
    throw new HttpError(400, 'The request body is not valid UTF-8 JSON.');
  }
}

export function createTesseraServer(options: TesseraServerOptions): TesseraServer {
  const { orm, createContext, production, trustProxy, logger, metrics } = options;
  const cors = createCorsPolicy(options.corsOrigins);
  const requestLog = withoutRedaction(logger);
  const httpServer = createServer();
  const apollo = createApolloServer({ production, logger, httpServer });
  let draining = false;
  const inFlight = new Set<ServerResponse>();

  async function handleGraphQL(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    summary: RequestSummary,
  ): Promise<void> {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const refreshCookie = openRefreshCookieExchange(
      { transport: headers.get(REFRESH_TRANSPORT_HEADER), cookie: req.headers.cookie },
      options.refreshCookieSameSite,
    );
    if (!refreshCookie) {
      throw new HttpError(400, 'X-Tessera-Refresh-Transport must be "cookie" when it is sent.', {
        code: 'BAD_USER_INPUT',
        field: 'X-Tessera-Refresh-Transport',
      });
    }
    const body = req.method === 'POST' ? parseJsonBody(req, await readBody(req)) : undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () =>
        createContext({
          headers,
          ipAddress: clientAddress(req, trustProxy),
          refreshCookie,
          summary,
        }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    const setCookie = refreshCookie.setCookieHeader();
    if (setCookie) res.setHeader('set-cookie', setCookie);
    res.statusCode = response.status ?? 200;
    // Answered before the request pipeline (whose plugin fills the summary) ever ran.
    if (!summary.errorCodes && res.statusCode >= 400 && response.body.kind === 'complete') {
      summary.errorCodes = errorCodesOfBody(response.body.string);
    }
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function isDatabaseReady(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
    });
    try {
      // Not orm.checkConnection(): it reports a lazy pool that has not connected yet as down.
      const probe = orm.em
        .fork()
        .getConnection()
        .execute('select 1')
        .then(() => true);
      return await Promise.race([probe, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    summary: RequestSummary,
  ): Promise<void> {
    const origin = req.headers.origin;
    for (const [name, value] of Object.entries(cors.headersFor(origin))) res.setHeader(name, value);
    if (url.pathname === '/graphql') {
      // A listed origin's preflight is answered here; any other OPTIONS falls to the 405 below.
      if (req.method === 'OPTIONS') {
        const preflight = cors.preflightFor(origin);
        if (preflight) {
          res.writeHead(204, preflight);
          res.end();
          return;
        }
      }
      // Before Apollo: its CSRF check runs first and answers a plain `PUT` (no content-type)
      // with 400, when the answer that tells the client what to do is the method's 405.
      if (!GRAPHQL_METHODS.includes(req.method ?? '')) {
        res.setHeader('allow', GRAPHQL_METHODS.join(', '));
        return sendError(
          res,
          summary,
          405,
          { code: 'BAD_REQUEST' },
          'The API at /graphql takes GET and POST.',
        );
      }
      return handleGraphQL(req, res, url, summary);
    }
    if (url.pathname === '/healthz' && req.method === 'GET')
      return send(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz' && req.method === 'GET') {
      // Draining: tell the load balancer to stop sending, whatever the database says.
      if (draining) return send(res, 503, { status: 'shutting down' });
      const ready = await isDatabaseReady();
      return send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unavailable' });
    }
    sendError(res, summary, 404, { code: 'NOT_FOUND' }, 'Not found. The API is at /graphql.');
  }

  function handleFailure(
    req: IncomingMessage,
    res: ServerResponse,
    summary: RequestSummary,
    error: unknown,
  ): void {
    if (error instanceof HttpError) {
      res.setHeader('connection', 'close');
      const code = error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      sendError(res, summary, error.status, error.extensions ?? { code }, error.message);
      return;
    }
    if (res.destroyed || (req.destroyed && !req.complete)) {
      // The client went away (reading its body fails with "aborted"): nobody to answer, and
      // nothing wrong on our side.
      logger.info('the client closed the connection before the response');
      return;
    }
    logger.error({ err: error }, 'unhandled error in the HTTP handler');
    if (!res.headersSent) {
      sendError(res, summary, 500, { code: 'INTERNAL_SERVER_ERROR' }, 'Something went wrong.');
    } else res.end();
  }

  function onRequest(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    res.setHeader('x-request-id', requestId);
    // During a drain every response closes its connection, so that no client sends another
    // request on it as the server closes it (that request would be reset, not refused).
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    const started = performance.now();
    // Node's parser accepts any request target (absolute-form included); parse it once here.
    const url = parseRequestTarget(req.url);
    // Filled in on the way (request-summary.ts, sendError): only names, codes and ids.
    const summary: RequestSummary = {};
    res.once('close', () => {
      const milliseconds = performance.now() - started;
      // 'close', not 'finish': a request whose client went away gets its line too. Listeners run
      // in the emitter's async context, so the request id is set again here.
      withRequestId(requestId, () =>
        requestLog.info(
          {
            method: req.method,
            // The pathname only: a GET's query string carries the operation and its variables,
            // and an absolute-form target may carry userinfo (a password).
            path: url?.pathname ?? null,
            status: res.statusCode,
            durationMs: Math.round(milliseconds * 10) / 10,
            ...(!res.writableFinished && { aborted: true }),
            ...summary,
          },
          'request',
        ),
      );
      metrics?.requestFinished({
        graphql: url?.pathname === '/graphql',
        summary,
        seconds: milliseconds / 1000,
      });
    });
    const handled = url
      ? handle(req, res, url, summary)
      : Promise.reject(new HttpError(400, 'The request target is not a valid URL.'));
    handled.catch((error: unknown) => handleFailure(req, res, summary, error));
  }

  /**
   * Resolves once the listener has taken every connection that was waiting in the kernel's
   * accept queue when the drain began. Closing the listener resets those, though their clients
   * have connected and sent a request; and a busy server leaves some waiting for seconds
   * (libuv accepts one connection per event-loop turn since 1.46; measured: 60 of 300 new
   * keep-alive clients). The queue is first in, first out: once a connection made from here
   * is accepted, so is every one before it. Connections accepted meanwhile are answered with
   * Connection: close like the rest. Bounded by the drain's own timeout (src/main.ts); a probe
   * that cannot connect ends the wait.
   */
  async function acceptQueuedConnections(): Promise<void> {
    const address = httpServer.address();
    if (!address || typeof address !== 'object') return;
    const wildcard = address.address === '::' || address.address === '0.0.0.0';
    const probe = connect(address.port, wildcard ? '127.0.0.1' : address.address);
    probe.on('error', () => {});
    await new Promise<void>((resolve) => {
      const onConnection = (socket: Socket) => {
        if (probe.localPort === undefined || socket.remotePort !== probe.localPort) return;
        socket.destroy();
        done();
      };
      const done = () => {
        httpServer.off('connection', onConnection);
        probe.destroy();
        resolve();
      };
      httpServer.on('connection', onConnection);
      probe.once('close', done);
    });
  }

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req);
    // Everything for this request, its catch path included, runs with its id on every log line.
    withRequestId(requestId, () => onRequest(req, res, requestId));
  });

  return {
    httpServer,
    async listen(port, host) {
      await apollo.start();
      return listenOn(httpServer, port, host);
    },
    async close() {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      await acceptQueuedConnections();
      // Stop listening, without http.Server#close's immediate closeIdleConnections(): a client
      // may have just written a request on a connection that looks idle here, and closing it
      // would reset that request. Such a request is answered instead (with Connection: close);
      // connections still idle after the grace are closed. Resolves (with or without an error:
      // it may already be closed) once every connection is.
      const closed = new Promise<void>((resolve) =>
        NetServer.prototype.close.call(httpServer, () => resolve()),
      );
      const closeIdle = setTimeout(() => httpServer.closeIdleConnections(), IDLE_DRAIN_GRACE_MS);
      await closed;
      clearTimeout(closeIdle);
      // Nothing is in flight any more; Apollo's drain plugin finds nothing left to wait for.
      await apollo.stop();
    },
    closeAllConnections() {
      httpServer.closeAllConnections();
    },
  };
}
