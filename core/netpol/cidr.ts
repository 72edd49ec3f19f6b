/**
 * IPv4 and IPv6 addresses and CIDR blocks, in the two spellings Kubernetes meets:
 *
 * - `strict`: Go's net/netip rules (Go ≥ 1.17): no leading zeros in IPv4 octets, at most four hex
 *   digits per IPv6 group, no zone ids. Used for what a person types (the what-if's IPs), for pod IPs
 *   (the API server writes them canonically) and for AdminNetworkPolicy `networks` (validated by the
 *   CRD's CEL `isCIDR`, which is netip-strict).
 * - `legacy`: kube-apiserver's legacy validation of NetworkPolicy `ipBlock` (k8s.io/utils/net
 *   ParseCIDRSloppy, a fork of Go 1.16's parser): leading zeros are accepted and read as DECIMAL
 *   (`010.0.0.0/8` is 10.0.0.0/8, `000.0.0.0/0` is 0.0.0.0/0), in the prefix length too, and an IPv6
 *   group may carry extra leading zeros. Objects stored under that validation still exist, so policies
 *   are read the way the API server accepted them.
 *
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is its IPv4 address, and an IPv4-mapped block with a
 * prefix of 96 or more is the matching IPv4 block, as Go's IPNet.Contains treats them.
 */

export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface Cidr extends IpAddress {
  prefix: number;
}

export type IpSpelling = 'strict' | 'legacy';

const STRICT_OCTET = /^(0|[1-9]\d{0,2})$/;
const LEGACY_OCTET = /^\d+$/;
const STRICT_GROUP = /^[0-9a-fA-F]{1,4}$/;
const LEGACY_GROUP = /^0*[0-9a-fA-F]{1,4}$/;
const STRICT_PREFIX = /^(0|[1-9]\d{0,2})$/;
const LEGACY_PREFIX = /^\d+$/;

export function parseIp(text: string, spelling: IpSpelling = 'strict'): IpAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const bytes = parseIpv6(text, spelling);
    if (bytes === undefined) return undefined;
    return isIpv4Mapped(bytes) ? { family: 4, bytes: bytes.slice(12) } : { family: 6, bytes };
  }
  const bytes = parseIpv4(text, spelling);
  return bytes === undefined ? undefined : { family: 4, bytes };
}

/** `10.0.0.0/8`, `2001:db8::/32`. Host bits are cleared, as Go's ParseCIDR does. */
export function parseCidr(text: string, spelling: IpSpelling = 'strict'): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1);
  if (!(spelling === 'legacy' ? LEGACY_PREFIX : STRICT_PREFIX).test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const addressText = text.slice(0, slash);
  const bytes = addressText.includes(':')
    ? parseIpv6(addressText, spelling)
    : parseIpv4(addressText, spelling);
  if (bytes === undefined || prefix > bytes.length * 8) return undefined;
  if (bytes.length === 16 && isIpv4Mapped(bytes) && prefix >= 96) {
    return { family: 4, bytes: maskBytes(bytes.slice(12), prefix - 96), prefix: prefix - 96 };
  }
  const family = bytes.length === 4 ? 4 : 6;
  return { family, bytes: maskBytes(bytes, prefix), prefix };
}

/** `10.0.0.0/8`: the block as Go prints it, for reports (a legacy spelling shows what it means). */
export function formatCidr(cidr: Cidr): string {
  if (cidr.family === 4) return `${[...cidr.bytes].join('.')}/${cidr.prefix}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((cidr.bytes[i] as number) << 8) | (cidr.bytes[i + 1] as number)).toString(16));
  return `${compressIpv6(groups)}/${cidr.prefix}`;
}

/** A map key for an address: equal keys are equal addresses. */
export function addressKey(address: IpAddress): string {
  return `${address.family}:${address.bytes.join('.')}`;
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (cidr.family !== address.family) return false;
  const fullBytes = cidr.prefix >> 3;
  for (let i = 0; i < fullBytes; i++) if (cidr.bytes[i] !== address.bytes[i]) return false;
  const remainingBits = cidr.prefix & 7;
  if (remainingBits === 0) return true;
  const mask = (0xff << (8 - remainingBits)) & 0xff;
  return ((address.bytes[fullBytes] as number) & mask) === cidr.bytes[fullBytes];
}

function parseIpv4(text: string, spelling: IpSpelling): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octet = spelling === 'legacy' ? LEGACY_OCTET : STRICT_OCTET;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!octet.test(part)) return undefined;
    // Decimal whatever the leading zeros: Go 1.16's dtoi, which the legacy parser keeps.
    const value = Number.parseInt(part, 10);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string, spelling: IpSpelling): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0] as string, halves.length === 1, spelling);
  const tail = halves.length === 2 ? groupsOf(halves[1] as string, true, spelling) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** Hex groups of one side of `::`; the last side may end in a dotted IPv4 address (two groups). */
function groupsOf(text: string, mayEndInIpv4: boolean, spelling: IpSpelling): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const group = spelling === 'legacy' ? LEGACY_GROUP : STRICT_GROUP;
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (mayEndInIpv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part, spelling);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else if (group.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const masked = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
    masked[i] = (bytes[i] as number) & ((0xff << (8 - bitsHere)) & 0xff);
  }
  return masked;
}

/** RFC 5952: the longest run of two or more zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}
