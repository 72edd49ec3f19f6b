import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from '#core/netpol/cidr.ts';

function contains(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseIp(ip);
  if (block === undefined || address === undefined)
    throw new Error(`test input ${cidr} / ${ip} does not parse`);
  return cidrContains(block, address);
}

describe('IP addresses and CIDR blocks', () => {
  it('matches IPv4 addresses inside a block, including a prefix that is not a multiple of 8', () => {
    expect(contains('172.17.0.0/16', '172.17.1.2')).toBe(true);
    expect(contains('172.17.0.0/16', '172.18.0.1')).toBe(false);
    expect(contains('10.0.0.0/23', '10.0.1.255')).toBe(true);
    expect(contains('10.0.0.0/23', '10.0.2.0')).toBe(false);
  });

  it('treats /0 as every address of the family and /32 as one address', () => {
    expect(contains('0.0.0.0/0', '203.0.113.9')).toBe(true);
    expect(contains('10.0.0.7/32', '10.0.0.7')).toBe(true);
    expect(contains('10.0.0.7/32', '10.0.0.8')).toBe(false);
  });

  it('clears host bits in a block, as Go ParseCIDR does', () => {
    expect(parseCidr('10.1.2.3/8')?.bytes).toEqual(new Uint8Array([10, 0, 0, 0]));
  });

  it('matches IPv6 addresses, with :: shorthand and embedded IPv4', () => {
    expect(contains('2001:db8::/32', '2001:db8:1::5')).toBe(true);
    expect(contains('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(contains('fd00::/8', 'fd12:3456:789a:1::1')).toBe(true);
    expect(contains('::/0', '::1')).toBe(true);
    expect(contains('64:ff9b::/96', '64:ff9b::192.0.2.33')).toBe(true);
  });

  it('never matches across address families', () => {
    expect(contains('::/0', '10.0.0.1')).toBe(false);
    expect(contains('0.0.0.0/0', '2001:db8::1')).toBe(false);
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(contains('10.0.0.0/8', '::ffff:10.1.2.3')).toBe(true);
  });

  it.each(['10.0.0.256', '10.0.0', '10.00.0.1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', '', 'web'])(
    'rejects the malformed address %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it.each(['10.0.0.0', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/a', 'x/8'])(
    'rejects the malformed block %j',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});
