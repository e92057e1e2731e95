import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { decodeBase64Input, decodedLength } from './base64-input.js';

describe('decodeBase64Input', () => {
  const bytes = Buffer.from('hello, assets!');
  const b64 = bytes.toString('base64');

  it('decodes canonical base64 and data URLs of the same type', () => {
    expect(decodeBase64Input(b64, 'image/png', 100, 'file').equals(bytes)).toBe(true);
    expect(decodeBase64Input(`data:image/png;base64,${b64}`, 'image/png', 100, 'file').equals(bytes)).toBe(true);
  });

  it.each([
    ['whitespace', `${b64.slice(0, 4)} ${b64.slice(4)}`],
    ['url-safe alphabet', '-_-_'],
    ['missing padding', b64.replace(/=+$/, '')],
    ['padding in the middle', 'aGk=aGk='],
    ['empty', ''],
    ['another data URL type', `data:image/jpeg;base64,${b64}`],
  ])('refuses %s with the data path as param', (_name, data) => {
    const error = (() => {
      try {
        decodeBase64Input(data, 'image/png', 100, 'files[1]');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).param).toBe('files[1].data');
  });

  it('refuses a payload over the limit before decoding it', () => {
    expect(decodedLength(b64)).toBe(bytes.length);
    expect(() => decodeBase64Input(b64, 'image/png', bytes.length - 1, 'file')).toThrow(/larger than the limit/);
  });
});
