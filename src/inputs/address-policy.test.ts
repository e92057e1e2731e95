// The classifier is tested on its own, without opening a single connection: no test ever aims at these addresses.
import { describe, expect, it } from 'vitest';
import { AddressPolicy } from './address-policy.js';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();

  it.each([
    '127.0.0.1',
    '127.1',
    '0x7f000001',
    '2130706433',
    '0177.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '[::1]',
    '::',
    '::ffff:127.0.0.1',
    '[::ffff:7f00:1]',
    '::ffff:8.8.8.8',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    'ff02::1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '::7f00:1',
    '[::127.0.0.1]',
    '::a9fe:a9fe',
    '100::1',
  ])('refuses %s', (address) => {
    const verdict = policy.check(address);
    expect(verdict.allowed).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2001:4860:4860::8888'])('allows public %s', (address) => {
    expect(policy.check(address)).toEqual({ allowed: true });
  });

  it('says why', () => {
    expect(policy.check('169.254.169.254')).toEqual({ allowed: false, reason: expect.stringContaining('link-local') });
    expect(policy.check('not-an-ip')).toEqual({ allowed: false, reason: expect.stringContaining('not an IP') });
  });

  it('lets an operator allow a CIDR, and only that CIDR', () => {
    const allowing = new AddressPolicy(['127.0.0.0/8', 'fd12:3456::/32']);
    expect(allowing.check('127.0.0.1').allowed).toBe(true);
    expect(allowing.check('127.1').allowed).toBe(true);
    expect(allowing.check('fd12:3456::1').allowed).toBe(true);
    expect(allowing.check('10.0.0.1').allowed).toBe(false);
    expect(allowing.check('::1').allowed).toBe(false);
  });

  it('validates CIDRs', () => {
    expect(AddressPolicy.isValidCidr('10.0.0.0/8')).toBe(true);
    expect(AddressPolicy.isValidCidr('10.0.0.0/33')).toBe(false);
    expect(AddressPolicy.isValidCidr('banana')).toBe(false);
  });
});
