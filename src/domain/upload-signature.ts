// The one gate for presigned upload URLs served by assetd itself (the local-disk storage endpoint). A URL binds the
// asset id, exact size, content type, checksum and expiry (a multipart part's URL: the asset id, part number, exact
// size, checksum and expiry) under HMAC-SHA256; verification recomputes the MAC and
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

/** One part of a multipart upload: its number and exact size (and SHA-256 when the client gave one). */
export interface PartGrant {
  readonly assetId: string;
  readonly partNumber: number;
  readonly sizeBytes: number;
  readonly sha256: string | null;
  readonly expires: number;
}

/** What a part URL's query carries besides the signature. */
export interface SignedPartQuery {
  readonly expires: string;
  readonly size: string;
  readonly sha256?: string;
  readonly signature: string;
}

// Numbers in their one canonical spelling (no leading zeros), so a URL has exactly one valid form.
const CANONICAL_NUMBER = /^(?:0|[1-9]\d{0,15})$/;

function canonical(grant: UploadGrant): string {
  return ['assetd-upload-v1', grant.assetId, grant.sizeBytes, grant.contentType, grant.sha256 ?? '', grant.expires].join('\n');
}

/** A different first line: a part's signature can never pass for a whole upload's, nor the other way round. */
function canonicalPart(grant: PartGrant): string {
  return ['assetd-part-v1', grant.assetId, grant.partNumber, grant.sizeBytes, grant.sha256 ?? '', grant.expires].join('\n');
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

  signPart(grant: PartGrant): SignedPartQuery {
    return {
      expires: String(grant.expires),
      size: String(grant.sizeBytes),
      ...(grant.sha256 ? { sha256: grant.sha256 } : {}),
      signature: this.macOf(canonicalPart(grant)),
    };
  }

  /** The part grant the query proves for this asset and part number, or why it proves nothing. */
  verifyPart(assetId: string, partNumber: number, query: Partial<SignedPartQuery>, nowSeconds: number): PartGrant | SignatureProblem {
    const { expires, size, sha256, signature } = query;
    if (!expires || !size || !signature || !CANONICAL_NUMBER.test(expires) || !CANONICAL_NUMBER.test(size)) return 'malformed';
    const grant: PartGrant = { assetId, partNumber, sizeBytes: Number(size), sha256: sha256 || null, expires: Number(expires) };
    if (!this.matches(canonicalPart(grant), signature)) return 'bad_signature';
    if (grant.expires <= nowSeconds) return 'expired';
    return grant;
  }

  private matches(text: string, signature: string): boolean {
    // Compare the text, not decoded bytes: base64 decoders ignore the spare low bits of the last character.
    const expected = Buffer.from(this.macOf(text));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(grant: UploadGrant): string {
    return this.macOf(canonical(grant));
  }

  private macOf(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }
}
