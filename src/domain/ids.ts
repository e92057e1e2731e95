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

/** Where assets' bytes live, where direct uploads wait for complete(), and where previews are kept: the reaper sweeps all three. */
export const ASSET_PREFIX = 'assets/';
export const STAGING_PREFIX = 'uploads/';
export const PREVIEW_PREFIX = 'previews/';

export function storageKeyFor(assetId: string): string {
  // A two-character fan-out keeps any one directory (or S3 prefix listing) small.
  return `${ASSET_PREFIX}${assetId.slice(6, 8)}/${assetId}`;
}

/** Where the bytes of a direct upload wait (PUT) until complete() takes them. */
export function stagingKeyFor(assetId: string): string {
  return `${STAGING_PREFIX}${assetId}`;
}

/**
 * Every preview of an asset starts with this: `previews/<fan-out>/<asset id>.` (one flat folder per fan-out, so an
 * asset's previews are one listing and deleting them leaves no empty folder behind on local disk).
 */
export function previewKeyPrefixFor(assetId: string): string {
  return `${PREVIEW_PREFIX}${assetId.slice(6, 8)}/${assetId}.`;
}

/** Where one preview of an asset is kept: `previews/<fan-out>/<asset id>.<width>.<format>`. */
export function previewKeyFor(assetId: string, width: number, format: string): string {
  return `${previewKeyPrefixFor(assetId)}${width}.${format}`;
}

/** The asset a preview key belongs to. */
export function assetIdOfPreviewKey(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1).split('.')[0]!;
}
