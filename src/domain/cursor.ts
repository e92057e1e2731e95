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
