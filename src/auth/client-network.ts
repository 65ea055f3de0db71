// The key a per-IP limit counts a client under. An IPv4 client is its address. An IPv6 client
// is its /64 network: one /64 is what a single home, phone or server is given (the smallest
// allocation there is, and the size every SLAAC subnet has), so counting per address would hand
// each client 2^64 fresh identities. Wider prefixes (/56, /48) are often one customer too, but
// just as often many unrelated ones behind a carrier, so they are not grouped further.
import { isIPv4, isIPv6 } from 'node:net';

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The eight 16-bit groups of a valid IPv6 address (with an embedded IPv4 tail, if any). */
function groupsOf(address: string): number[] {
  let text = address;
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...right].map(
    (group) => Number.parseInt(group, 16),
  );
}

export function clientNetwork(ip: string | null): string {
  if (!ip) return 'unknown';
  const address = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address; // not an IP (say, a proxy's odd header): as it is
  const mapped = MAPPED_V4.exec(address);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  const groups = groupsOf(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
