// A pass-through stream that learns everything about an upload while its bytes go by: the count (refusing past a
// limit the moment it is crossed), the SHA-256, the media type sniffed from the first bytes, and the picture size
// and length (facts-probe.ts). It holds back at most
// SNIFF_BYTES, so memory stays flat whatever the size, and it fails the stream as soon as the type is refused, so an
// unsupported file is never written in full.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { errors } from './errors.js';
import { factsProbe, type FactsProbe } from '../media/facts-probe.js';
import { NO_FACTS, plausibleFacts, type MediaFacts } from '../media/media-facts.js';
import { describeSupported, sniff, SNIFF_BYTES, type MediaType } from '../media/types.js';

export interface InspectorOptions {
  readonly maxBytes: number;
  /** Canonical MIME types this upload may be; without it the bytes are counted and hashed but not sniffed. */
  readonly accept?: ReadonlySet<string>;
  /**
   * False to only learn the type, not refuse it: bytes of another type go through and `media` says what they are
   * (a presigned PUT, whose type is judged at complete). Facts are read only for an accepted type. Default true.
   */
  readonly refuse?: boolean;
  /** The body must be exactly this long (a presigned PUT): fewer bytes at the end fail the stream. */
  readonly exactBytes?: number;
  /** Lowercase hex the body's SHA-256 must equal, checked when the last byte has gone by. */
  readonly expectedSha256?: string | null;
  /** Error `param` for refusals (the form field or JSON path the bytes came from). */
  readonly param: string;
}

export interface Inspection {
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Undefined when the inspector was not asked to sniff. */
  readonly media: MediaType | undefined;
  /** Pixel size and duration, where the bytes tell. */
  readonly facts: MediaFacts;
}

export class UploadInspector extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private head: Buffer[] | null = [];
  private headBytes = 0;
  private media: MediaType | undefined;
  private probe: FactsProbe | null = null;
  private facts: MediaFacts = NO_FACTS;
  private sha256: string | undefined;

  constructor(private readonly options: InspectorOptions) {
    // 1 MiB: with the 16 KiB default every 64 KiB socket chunk would pause and resume the source.
    super({ highWaterMark: 1024 * 1024 });
  }

  /** Valid once the stream has finished without error. */
  result(): Inspection {
    if (this.sha256 === undefined) throw new Error('UploadInspector.result() called before the stream ended');
    return { sizeBytes: this.bytes, sha256: this.sha256, media: this.media, facts: this.facts };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.options.maxBytes) {
      callback(errors.payloadTooLarge(this.options.maxBytes, this.options.param));
      return;
    }
    if (this.options.exactBytes !== undefined && this.bytes > this.options.exactBytes) {
      callback(errors.sizeMismatch(`The body is longer than the declared ${this.options.exactBytes} bytes.`, this.options.param));
      return;
    }
    this.hash.update(chunk);
    if (this.head === null || !this.options.accept) {
      this.push(chunk);
      const probing = this.probe?.write(chunk);
      if (probing) probing.then(() => callback(), callback);
      else callback();
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
    const finish = () => {
      const { exactBytes, expectedSha256, param } = this.options;
      if (exactBytes !== undefined && this.bytes !== exactBytes) {
        throw errors.sizeMismatch(`The body is ${this.bytes} bytes; ${exactBytes} were declared.`, param);
      }
      this.sha256 = this.hash.digest('hex');
      if (expectedSha256 && expectedSha256 !== this.sha256) {
        throw errors.checksumMismatch('The SHA-256 of the bytes does not match checksum_sha256.', param);
      }
    };
    const sniffing = this.head !== null && this.options.accept ? this.decide() : Promise.resolve();
    sniffing
      .then(finish)
      .then(async () => {
        if (this.probe) this.facts = plausibleFacts(await this.probe.end(this.bytes));
      })
      .then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.probe?.abort();
    callback(error);
  }

  private async decide(): Promise<void> {
    const head = Buffer.concat(this.head ?? []);
    if (head.length === 0) throw errors.invalidParameter('The file is empty.', this.options.param);
    const { detected, media } = await sniff(head);
    const accept = this.options.accept ?? new Set<string>();
    if ((!media || !accept.has(media.mime)) && this.options.refuse === false) {
      this.media = media;
      this.head = null;
      this.push(head);
      return;
    }
    if (!media || !accept.has(media.mime)) {
      const supported = describeSupported(accept);
      const what = detected ? `Files of type ${detected} are not supported` : 'The file type could not be recognised';
      throw errors.unsupportedMediaType(`${what}; supported types are ${supported}.`, this.options.param);
    }
    this.media = media;
    this.head = null;
    this.push(head);
    this.probe = factsProbe(media.mime, { knownSize: this.options.exactBytes, maxBytes: this.options.maxBytes });
    await this.probe.write(head);
  }
}
