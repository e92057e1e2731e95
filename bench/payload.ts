// The files every contender of `npm run bench` receives: a valid head, so that assetd's sniffing accepts the bytes
// (a PNG below 1 MiB, an MP4 from 1 MiB), then zeros up to the size. Small files are one shared buffer; large ones are
// generated in 1 MiB chunks as they are sent (never held whole), the same way for every contender.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { mp4, png } from '../test/support/media.js';
import { MiB } from './lib.js';

const KiB = 1024;
const CHUNK = MiB;

export function sizeLabel(size: number): string {
  return size >= MiB ? `${size / MiB} MiB` : `${size / KiB} KiB`;
}

export class Payload {
  readonly mime: 'image/png' | 'video/mp4';
  readonly filename: string;
  readonly label: string;
  private readonly head: Buffer;
  private readonly whole: Buffer | null;
  private readonly boundary = `----assetd-bench-${randomBytes(8).toString('hex')}`;
  private readonly multipartHead: Buffer;
  private readonly multipartTail: Buffer;
  private readonly multipartWhole: Buffer | null;

  constructor(readonly size: number) {
    const small = size < MiB;
    this.mime = small ? 'image/png' : 'video/mp4';
    this.filename = small ? 'bench.png' : 'bench.mp4';
    this.label = sizeLabel(size);
    this.head = small ? png() : mp4();
    if (size < this.head.length) throw new RangeError(`a ${size}-byte file cannot hold its ${this.head.length}-byte head`);
    this.whole = size <= MiB ? Buffer.concat([this.head, Buffer.alloc(size - this.head.length)]) : null;
    this.multipartHead = Buffer.from(
      `--${this.boundary}\r\nContent-Disposition: form-data; name="file"; filename="${this.filename}"\r\nContent-Type: ${this.mime}\r\n\r\n`,
    );
    this.multipartTail = Buffer.from(`\r\n--${this.boundary}--\r\n`);
    this.multipartWhole = this.whole ? Buffer.concat([this.multipartHead, this.whole, this.multipartTail]) : null;
  }

  /** The file's bytes, to send as a request body. */
  body(): Buffer | Readable {
    return this.whole ?? Readable.from(this.chunks(), { objectMode: false });
  }

  /** The file's bytes as a stream (for the AWS SDK). */
  stream(): Readable {
    return Readable.from(this.whole ? [this.whole] : this.chunks(), { objectMode: false });
  }

  /** A multipart/form-data body with the file as its one part, `file`, as POST /v3/assets takes it. */
  multipart(): { contentType: string; length: number; body: Buffer | Readable } {
    const contentType = `multipart/form-data; boundary=${this.boundary}`;
    const length = this.multipartHead.length + this.size + this.multipartTail.length;
    if (this.multipartWhole) return { contentType, length, body: this.multipartWhole };
    const { multipartHead, multipartTail } = this;
    const chunks = this.chunks();
    return {
      contentType,
      length,
      body: Readable.from(
        (async function* () {
          yield multipartHead;
          yield* chunks;
          yield multipartTail;
        })(),
        { objectMode: false },
      ),
    };
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    const zeros = Buffer.alloc(CHUNK);
    const first = Buffer.alloc(Math.min(CHUNK, this.size));
    this.head.copy(first);
    yield first;
    for (let sent = first.length; sent < this.size; sent += CHUNK) yield zeros.subarray(0, Math.min(CHUNK, this.size - sent));
  }
}
