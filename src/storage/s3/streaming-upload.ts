// A body of unknown length into one S3 object, its bytes passed on to the store as they arrive. lib-storage's Upload
// (used before) fills each part in memory and only then sends it, so reading and sending never overlap: against our
// loopback Ceph RGW it wrote 32 MiB at 130–175 MB/s, this at 165–245, one streamed PutObject of a known length at
// 250–300. The rest of the gap is the multipart upload itself: RGW takes about 50 ms to open one.
//
// A body that ends within the first part is one PutObject of the bytes held. A longer one becomes a multipart
// upload: the first part is sent from memory, every later part is streamed with its length (PART_BYTES) declared up
// front. A part's bytes are also held until the store has answered it, for two reasons: the one part that turns out
// shorter — the last — has to be cut off (the store never keeps a part whose body ended early) and sent again with
// its real length, and a streamed part that fails is sent once more from them (the SDK retries only buffers, as it
// did every lib-storage part). Memory per write stays about 1 + PARTS_IN_FLIGHT parts (24 MiB), as with lib-storage.
// On any failure every part request is settled first and the multipart upload is then aborted, so nothing is left
// behind (a killed process's upload is aborted by the reaper, as before).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';

export const PART_BYTES = 8 * 1024 * 1024;
/** Parts sent but not yet answered, besides the one being streamed. */
const PARTS_IN_FLIGHT = 2;

export interface StreamingUploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
}

/** Why a part's request was cut off on purpose (its bytes go again, with their real length). */
class ShortPart extends Error {}

/** Reads `body` in pieces of at most a given size: a chunk that straddles a part boundary is split there. */
class ChunkReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private held: Buffer | null = null;

  constructor(body: AsyncIterable<Buffer>) {
    this.iterator = body[Symbol.asyncIterator]();
  }

  /** The next bytes, at most `max` of them; null at the end of the body. */
  async next(max: number): Promise<Buffer | null> {
    let chunk = this.held ?? (await this.read());
    this.held = null;
    if (!chunk) return null;
    if (chunk.length > max) {
      this.held = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    }
    return chunk;
  }

  /** Whether the body has more bytes (reads ahead at most one chunk). */
  async more(): Promise<boolean> {
    this.held ??= await this.read();
    return this.held !== null;
  }

  /** The next chunk that has bytes (an empty one would open a part of nothing); null at the end. */
  private async read(): Promise<Buffer | null> {
    for (;;) {
      const result = await this.iterator.next();
      if (result.done) return null;
      if (result.value.length > 0) return result.value;
    }
  }
}

/** Streams `body` into the object; resolves with its size once the object exists whole. */
export async function streamingUpload(target: StreamingUploadTarget, body: AsyncIterable<Buffer>): Promise<number> {
  const reader = new ChunkReader(body);
  const first = await readPart(reader);
  if (!(await reader.more())) {
    await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        Body: Buffer.concat(first.chunks, first.bytes),
        ContentLength: first.bytes,
        ContentType: target.contentType,
      }),
    );
    return first.bytes;
  }
  const upload = new PartSender(target, await openUpload(target));
  try {
    let size = first.bytes;
    upload.send(1, first.chunks.splice(0), first.bytes); // spliced out: only the part's own buffer keeps the bytes
    for (let partNumber = 2; await reader.more(); partNumber++) {
      await upload.slot();
      size += await upload.stream(partNumber, reader);
    }
    const parts = await upload.settled();
    await target.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: upload.uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return size;
  } catch (error) {
    await upload.abort();
    throw error;
  }
}

async function openUpload(target: StreamingUploadTarget): Promise<string> {
  const { UploadId } = await target.client.send(
    new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, ContentType: target.contentType }),
  );
  return UploadId!;
}

async function abortUpload(target: StreamingUploadTarget, uploadId: string): Promise<void> {
  await target.client
    .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }))
    .catch(() => {});
}

async function readPart(reader: ChunkReader): Promise<{ chunks: Buffer[]; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for (let chunk; bytes < PART_BYTES && (chunk = await reader.next(PART_BYTES - bytes)); bytes += chunk.length) chunks.push(chunk);
  return { chunks, bytes };
}

/** The parts of one multipart upload: sent, streamed, awaited, or all given up. */
class PartSender {
  private readonly parts: Array<Promise<CompletedPart>> = [];
  /** Part requests not yet settled, whatever their outcome. */
  private readonly unsettled = new Set<Promise<unknown>>();
  /** The first part that failed, if one has. */
  private failure: unknown = undefined;
  /** Set once the upload is being given up: no part is sent again after that. */
  private abandoned = false;

  constructor(
    private readonly target: StreamingUploadTarget,
    readonly uploadId: string,
  ) {}

  /** Sends a part whose bytes are all in memory: as one buffer, which the SDK retries on a passing failure. */
  send(partNumber: number, chunks: readonly Buffer[], bytes: number): void {
    const part = this.request(partNumber, Buffer.concat(chunks, bytes), bytes);
    this.watch(part);
    this.keep(completedPart(partNumber, part));
  }

  /** Streams the next part from `reader`; resolves with its size once every byte of it has been read. */
  async stream(partNumber: number, reader: ChunkReader): Promise<number> {
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    // A body failing does not end its request (the SDK pipes it): a part is cut off by aborting the request.
    const cut = new AbortController();
    const request = this.request(partNumber, body, PART_BYTES, cut.signal);
    const ended = request.then(
      () => {},
      () => {},
    );
    const held: Buffer[] = [];
    let bytes = 0;
    try {
      for (let chunk; bytes < PART_BYTES && (chunk = await reader.next(PART_BYTES - bytes)); bytes += chunk.length) {
        held.push(chunk);
        if (!body.write(chunk)) await drained(body, request);
      }
    } catch (error) {
      cut.abort();
      await ended; // before the caller aborts the upload: a part landing after that would be kept
      throw error;
    }
    if (bytes === PART_BYTES) {
      body.end();
      // A streamed body cannot be retried by the SDK; its bytes are still here, so a failed part goes once more.
      const part = request.catch((error: unknown) => {
        if (this.abandoned) throw error;
        return this.request(partNumber, Buffer.concat(held, bytes), bytes);
      });
      this.watch(part);
      this.keep(completedPart(partNumber, part));
      return bytes;
    }
    // The body ended inside this part: the request declared more bytes than there are. Cut it off, let it fail, and
    // send the part again with its real length (the same part number replaces it).
    cut.abort(new ShortPart());
    await ended;
    this.send(partNumber, held, bytes);
    return bytes;
  }

  /** Waits while PARTS_IN_FLIGHT parts are unanswered; fails as soon as one of them has. */
  async slot(): Promise<void> {
    while (this.unsettled.size >= PARTS_IN_FLIGHT) {
      await Promise.race([...this.unsettled]);
    }
    // A failed part fails the whole write now, not after the rest of the body has been read.
    if (this.failure !== undefined) throw this.failure;
  }

  /** Every part's number and ETag, in order, once all have been stored. */
  async settled(): Promise<CompletedPart[]> {
    return Promise.all(this.parts);
  }

  /** Waits for every part request to end, then aborts the multipart upload. */
  async abort(): Promise<void> {
    this.abandoned = true;
    await Promise.all([...this.unsettled]);
    await abortUpload(this.target, this.uploadId);
  }

  private request(partNumber: number, body: Readable | Buffer, bytes: number, signal?: AbortSignal) {
    return this.target.client.send(
      new UploadPartCommand({
        Bucket: this.target.bucket,
        Key: this.target.key,
        UploadId: this.uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: bytes,
      }),
      signal ? { abortSignal: signal } : {},
    );
  }

  private keep(part: Promise<CompletedPart>): void {
    this.parts.push(part);
    part.catch((error: unknown) => (this.failure ??= error));
  }

  /** Counts a part request as unsettled until it ends, whatever its outcome. */
  private watch(request: Promise<unknown>): void {
    const settled = request.then(
      () => {},
      () => {},
    );
    this.unsettled.add(settled);
    void settled.then(() => this.unsettled.delete(settled));
  }
}

function completedPart(partNumber: number, request: Promise<{ ETag?: string | undefined }>): Promise<CompletedPart> {
  return request.then(({ ETag }) => ({ PartNumber: partNumber, ETag }));
}

/** Waits until the part's body wants more, or fails with its request if the store answered first. */
async function drained(body: PassThrough, request: Promise<unknown>): Promise<void> {
  await Promise.race([
    once(body, 'drain'),
    request.then(() => {
      throw new Error('the store answered a part before all of its bytes were sent');
    }),
  ]);
}
