// Builds the public URL of an asset's bytes. The base is known only once the server listens (port 0 in tests,
// or ASSETD_PUBLIC_URL behind a proxy), so it is set once, late.
import { mediaTypeOf } from './media.js';

export class PublicUrls {
  private base: string | null;

  constructor(base: string | null = null) {
    this.base = base;
  }

  setBaseIfUnset(base: string): void {
    this.base ??= base.replace(/\/+$/, '');
  }

  /** `/files/<token>.<ext>`: the extension helps tools that guess a type from a URL; the token is the secret. */
  fileUrl(urlToken: string, mimeType: string): string {
    if (this.base === null) throw new Error('PublicUrls used before the server knew its address');
    const extension = mediaTypeOf(mimeType)?.extension;
    return `${this.base}/files/${urlToken}${extension ? `.${extension}` : ''}`;
  }
}
