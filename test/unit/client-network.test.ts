import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../../src/auth/client-network.ts';

describe('clientNetwork', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientNetwork('203.0.113.9')).toBe('203.0.113.9');
  });

  it('keys every address of one IPv6 /64 alike, however it is written', () => {
    const keys = [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff:ffff:ffff:ffff',
      '2001:DB8:1:2:0:0:0:7',
      '[2001:db8:1:2::8]',
      'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::9'),
    ].map(clientNetwork);
    expect(new Set(keys)).toEqual(new Set(['2001:db8:1:2::/64']));
  });

  it('tells neighbouring /64 networks apart', () => {
    expect(clientNetwork('2001:db8:1:3::1')).not.toBe(clientNetwork('2001:db8:1:2::1'));
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
  });

  it('keys an IPv4-mapped IPv6 address as the IPv4 client it is', () => {
    expect(clientNetwork('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetwork('::ffff:cb00:7109')).toBe('203.0.113.9');
  });

  it('ignores a port a proxy may have appended', () => {
    expect(clientNetwork('203.0.113.9:5123')).toBe('203.0.113.9');
    expect(clientNetwork('[2001:db8:1:2::1]:443')).toBe('2001:db8:1:2::/64');
  });

  it('passes anything that is not an IP through, and has one key for "unknown"', () => {
    expect(clientNetwork('not-an-ip')).toBe('not-an-ip');
    expect(clientNetwork(null)).toBe('unknown');
  });
});
