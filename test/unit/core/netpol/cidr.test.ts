import { describe, expect, it } from 'vitest';
import { cidrContains, formatCidr, parseCidr, parseIp } from '#core/netpol/cidr.ts';

function contains(cidr: string, ip: string, spelling: 'strict' | 'legacy' = 'strict'): boolean {
  const block = parseCidr(cidr, spelling);
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

  describe('legacy spelling, as kube-apiserver validated NetworkPolicy ipBlocks (ParseCIDRSloppy)', () => {
    it.each([
      ['000.0.0.0/0', '0.0.0.0/0'],
      ['010.0.0.0/8', '10.0.0.0/8'],
      ['192.168.001.000/24', '192.168.1.0/24'],
      ['10.0.0.0/08', '10.0.0.0/8'],
      ['0010.0000.0000.0001/32', '10.0.0.1/32'],
      ['2001:0db8::/32', '2001:db8::/32'],
      ['::ffff:010.0.0.0/104', '10.0.0.0/8'],
    ])('reads %s as %s (leading zeros are decimal, never octal)', (written, meaning) => {
      const cidr = parseCidr(written, 'legacy');

      expect(cidr === undefined ? undefined : formatCidr(cidr)).toBe(meaning);
    });

    it('matches by the decimal reading: 010.0.0.0/8 holds 10.1.2.3, not 8.1.2.3', () => {
      expect(contains('010.0.0.0/8', '10.1.2.3', 'legacy')).toBe(true);
      expect(contains('010.0.0.0/8', '8.1.2.3', 'legacy')).toBe(false);
      expect(contains('000.0.0.0/0', '203.0.113.9', 'legacy')).toBe(true);
    });

    it.each(['256.0.0.0/8', '10.0.0.0/33', '10.0.0/8', '0x0a.0.0.0/8', '10.0.0.0/+8', '1::10000/64'])(
      'still rejects %j',
      (text) => {
        expect(parseCidr(text, 'legacy')).toBeUndefined();
      },
    );

    it.each(['010.0.0.0/8', '000.0.0.0/0', '10.0.0.0/08'])(
      'is refused by the strict spelling: %s',
      (text) => {
        expect(parseCidr(text)).toBeUndefined();
      },
    );
  });
});
