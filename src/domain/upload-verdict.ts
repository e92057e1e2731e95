// The verdict on an upload's bytes once they are known, however they became known (a PUT's receipt, an inspector
// that watched them go by): exact size, the sniffed type against the declared one, the SHA-256 against every
// checksum given. One place, so a direct upload and a multipart one fail in the same words.
import type { MediaFacts } from '../media/media-facts.js';
import { errors, type AppError } from './errors.js';
import type { Asset } from './ports/index.js';

export type Verdict = AppError | { sha256: string; facts: MediaFacts };

export interface SeenBytes {
  readonly sizeBytes: number;
  /** What the bytes were sniffed as; null when unrecognised. */
  readonly mimeType: string | null;
  readonly sha256: string;
  readonly facts: MediaFacts;
}

export function judgeUpload(asset: Asset, seen: SeenBytes, given: string | null): Verdict {
  if (seen.sizeBytes !== asset.sizeBytes) {
    return errors.sizeMismatch(`The uploaded object is ${seen.sizeBytes} bytes; size_bytes was ${asset.sizeBytes}.`);
  }
  if (seen.mimeType !== asset.mimeType) {
    const what = seen.mimeType ? `they are ${seen.mimeType}` : 'their type could not be recognised';
    return errors.mediaTypeMismatch(`The uploaded bytes are not ${asset.mimeType}: ${what}.`, 'content_type');
  }
  if ([asset.declaredSha256, given].some((expected) => expected && expected !== seen.sha256)) {
    return errors.checksumMismatch('The SHA-256 of the uploaded bytes does not match checksum_sha256.', 'checksum_sha256');
  }
  return { sha256: seen.sha256, facts: seen.facts };
}
