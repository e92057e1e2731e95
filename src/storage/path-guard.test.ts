import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInside, UnsafeKeyError } from './path-guard.js';

describe('resolveInside', () => {
  const root = '/srv/assetd/objects';

  it('places ordinary keys under the root', () => {
    expect(resolveInside(root, 'assets/ab/asset_ab12')).toBe(path.join(root, 'assets', 'ab', 'asset_ab12'));
  });

  it.each([
    ['empty', ''],
    ['parent', '../etc/passwd'],
    ['nested parent', 'assets/../../etc'],
    ['dot', './a'],
    ['absolute', '/etc/passwd'],
    ['NUL', 'a\0b'],
    ['backslash', 'a\\..\\b'],
    ['empty segment', 'a//b'],
    ['trailing slash', 'a/'],
    ['encoded dots are literal but refused chars', '%2e%2e/a'],
    ['too long', 'a'.repeat(513)],
  ])('refuses %s', (_name, key) => {
    expect(() => resolveInside(root, key)).toThrow(UnsafeKeyError);
  });
});
