import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { mp3, mp4, padTo, png, sizedStream, text, webm } from '../../test/support/media.js';
import { AppError } from './errors.js';
import { UploadInspector } from './inspect.js';
import { SINGLE_UPLOAD_MIMES } from '../media/types.js';

/** A source of `chunks` chunks of 64 KiB after `head`, counting how many were pulled. */
function countingSource(head: Buffer, chunks: number) {
  const state = { pulled: 0 };
  const stream = new Readable({
    read() {
      if (state.pulled === 0) this.push(head);
      else if (state.pulled <= chunks) this.push(Buffer.alloc(64 * 1024));
      else this.push(null);
      state.pulled += 1;
    },
  });
  return { stream, state };
}

const sink = () => new Writable({ write(_chunk, _enc, cb) { cb(); } });
const inspector = (maxBytes = 10 * 1024 * 1024) => new UploadInspector({ maxBytes, accept: SINGLE_UPLOAD_MIMES, param: 'file' });

describe('UploadInspector', () => {
  it('passes every byte through and reports size, type and hash', async () => {
    const i = inspector();
    const { stream } = countingSource(png(), 3);
    await pipeline(stream, i, sink());
    const result = i.result();
    expect(result.sizeBytes).toBe(png().length + 3 * 64 * 1024);
    expect(result.media?.mime).toBe('image/png');
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an unsupported type after the first 64 KiB, not at the end', async () => {
    const { stream, state } = countingSource(text(), 1000);
    const failure = await pipeline(stream, inspector(), sink()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('unsupported_media_type');
    expect(state.pulled).toBeLessThan(20);
  });

  it('refuses the byte after the limit', async () => {
    const { stream, state } = countingSource(png(), 1000);
    const failure = await pipeline(stream, inspector(1024 * 1024), sink()).catch((e: unknown) => e);
    expect((failure as AppError).code).toBe('payload_too_large');
    expect(state.pulled).toBeLessThan(40);
  });

  describe('facts from the bytes', () => {
    const inspect = async (bytes: Buffer, exactBytes?: number) => {
      const i = new UploadInspector({ maxBytes: 64 * 1024 * 1024, accept: SINGLE_UPLOAD_MIMES, param: 'file', exactBytes });
      await pipeline(sizedStream(bytes, bytes.length), i, sink());
      return i.result().facts;
    };

    it('reads the length of MP3 audio, whether or not its size was known up front', async () => {
      const file = mp3({ frames: 40, id3: true }); // 40 × 1152 samples at 44.1 kHz
      expect(await inspect(file)).toEqual({ width: null, height: null, durationSeconds: 1.045 });
      expect(await inspect(file, file.length)).toEqual({ width: null, height: null, durationSeconds: 1.045 });
    });

    it('reads the size and length of WebM video', async () => {
      const file = webm({ durationSeconds: 2.5, video: { width: 320, height: 240 } });
      expect(await inspect(file)).toEqual({ width: 320, height: 240, durationSeconds: 2.5 });
    });

    it('reads the size and length of an MP4 whose moov comes after 20 MiB of media data', async () => {
      const file = mp4({ video: { width: 1280, height: 720 }, durationSeconds: 12.5, moovLast: true, mdatBytes: 20 * 1024 * 1024 });
      expect(await inspect(file)).toEqual({ width: 1280, height: 720, durationSeconds: 12.5 });
    });

    it('keeps what a damaged file\'s head said, and never fails the upload over it', async () => {
      const file = webm({ durationSeconds: 2.5, video: { width: 320, height: 240 } });
      const facts = { width: 320, height: 240, durationSeconds: 2.5 };
      // Cut short inside Tracks: the Info before it still gives the length.
      expect(await inspect(file.subarray(0, file.length - 1))).toEqual({ width: null, height: null, durationSeconds: 2.5 });
      expect(await inspect(padTo(file, file.length + 1024 * 1024))).toEqual(facts); // followed by junk
      expect(await inspect(webm())).toEqual({ width: null, height: null, durationSeconds: null }); // says nothing
    });

    it('reads an MP3 behind an ID3 tag larger than what the parser is given (cover art)', async () => {
      const tag = 5 * 1024 * 1024;
      const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, (tag >> 21) & 0x7f, (tag >> 14) & 0x7f, (tag >> 7) & 0x7f, tag & 0x7f]);
      const file = Buffer.concat([header, Buffer.alloc(tag), mp3({ frames: 2000 })]); // zeros are ID3 padding
      expect(await inspect(file)).toEqual({ width: null, height: null, durationSeconds: 52.245 });
    });

    it('works out a constant-bit-rate MP3\'s length from its size, without reading past its head', async () => {
      const frames = 100_000; // 41.8 MB of frames: 2612.245 s
      const file = mp3({ frames, id3: true });
      expect(await inspect(file)).toEqual({ width: null, height: null, durationSeconds: Math.round((frames * 1152 / 44100) * 1000) / 1000 });
    });
  });
});
