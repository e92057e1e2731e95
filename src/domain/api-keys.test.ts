import { describe, expect, it } from 'vitest';
import { ApiKeyring } from './api-keys.js';

describe('ApiKeyring', () => {
  const ring = new ApiKeyring([
    { key: 'key-for-acme-0000000', tenant: 'acme' },
    { key: 'key-for-globex-00000', tenant: 'globex' },
  ]);

  it('maps each key to its tenant', () => {
    expect(ring.authenticate('key-for-acme-0000000')).toBe('acme');
    expect(ring.authenticate('key-for-globex-00000')).toBe('globex');
  });

  it('refuses unknown, empty, prefix and missing keys', () => {
    expect(ring.authenticate('key-for-acme-000000')).toBeNull();
    expect(ring.authenticate('key-for-acme-00000000')).toBeNull();
    expect(ring.authenticate('')).toBeNull();
    expect(ring.authenticate(undefined)).toBeNull();
  });
});
