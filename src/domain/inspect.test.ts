import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { png, text } from '../../test/support/media.js';
import { AppError } from './errors.js';
import { UploadInspector } from './inspect.js';
import { SINGLE_UPLOAD_MIMES } from './media.js';

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
});
