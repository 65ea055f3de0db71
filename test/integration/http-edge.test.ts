// Requests that only a raw socket can send: a malformed request target, userinfo in an
// absolute-form target, a client that goes away mid-body. Each gets a clear answer (or none, if
// the client left), nothing at error level, and every log line carries the request's id.
import { connect } from 'node:net';
import { beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { useTestApp } from './harness.ts';

const lines: string[] = [];
const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
const app = useTestApp({ logger });
beforeEach(() => {
  lines.length = 0;
});

const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

/** Writes `raw` on a new connection and resolves with everything read until the server closes. */
function exchange(raw: string, options: { destroyAfterWrite?: boolean } = {}): Promise<string> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(received));
    socket.write(raw, () => {
      if (options.destroyAfterWrite) socket.destroy();
    });
  });
}

/** Waits until a request line has been logged for the last request (it is written on close). */
async function requestLogged(): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const found = records().find((r) => r.msg === 'request');
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no request line logged: ${lines.join('')}`);
}

function expectEveryLineTaggedAndNoErrors(): void {
  const all = records();
  expect(all.length).toBeGreaterThan(0);
  for (const record of all) {
    expect(record.level as number).toBeLessThan(50);
    expect(record.requestId).toMatch(/^[0-9a-f-]{36}$/);
  }
}

it('answers a malformed absolute-form request target with 400 BAD_REQUEST, not a 500', async () => {
  const response = await exchange(
    'GET http://[::1/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  );
  expect(response).toMatch(/^HTTP\/1\.1 400 /);
  // The body may come chunked: the JSON is from the first brace to the last.
  const body = JSON.parse(response.slice(response.indexOf('{'), response.lastIndexOf('}') + 1));
  expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  const logged = await requestLogged();
  expect(logged.status).toBe(400);
  expectEveryLineTaggedAndNoErrors();
});

it('logs only the pathname of an absolute-form target, never its userinfo or query', async () => {
  const response = await exchange(
    'GET http://someone:hunter2secret@127.0.0.1/healthz?token=tsa_x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  );
  expect(response).toMatch(/^HTTP\/1\.1 200 /);
  const logged = await requestLogged();
  expect(logged.path).toBe('/healthz');
  expect(lines.join('')).not.toMatch(/someone|hunter2secret|tsa_x/);
  expectEveryLineTaggedAndNoErrors();
});

it('a client that goes away in the middle of its body is logged with its request id, not as an error', async () => {
  await exchange(
    'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":',
    { destroyAfterWrite: true },
  );
  await requestLogged();
  expectEveryLineTaggedAndNoErrors();
});
