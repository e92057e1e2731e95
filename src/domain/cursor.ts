// Opaque pagination tokens: clients must not build or read them, so the position is wrapped and versioned.
import { errors } from './errors.js';

const PREFIX = 'v1.';

export function encodeCursor(position: number): string {
  return Buffer.from(`${PREFIX}${position}`).toString('base64url');
}

export function decodeCursor(token: string, param = 'token'): number {
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(token) ? Buffer.from(token, 'base64url').toString() : '';
  const position = decoded.startsWith(PREFIX) ? Number(decoded.slice(PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(position) || position < 1) {
    throw errors.invalidParameter('The pagination token is not valid.', param);
  }
  return position;
}

const KEY_PREFIX = 'k1.';

/** A position that is a time and an id (pages ordered by both, newest first), wrapped and versioned the same way. */
export interface KeyPosition {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly id: string;
}

export function encodeKeyCursor(position: KeyPosition): string {
  return Buffer.from(`${KEY_PREFIX}${position.at}.${position.id}`).toString('base64url');
}

export function decodeKeyCursor(token: string, param = 'token'): KeyPosition {
  const decoded = /^[A-Za-z0-9_-]{1,256}$/.test(token) ? Buffer.from(token, 'base64url').toString() : '';
  const match = decoded.startsWith(KEY_PREFIX) ? /^(\d{1,16})\.([A-Za-z0-9_-]{1,128})$/.exec(decoded.slice(KEY_PREFIX.length)) : null;
  const at = match ? Number(match[1]) : NaN;
  if (!match || !Number.isSafeInteger(at)) throw errors.invalidParameter('The pagination token is not valid.', param);
  return { at, id: match[2]! };
}
