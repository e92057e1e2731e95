import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { parseChecksum } from './checksums.js';

describe('parseChecksum', () => {
  const digest = createHash('sha256').update('hello').digest();
  const hex = digest.toString('hex');

  it('takes hex in either case and answers lowercase hex', () => {
    expect(parseChecksum(hex.toUpperCase(), 'c')).toBe(hex);
  });

  it('takes the base64 form S3 headers and the platform CLI use', () => {
    expect(parseChecksum(digest.toString('base64'), 'c')).toBe(hex);
  });

  it('reads null and undefined as absent', () => {
    expect(parseChecksum(null, 'c')).toBeNull();
    expect(parseChecksum(undefined, 'c')).toBeNull();
  });

  it('refuses anything else, naming the field, including base64 whose spare bits are set', () => {
    const b64 = digest.toString('base64');
    // `B` as the 43rd character sets bits past the 32nd byte: a decoder would drop them, so it is refused.
    const bad = [hex.slice(1), `${hex}0`, 'z'.repeat(64), b64.slice(0, -1), `${b64.slice(0, 42)}B=`, ''];
    for (const value of bad) {
      const error = (() => {
        try {
          parseChecksum(value, 'files[0].checksum_sha256');
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error, value).toBeInstanceOf(AppError);
      expect((error as AppError).param).toBe('files[0].checksum_sha256');
    }
  });
});
