// Identifiers and secrets minted by assetd, all from the CSPRNG.
import { randomBytes } from 'node:crypto';

export function newAssetId(): string {
  return `asset_${randomBytes(16).toString('hex')}`;
}

/** 256 bits, URL-safe: the unguessable part of a public file URL. */
export function newUrlToken(): string {
  return randomBytes(32).toString('base64url');
}

export const URL_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Where assets' bytes live, and where direct uploads wait for complete(): the reaper sweeps both. */
export const ASSET_PREFIX = 'assets/';
export const STAGING_PREFIX = 'uploads/';

export function storageKeyFor(assetId: string): string {
  // A two-character fan-out keeps any one directory (or S3 prefix listing) small.
  return `${ASSET_PREFIX}${assetId.slice(6, 8)}/${assetId}`;
}

/** Where the bytes of a direct upload wait (PUT) until complete() takes them. */
export function stagingKeyFor(assetId: string): string {
  return `${STAGING_PREFIX}${assetId}`;
}
