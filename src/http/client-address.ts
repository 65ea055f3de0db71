// The client's IP address: the socket's, or, behind a trusted proxy (TRUST_PROXY), the
// right-most X-Forwarded-For entry, which is the one our own proxy appended. Entries to its
// left were written by the client and could say anything.
import type { IncomingMessage } from 'node:http';

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .at(-1);
    if (forwarded) return forwarded.slice(0, 64);
  }
  return req.socket.remoteAddress ?? null;
}
