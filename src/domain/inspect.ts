// A pass-through stream that learns everything about an upload while its bytes go by: the count (refusing past a
// limit the moment it is crossed), the SHA-256, and the media type sniffed from the first bytes. It holds back at most
// SNIFF_BYTES, so memory stays flat whatever the size, and it fails the stream as soon as the type is refused, so an
// unsupported file is never written in full.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { errors } from './errors.js';
import { describeSupported, sniff, SNIFF_BYTES, type MediaType } from './media.js';

export interface InspectorOptions {
  readonly maxBytes: number;
  /** Canonical MIME types this upload may be. */
  readonly accept: ReadonlySet<string>;
  /** Error `param` for refusals (the form field or JSON path the bytes came from). */
  readonly param: string;
}

export interface Inspection {
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly media: MediaType;
}

export class UploadInspector extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private head: Buffer[] | null = [];
  private headBytes = 0;
  private media: MediaType | undefined;
  private sha256: string | undefined;

  constructor(private readonly options: InspectorOptions) {
    super();
  }

  /** Valid once the stream has finished without error. */
  result(): Inspection {
    if (!this.media || this.head !== null) throw new Error('UploadInspector.result() called before the stream ended');
    this.sha256 ??= this.hash.digest('hex');
    return { sizeBytes: this.bytes, sha256: this.sha256, media: this.media };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.options.maxBytes) {
      callback(errors.payloadTooLarge(this.options.maxBytes, this.options.param));
      return;
    }
    this.hash.update(chunk);
    if (this.head === null) {
      callback(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) {
      callback();
      return;
    }
    this.decide().then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.head === null) {
      callback();
      return;
    }
    this.decide().then(() => callback(), callback);
  }

  private async decide(): Promise<void> {
    const head = Buffer.concat(this.head ?? []);
    if (head.length === 0) throw errors.invalidParameter('The file is empty.', this.options.param);
    const { detected, media } = await sniff(head);
    if (!media || !this.options.accept.has(media.mime)) {
      const supported = describeSupported(this.options.accept);
      const what = detected ? `Files of type ${detected} are not supported` : 'The file type could not be recognised';
      throw errors.unsupportedMediaType(`${what}; supported types are ${supported}.`, this.options.param);
    }
    this.media = media;
    this.head = null;
    this.push(head);
  }
}
