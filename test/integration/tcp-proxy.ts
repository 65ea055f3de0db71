// A TCP proxy to put between a server and PostgreSQL, so a test can cut the database off
// (every open connection reset, new ones refused) and bring it back, or partition it silently
// (sockets stay open, nothing gets through) and heal it.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A statement a client executed: its SQL text, or the prepared statement's name. */
export interface ObservedStatement {
  statement: string;
  text?: string;
}

export interface TcpProxy {
  /** Every statement executed through the proxy (each Execute or simple Query message). */
  statements: ObservedStatement[];
  /** The target URL with its host and port replaced by the proxy's. */
  url: string;
  cut(): void;
  restore(): void;
  /**
   * Drops every connection the moment a client sends SQL matching `pattern` (before it reaches
   * PostgreSQL), then lets new connections through again: a blip in mid-transaction.
   */
  cutWhen(pattern: RegExp): Promise<void>;
  /**
   * A silent partition: every connection, open or new, stays open and nothing is forwarded in
   * either direction. 'buffer' holds the bytes and delivers them on resume, as TCP retransmission
   * would after a short outage; 'drop' loses them, leaving both ends waiting for each other.
   */
  pause(mode?: 'buffer' | 'drop'): void;
  /** Pauses (as pause) the moment a client sends SQL matching `pattern`, that SQL included. */
  pauseWhen(pattern: RegExp, mode?: 'buffer' | 'drop'): Promise<void>;
  /** Ends the partition: buffered bytes go through, in order, and forwarding resumes. */
  resume(): void;
  /**
   * While on, PostgreSQL's NotificationResponse messages are dropped on their way to the
   * clients and everything else goes through: queries answer, LISTEN hears nothing (what a
   * transaction-mode pooler looks like to a listener).
   */
  muteNotifications(on: boolean): void;
  close(): Promise<void>;
}

/**
 * Reads PostgreSQL frontend messages (protocol 3) from one client: after the untyped startup
 * message, each is a type byte and a length. Parse names a statement and gives its text; Bind
 * ties a portal to a statement; Execute runs a portal; Query runs text directly.
 */
function frontendObserver(onStatement: (statement: ObservedStatement) => void) {
  let buffer = Buffer.alloc(0);
  let started = false;
  const texts = new Map<string, string>();
  const portals = new Map<string, string>();
  const cString = (from: number) => {
    const end = buffer.indexOf(0, from);
    return { value: buffer.toString('utf8', from, end), next: end + 1 };
  };
  return (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        started = buffer.readInt32BE(4) !== 80877103; // an SSLRequest is followed by the startup
        buffer = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) return;
      const type = String.fromCharCode(buffer[0] as number);
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      if (type === 'P') {
        const name = cString(5);
        texts.set(name.value, cString(name.next).value);
      } else if (type === 'B') {
        const portal = cString(5);
        portals.set(portal.value, cString(portal.next).value);
      } else if (type === 'E') {
        const statement = portals.get(cString(5).value) ?? '';
        onStatement({ statement, text: texts.get(statement) });
      } else if (type === 'Q') {
        const text = cString(5).value;
        onStatement({ statement: '', text });
      }
      buffer = buffer.subarray(1 + length);
    }
  };
}

/** Listens on a free loopback port; resolves with `targetUrl` pointed at it instead. */
export async function listenInFrontOf(server: Server, targetUrl: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return url.toString();
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const statements: ObservedStatement[] = [];
  const sockets = new Set<Socket>();
  let open = true;
  let trigger: { pattern: RegExp; fired: () => void; pause?: 'buffer' | 'drop' } | undefined;
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  let paused: 'buffer' | 'drop' | undefined;
  let muted = false;
  const held: Array<{ to: Socket; chunk: Buffer }> = [];
  const forward = (to: Socket, chunk: Buffer) => {
    if (paused === 'drop') return;
    if (paused === 'buffer') held.push({ to, chunk });
    else if (!to.destroyed) to.write(chunk);
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
    // An end or a close on either side is passed on at once, partition or not: a silent
    // partition is the case where nobody closes anything.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    // Backend messages (protocol 3, after startup): a type byte and a length. Parsed only to
    // drop notifications when muted; otherwise passed on as they come.
    let backend = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      if (!muted && backend.length === 0) return forward(client, chunk);
      backend = Buffer.concat([backend, chunk]);
      const out: Buffer[] = [];
      while (backend.length >= 5 && backend.length >= 1 + backend.readInt32BE(1)) {
        const size = 1 + backend.readInt32BE(1);
        const message = backend.subarray(0, size);
        backend = backend.subarray(size);
        if (!(muted && message[0] === 0x41)) out.push(message); // 'A': NotificationResponse
      }
      if (out.length) forward(client, Buffer.concat(out));
    });
    const observe = frontendObserver((statement) => statements.push(statement));
    client.on('data', (chunk: Buffer) => {
      observe(chunk);
      if (trigger?.pattern.test(chunk.toString('latin1'))) {
        const { fired, pause } = trigger;
        trigger = undefined;
        fired();
        if (pause) {
          paused = pause;
        } else {
          dropAll();
          return;
        }
      }
      forward(upstream, chunk);
    });
  });
  const url = await listenInFrontOf(server, targetUrl);
  return {
    statements,
    url,
    cut() {
      open = false;
      dropAll();
    },
    cutWhen(pattern) {
      return new Promise((resolve) => {
        trigger = { pattern, fired: resolve };
      });
    },
    muteNotifications(on) {
      muted = on;
    },
    restore() {
      open = true;
    },
    pauseWhen(pattern, mode = 'buffer') {
      return new Promise((resolve) => {
        trigger = { pattern, fired: resolve, pause: mode };
      });
    },
    pause(mode = 'buffer') {
      paused = mode;
    },
    resume() {
      paused = undefined;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
