import { describe, expect, it } from 'vitest';
import { redactUrl } from './app.js';

describe('redactUrl', () => {
  it('hides file tokens and upload signatures, and nothing else', () => {
    expect(redactUrl('/files/abcDEF123_-.png')).toBe('/files/[redacted]');
    expect(redactUrl('/uploads/asset_1?expires=1&size=2&type=image%2Fpng&signature=secret')).toBe('/uploads/asset_1?[redacted]');
    expect(redactUrl('/v3/assets?limit=5')).toBe('/v3/assets?limit=5');
  });
});
