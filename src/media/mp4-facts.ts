// The length and picture size of an MP4, read while its bytes stream past. Only box headers are looked at until the
// moov box; inside it only mvhd, mehd, tkhd and hdlr are kept (a few hundred bytes), and everything else, the media
// data and the sample tables above all, is counted past without being held. So a multi-GiB file with its moov at
// the end costs one pass and no memory. Written here because music-metadata reports MP4 length only for audio
// tracks and no picture size, and mp4box is a whole demuxer that throws on a track without a full sample table.
import { roundMs, type MediaFacts } from './media-facts.js';

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'mvex']);
const KEPT = new Set(['mvhd', 'mehd', 'tkhd', 'hdlr']);
/** Every field read from a kept box lies within its first bytes; the rest of the box is skipped. */
const KEPT_BYTES = 128;
/**
 * A real file has a few dozen boxes before its media data and a few hundred in its moov. A crafted one made of
 * 8-byte boxes would otherwise cost CPU for every 8 bytes of a 5 GiB upload.
 */
const MAX_BOXES = 10_000;
/** The 32- and 64-bit values of a duration that is not known. */
const UNKNOWN_32 = 0xffffffff;
const UNKNOWN_64 = 0xffffffffffffffffn;

interface Track {
  width?: number;
  height?: number;
  handler?: string;
}

export class Mp4FactsReader {
  private state: 'header' | 'kept' | 'skip' = 'header';
  /** Bytes the current state still needs. */
  private want = 8;
  private gathered: Buffer[] = [];
  private keptType = '';
  private keptRest = 0;
  private position = 0;
  private moovEnd = -1;
  private done = false;
  private boxes = 0;
  private timescale = 0;
  private duration = 0;
  private fragmentDuration = 0;
  /** Only the track being read and the first video track are kept, however many tracks a file claims. */
  private track: Track | null = null;
  private video: Track | null = null;

  get finished(): boolean {
    return this.done;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (!this.done && at < chunk.length) {
      const n = Math.min(this.want, chunk.length - at);
      if (this.state !== 'skip') this.gathered.push(chunk.subarray(at, at + n));
      at += n;
      this.position += n;
      this.want -= n;
      if (this.want === 0) this.advance();
    }
  }

  facts(): MediaFacts {
    this.settleTrack();
    const video = this.video;
    const length = this.duration > 0 ? this.duration : this.fragmentDuration;
    return {
      width: video?.width ?? null,
      height: video?.height ?? null,
      durationSeconds: this.timescale > 0 && length > 0 ? roundMs(length / this.timescale) : null,
    };
  }

  private advance(): void {
    const bytes = Buffer.concat(this.gathered);
    this.gathered = [];
    if (this.state === 'kept') {
      this.keep(this.keptType, bytes);
      this.skip(this.keptRest);
      return;
    }
    if (this.state === 'skip') {
      this.expectHeader();
      return;
    }
    const size32 = bytes.readUInt32BE(0);
    if (size32 === 1 && bytes.length === 8) {
      this.gathered = [bytes]; // a 64-bit size follows the type
      this.want = 8;
      return;
    }
    if (++this.boxes > MAX_BOXES) {
      this.done = true;
      return;
    }
    const type = bytes.toString('latin1', 4, 8);
    const size = size32 === 1 ? Number(bytes.readBigUInt64BE(8)) : size32 === 0 ? Infinity : size32;
    if (size < bytes.length) {
      this.done = true; // malformed: nothing after it can be trusted
      return;
    }
    const body = size - bytes.length;
    const inMoov = this.position < this.moovEnd;
    if (type === 'moov' && this.moovEnd < 0) {
      this.moovEnd = this.position + body;
      this.expectHeader();
    } else if (inMoov && CONTAINERS.has(type)) {
      if (type === 'trak') {
        this.settleTrack();
        this.track = {};
      }
      this.expectHeader();
    } else if (inMoov && KEPT.has(type) && body < Infinity) {
      this.state = 'kept';
      this.keptType = type;
      this.want = Math.min(body, KEPT_BYTES);
      this.keptRest = body - this.want;
      if (this.want === 0) this.advance();
    } else {
      this.skip(body);
    }
  }

  private skip(bytes: number): void {
    if (bytes === Infinity) {
      this.done = true;
      return;
    }
    if (bytes === 0) {
      this.expectHeader();
      return;
    }
    this.state = 'skip';
    this.want = bytes;
  }

  private expectHeader(): void {
    if (this.moovEnd >= 0 && this.position >= this.moovEnd) {
      this.done = true; // everything wanted lives in moov
      return;
    }
    this.state = 'header';
    this.want = 8;
  }

  private settleTrack(): void {
    const track = this.track;
    if (!this.video && track?.handler === 'vide' && track.width && track.height) this.video = track;
  }

  /** `box` is the body of a full box: version (1 byte), flags (3), then the fields. */
  private keep(type: string, box: Buffer): void {
    const v1 = box[0] === 1;
    const need = (n: number) => box.length >= n;
    const track = this.track;
    switch (type) {
      case 'mvhd':
        if (v1 && need(32)) {
          this.timescale = box.readUInt32BE(20);
          this.duration = knownDuration(box.readBigUInt64BE(24));
        } else if (!v1 && need(20)) {
          this.timescale = box.readUInt32BE(12);
          this.duration = knownDuration(box.readUInt32BE(16));
        }
        break;
      case 'mehd': // fragmented files: the length of all fragments, in the movie's timescale
        if (need(v1 ? 12 : 8)) this.fragmentDuration = knownDuration(v1 ? box.readBigUInt64BE(4) : box.readUInt32BE(4));
        break;
      case 'tkhd': {
        const matrix = v1 ? 52 : 40;
        if (!track || !need(matrix + 44)) break;
        const width = Math.round(box.readUInt32BE(matrix + 36) / 0x10000);
        const height = Math.round(box.readUInt32BE(matrix + 40) / 0x10000);
        // A quarter turn (phones filming upright) shows the picture with its sides swapped.
        const quarterTurn = box.readInt32BE(matrix) === 0 && box.readInt32BE(matrix + 16) === 0;
        track.width = quarterTurn ? height : width;
        track.height = quarterTurn ? width : height;
        break;
      }
      case 'hdlr':
        if (track && need(12)) track.handler = box.toString('latin1', 8, 12);
        break;
    }
  }
}

function knownDuration(value: number | bigint): number {
  return value === UNKNOWN_32 || value === UNKNOWN_64 ? 0 : Number(value);
}
