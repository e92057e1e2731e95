// Finds a file's picture size and length while its bytes stream past, for the inspector, each type by the cheapest
// means that is right: PNG, JPEG and WAV from their first bytes; MP4 by walking its boxes (mp4-facts.ts); MP3 and
// WebM with music-metadata, fed through a stream with backpressure. A probe never fails an upload: a file it cannot
// read has no facts. And it never holds the file: each stops taking bytes once it knows what it can know.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { parseStream, type IAudioMetadata } from 'music-metadata';
import { mediaFacts, NO_FACTS, roundMs, type MediaFacts } from './media-facts.js';
import { SNIFF_BYTES } from './types.js';
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

/**
 * Every fact music-metadata can give us sits in a file's first elements (WebM's Info and Tracks; MP3's first frame
 * and its Xing/VBRI header), so it sees at most this many bytes: its cost stays the same for a 32 MiB upload and a
 * 5 GiB one, and a file cut short or damaged after its head still keeps what the head said.
 */
const MUSIC_METADATA_BYTES = 4 * 1024 * 1024;

class MusicMetadataProbe implements FactsProbe {
  private readonly input = new PassThrough({ highWaterMark: 1024 * 1024 });
  private readonly parsing: Promise<IAudioMetadata | undefined>;
  private observed: IAudioMetadata | undefined;
  private fed = 0;
  /** The length of an MP3's ID3v2 tag, known from the first chunk (null before it). */
  private tagBytes: number | null = null;
  private skip = 0;
  private settled = false;

  constructor(private readonly mime: string, { knownSize, maxBytes }: ProbeOptions) {
    // The size bounds every length field the parser trusts. An MP3's length is worked out here from its bit rate
    // instead, so MP3 gets no size: music-metadata would otherwise count the frames of the whole file.
    const size = mime === 'audio/mpeg' ? undefined : (knownSize ?? maxBytes);
    const observer = (update: { metadata: IAudioMetadata }) => {
      this.observed = update.metadata;
    };
    this.parsing = parseStream(this.input, { mimeType: mime, size }, { duration: false, skipCovers: true, observer })
      .catch(() => this.observed)
      .finally(() => {
        this.settled = true;
      });
  }

  write(chunk: Buffer): void | Promise<void> {
    if (this.tagBytes === null) {
      // An MP3's ID3v2 tag (cover art can make it megabytes) says nothing we keep: the parser starts after it.
      this.tagBytes = this.mime === 'audio/mpeg' ? id3v2Bytes(chunk) : 0;
      this.skip = this.tagBytes;
    }
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, chunk.length);
      this.skip -= skipped;
      chunk = chunk.subarray(skipped);
      if (chunk.length === 0) return;
    }
    if (this.settled || this.fed >= MUSIC_METADATA_BYTES) return;
    const part = chunk.subarray(0, MUSIC_METADATA_BYTES - this.fed);
    this.fed += part.length;
    const more = this.input.write(part);
    if (this.fed >= MUSIC_METADATA_BYTES) this.input.end();
    if (more) return;
    return Promise.race([once(this.input, 'drain').then(noop, noop), this.parsing.then(noop)]);
  }

  async end(sizeBytes: number): Promise<MediaFacts> {
    if (!this.input.writableEnded) this.input.end();
    const metadata = await this.parsing;
    this.input.destroy();
    if (!metadata) return NO_FACTS;
    const facts = toFacts(metadata);
    if (facts.durationSeconds === null && this.mime === 'audio/mpeg') {
      return { ...facts, durationSeconds: constantBitRateSeconds(metadata, sizeBytes - (this.tagBytes ?? 0)) };
    }
    return facts;
  }

  abort(): void {
    this.input.destroy();
  }
}

/** A constant-bit-rate MP3 without a Xing header lasts its audio bytes over its bit rate, as every player reckons. */
function constantBitRateSeconds({ format }: IAudioMetadata, audioBytes: number): number | null {
  if (format.codecProfile !== 'CBR' || !format.bitrate || audioBytes <= 0) return null;
  return roundMs((audioBytes * 8) / format.bitrate);
}

/** The length of an ID3v2 tag at the front of `head` (header, syncsafe size, optional footer), else 0. */
function id3v2Bytes(head: Buffer): number {
  if (head.length < 10 || head.toString('latin1', 0, 3) !== 'ID3') return 0;
  const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
  return 10 + size + (head[5]! & 0x10 ? 10 : 0);
}

function noop(): void {}

function toFacts(metadata: IAudioMetadata): MediaFacts {
  const video = metadata.format.trackInfo.find((track) => track.video?.pixelWidth && track.video.pixelHeight)?.video;
  const seconds = metadata.format.duration;
  return {
    width: video?.pixelWidth ?? null,
    height: video?.pixelHeight ?? null,
    durationSeconds: seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? roundMs(seconds) : null,
  };
}
