// The one gate for presigned upload URLs served by assetd itself (the local-disk storage endpoint). A URL binds the
// asset id, exact size, content type, checksum and expiry under HMAC-SHA256; verification recomputes the MAC and
// compares in constant time, then checks each bound value so a refusal can say what was wrong.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UploadGrant {
  readonly assetId: string;
  readonly sizeBytes: number;
  readonly contentType: string;
  /** Lowercase hex, or null when the client gave none. */
  readonly sha256: string | null;
  /** Unix seconds. */
  readonly expires: number;
}

/** What the URL's query carries besides the signature. */
export interface SignedQuery {
  readonly expires: string;
  readonly size: string;
  readonly type: string;
  readonly sha256?: string;
  readonly signature: string;
}

export type SignatureProblem = 'malformed' | 'bad_signature' | 'expired';

function canonical(grant: UploadGrant): string {
  return ['assetd-upload-v1', grant.assetId, grant.sizeBytes, grant.contentType, grant.sha256 ?? '', grant.expires].join('\n');
}

export class UploadSigner {
  constructor(private readonly secret: string) {}

  sign(grant: UploadGrant): SignedQuery {
    return {
      expires: String(grant.expires),
      size: String(grant.sizeBytes),
      type: grant.contentType,
      ...(grant.sha256 ? { sha256: grant.sha256 } : {}),
      signature: this.mac(grant),
    };
  }

  /** The grant the query proves, or why it proves nothing. */
  verify(assetId: string, query: Partial<SignedQuery>, nowSeconds: number): UploadGrant | SignatureProblem {
    const { expires, size, type, sha256, signature } = query;
    // Numbers in their one canonical spelling (no leading zeros), so a URL has exactly one valid form.
    const canonicalNumber = /^(?:0|[1-9]\d{0,15})$/;
    if (!expires || !size || !type || !signature || !canonicalNumber.test(expires) || !canonicalNumber.test(size)) {
      return 'malformed';
    }
    const grant: UploadGrant = {
      assetId,
      sizeBytes: Number(size),
      contentType: type,
      sha256: sha256 || null,
      expires: Number(expires),
    };
    // Compare the text, not decoded bytes: base64 decoders ignore the spare low bits of the last character.
    const expected = Buffer.from(this.mac(grant));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
    if (grant.expires <= nowSeconds) return 'expired';
    return grant;
  }

  private mac(grant: UploadGrant): string {
    return createHmac('sha256', this.secret).update(canonical(grant)).digest('base64url');
  }
}
