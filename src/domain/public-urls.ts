// Builds the public URL of an asset's bytes. The base is known only once the server listens (port 0 in tests,
// or ASSETD_PUBLIC_URL behind a proxy), so it is set once, late.
import { mediaTypeOf } from '../media/types.js';
import type { SignedPartQuery, SignedQuery } from './upload-signature.js';

export class PublicUrls {
  private base: string | null;

  constructor(base: string | null = null) {
    this.base = base;
  }

  setBaseIfUnset(base: string): void {
    this.base ??= base.replace(/\/+$/, '');
  }

  /** assetd's own presigned storage endpoint (used when the storage backend has no presigned PUT). */
  uploadUrl(assetId: string, query: SignedQuery): string {
    return `${this.requireBase()}/uploads/${assetId}?${new URLSearchParams({ ...query }).toString()}`;
  }

  /** The same endpoint's URL for one part of a multipart upload. */
  partUploadUrl(assetId: string, partNumber: number, query: SignedPartQuery): string {
    return `${this.requireBase()}/uploads/${assetId}/parts/${partNumber}?${new URLSearchParams({ ...query }).toString()}`;
  }

  /** `/files/<token>.<ext>`: the extension helps tools that guess a type from a URL; the token is the secret. */
  fileUrl(urlToken: string, mimeType: string): string {
    const extension = mediaTypeOf(mimeType)?.extension;
    return `${this.requireBase()}/files/${urlToken}${extension ? `.${extension}` : ''}`;
  }

  private requireBase(): string {
    if (this.base === null) throw new Error('PublicUrls used before the server knew its address');
    return this.base;
  }
}
