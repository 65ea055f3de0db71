// The key a per-IP limit counts a client under. An IPv4 client is its address. An IPv6 client
// is its /64 network: one /64 is what a single home, phone or server is given (the smallest
// allocation there is, and the size every SLAAC subnet has), so counting per address would hand
// each client 2^64 fresh identities. Wider prefixes (/56, /48) are often one customer too, but
// just as often many unrelated ones behind a carrier, so they are not grouped further.
import { isIPv4, isIPv6 } from 'node:net';

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

/** The address without brackets, zone or port (`[::1]:443`, `203.0.113.9:5000`, `fe80::1%eth0`). */
function bareAddress(ip: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed?.[1]) return bracketed[1].replace(/%.*$/, '');
  const v4WithPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(ip);
  if (v4WithPort?.[1]) return v4WithPort[1];
  return ip.replace(/%.*$/, '');
}

export function clientNetwork(ip: string | null): string {
  if (!ip) return 'unknown';
  const address = bareAddress(ip.trim());
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address; // not an IP (say, a proxy's odd header): as it is
  const groups = groupsOf(address);
  // IPv4-mapped (::ffff:a.b.c.d, however written): the IPv4 client it is.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
