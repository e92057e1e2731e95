// Which network addresses assetd may fetch a URL input from: public unicast only, unless an operator allows a
// CIDR. Parsing and range classification come from ipaddr.js; this module only decides.
import ipaddr from 'ipaddr.js';

export type AddressVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];

export class AddressPolicy {
  private readonly allowCidrs: readonly Cidr[];

  /** `allowCidrs` like "127.0.0.1/32" or "fd00::/8"; throws on a malformed one (config validates first). */
  constructor(allowCidrs: readonly string[] = []) {
    this.allowCidrs = allowCidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  static isValidCidr(cidr: string): boolean {
    try {
      ipaddr.parseCIDR(cidr);
      return true;
    } catch {
      return false;
    }
  }

  check(address: string): AddressVerdict {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      // Accepts every spelling of an address (127.1, 0x7f.1, 2130706433, ::ffff:7f00:1) as the OS would.
      parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
    } catch {
      return { allowed: false, reason: `"${address}" is not an IP address` };
    }
    if (this.allowCidrs.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits))) {
      return { allowed: true };
    }
    const range = parsed.range();
    // ipaddr.js calls all of ::/96 (IPv4-compatible, e.g. ::7f00:1) "unicast": for IPv6 only the global unicast
    // block 2000::/3 is public.
    if (range === 'unicast' && parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) {
      return { allowed: false, reason: `${parsed.toString()} is not a global unicast IPv6 address` };
    }
    if (range === 'unicast') return { allowed: true };
    return { allowed: false, reason: `${parsed.toString()} is a ${describe(range)} address` };
  }
}

const NAMES: Readonly<Record<string, string>> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local (cloud metadata lives here)',
  carrierGradeNat: 'carrier-grade NAT',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  uniqueLocal: 'unique-local (private)',
  ipv4Mapped: 'IPv4-mapped IPv6',
  reserved: 'reserved',
};

function describe(range: string): string {
  return NAMES[range] ?? `non-public (${range})`;
}
