// Finds a file's picture size and length while its bytes stream past, for the inspector, each type by the cheapest
// means that is right: PNG, JPEG and WAV from their first bytes; MP4 by walking its boxes (mp4-facts.ts); MP3 and
// WebM with music-metadata, fed through a stream with backpressure. A probe never fails an upload: a file it cannot
// read has no facts. And it never holds the file: each stops taking bytes once it knows what it can know.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { parseStream, type IAudioMetadata } from 'music-metadata';
import { mediaFacts, NO_FACTS, type MediaFacts } from './media-facts.js';
import { SNIFF_BYTES } from './media.js';
import { Mp4FactsReader } from './mp4-facts.js';

export interface FactsProbe {
  /** The next bytes; a promise means "wait before sending more". */
  write(chunk: Buffer): void | Promise<void>;
  /** Every byte has been written: the facts found. Never rejects. */
  end(sizeBytes: number): Promise<MediaFacts>;
  /** The upload failed; let go of everything. */
  abort(): void;
}

export interface ProbeOptions {
  /** The file's exact size when it is known before the bytes arrive (a direct upload being verified). */
  readonly knownSize?: number;
  /** An upper bound on the size otherwise, so a parser never trusts a length field beyond it. */
  readonly maxBytes: number;
}

export function factsProbe(mime: string, options: ProbeOptions): FactsProbe {
  switch (mime) {
    case 'video/mp4':
      return new Mp4Probe();
    case 'audio/mpeg':
    case 'video/webm':
      return new MusicMetadataProbe(mime, options);
    default:
      return new HeadProbe(mime);
  }
}

class HeadProbe implements FactsProbe {
  private readonly head: Buffer[] = [];
  private headBytes = 0;

  constructor(private readonly mime: string) {}

  write(chunk: Buffer): void {
    if (this.headBytes >= SNIFF_BYTES) return;
    this.head.push(chunk.subarray(0, SNIFF_BYTES - this.headBytes));
    this.headBytes += Math.min(chunk.length, SNIFF_BYTES - this.headBytes);
  }

  end(sizeBytes: number): Promise<MediaFacts> {
    return Promise.resolve(mediaFacts(this.mime, Buffer.concat(this.head), sizeBytes));
  }

  abort(): void {}
}

class Mp4Probe implements FactsProbe {
  private readonly reader = new Mp4FactsReader();

  write(chunk: Buffer): void {
    if (!this.reader.finished) this.reader.push(chunk);
  }

  end(): Promise<MediaFacts> {
    return Promise.resolve(this.reader.facts());
  }

  abort(): void {}
}

class MusicMetadataProbe implements FactsProbe {
  private readonly input = new PassThrough({ highWaterMark: 1024 * 1024 });
  private readonly parsing: Promise<MediaFacts>;
  private settled = false;

  constructor(mime: string, { knownSize, maxBytes }: ProbeOptions) {
    // MP3 length: from the frame count when the size is not known up front, else from the size and the first
    // frames (or the Xing/VBRI header), which stops reading early. WebM's length and size are in its first elements.
    const size = knownSize ?? (mime === 'video/webm' ? maxBytes : undefined);
    const duration = mime === 'audio/mpeg' && knownSize === undefined;
    this.parsing = parseStream(this.input, { mimeType: mime, size }, { duration, skipCovers: true })
      .then(toFacts, () => NO_FACTS)
      .finally(() => {
        this.settled = true;
      });
  }

  write(chunk: Buffer): void | Promise<void> {
    if (this.settled || this.input.write(chunk)) return;
    return Promise.race([once(this.input, 'drain').then(noop, noop), this.parsing.then(noop)]);
  }

  async end(): Promise<MediaFacts> {
    if (!this.settled) this.input.end();
    const facts = await this.parsing;
    this.input.destroy();
    return facts;
  }

  abort(): void {
    this.input.destroy();
  }
}

function noop(): void {}

function toFacts(metadata: IAudioMetadata): MediaFacts {
  const video = metadata.format.trackInfo.find((track) => track.video?.pixelWidth && track.video.pixelHeight)?.video;
  const seconds = metadata.format.duration;
  return {
    width: video?.pixelWidth ?? null,
    height: video?.pixelHeight ?? null,
    durationSeconds: seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) / 1000 : null,
  };
}
