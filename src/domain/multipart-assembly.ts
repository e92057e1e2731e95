// Completing a multipart upload, under the finalizer's lease: every part must be there at its planned length (else
// 400 naming what is missing, and the upload stays pending for the client to send them); then the store assembles
// the object at the asset's key (after which no part can change it) and the bytes are judged as a direct upload's:
// exact size, the type sniffed from the head against content_type, the whole-file SHA-256 against every checksum.
//
// What is read, and where: on local disk the parts stream once through the inspector while they are concatenated
// (no second read). On S3 the bytes never pass through assetd, so the object is read back once to hash and sniff it.
// Part checksums verified by the store do not spare that read: they say each part is what the client hashed, not
// what the whole file's SHA-256 is (SHA-256 does not compose), and the asset's SHA-256 is only ever one assetd
// computed from the bytes.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, errors } from './errors.js';
import { UploadInspector, type Inspection } from './inspect.js';
import { partLength, planOf, targetOf } from './multipart-plan.js';
import type { Asset, ObjectStorage, StoredPart } from './ports/index.js';
import { judgeUpload, type Verdict } from './upload-verdict.js';


const NOT_UPLOADED_YET = 'Uploaded object not found yet. Retry after upload PUT returns 200.';

/** Assembles and judges a multipart upload; throws (leaving it pending) when parts are missing or of the wrong size. */
export async function assembleMultipart(storage: ObjectStorage, asset: Asset, given: string | null): Promise<Verdict> {
  const multipart = asset.multipart!;
  const target = targetOf(asset, multipart);
  const listed = await storage.multipart.listParts(target);
  if (listed === null) {
    // Assembled already by a finalizer that died before settling: judge the object it left.
    if (!(await storage.stat(asset.storageKey))) throw errors.conflict(NOT_UPLOADED_YET);
    return judgeStored(storage, asset, given);
  }
  const plan = planOf(asset.sizeBytes, multipart.partSizeBytes);
  const byNumber = new Map(listed.map((p) => [p.partNumber, p]));
  const missing: number[] = [];
  const parts: StoredPart[] = [];
  for (let n = 1; n <= plan.partCount; n++) {
    const part = byNumber.get(n);
    if (!part) {
      missing.push(n);
      continue;
    }
    // The URLs sign each length in, so a part of another length was sent some other way: it must be sent again.
    if (part.sizeBytes !== partLength(plan, n)) {
      throw errors.partSizeMismatch(`Part ${n} is ${part.sizeBytes} bytes; it must be ${partLength(plan, n)}. Send it again.`, 'parts');
    }
    parts.push(part);
  }
  if (missing.length > 0) throw errors.partsMissing(missing);

  let observed: UploadInspector | null = null;
  const observe = () => (observed = inspectorFor(asset, asset.sizeBytes));
  await storage.multipart.complete({ ...target, parts, observe });
  if (observed) return verdictOf(asset, given, () => (observed as UploadInspector).result());
  return judgeStored(storage, asset, given);
}

function inspectorFor(asset: Asset, exactBytes: number): UploadInspector {
  // Learn the type, never refuse on the way: the verdict below says what was wrong.
  return new UploadInspector({ maxBytes: exactBytes, exactBytes, accept: new Set([asset.mimeType]), refuse: false, param: 'content_type' });
}

/** The verdict on what an inspector saw go by. */
function verdictOf(asset: Asset, given: string | null, result: () => Inspection): Verdict {
  let seen: Inspection;
  try {
    seen = result();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return judgeUpload(asset, { sizeBytes: seen.sizeBytes, mimeType: seen.media?.mime ?? null, sha256: seen.sha256, facts: seen.facts }, given);
}

/** Reads the assembled object once, start to end. */
async function judgeStored(storage: ObjectStorage, asset: Asset, given: string | null): Promise<Verdict> {
  const stored = await storage.stat(asset.storageKey);
  if (!stored) throw errors.conflict(NOT_UPLOADED_YET);
  if (stored.sizeBytes !== asset.sizeBytes) {
    return errors.sizeMismatch(`The uploaded object is ${stored.sizeBytes} bytes; size_bytes was ${asset.sizeBytes}.`);
  }
  const body = await storage.read({ key: asset.storageKey });
  if (!body) throw errors.conflict(NOT_UPLOADED_YET);
  const inspector = inspectorFor(asset, asset.sizeBytes);
  try {
    await pipeline(body, inspector, discard());
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return verdictOf(asset, given, () => inspector.result());
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
