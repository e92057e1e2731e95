// The one gate between a storage key and a file-system path: every local-disk path is built here.
import path from 'node:path';

const SEGMENT = /^[A-Za-z0-9_\-.]+$/;

export class UnsafeKeyError extends Error {
  constructor(key: string) {
    super(`Unsafe storage key: ${JSON.stringify(key)}`);
    this.name = 'UnsafeKeyError';
  }
}

/** The key's segments, refusing anything that is not plain names separated by single slashes. */
export function checkKey(key: string): string[] {
  if (key.length === 0 || key.length > 512) throw new UnsafeKeyError(key);
  const segments = key.split('/');
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') throw new UnsafeKeyError(key);
  }
  return segments;
}

/** Resolves `key` (slash-separated) under `root`, refusing anything that could name a file outside it. */
export function resolveInside(root: string, key: string): string {
  const segments = checkKey(key);
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  if (!full.startsWith(base + path.sep)) throw new UnsafeKeyError(key);
  return full;
}
