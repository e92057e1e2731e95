import { describe, it, expect } from 'vitest';
import { fileTypeFromBuffer, fileTypeFromStream } from 'file-type';
import { jpeg, mp3, mp4, padTo, pdf, png, randomBytes, sizedStream, text, wav, webm, zip } from './media.js';

const mimeOf = async (buf: Buffer) => (await fileTypeFromBuffer(buf))?.mime;

// Each builder and the MIME file-type@21 reports for it.
const cases: [string, () => Buffer, string][] = [
  ['png', () => png(), 'image/png'],
  ['png 7x3', () => png({ width: 7, height: 3 }), 'image/png'],
  ['jpeg', jpeg, 'image/jpeg'],
  ['wav', () => wav(), 'audio/wav'], // observed: file-type 21.3.4 says 'audio/wav' (not 'audio/vnd.wave')
  ['wav 1000 samples', () => wav({ samples: 1000 }), 'audio/wav'],
  ['mp3', () => mp3(), 'audio/mpeg'],
  ['mp3 with id3', () => mp3({ id3: true }), 'audio/mpeg'],
  ['mp4', mp4, 'video/mp4'],
  ['webm', webm, 'video/webm'],
  ['pdf', pdf, 'application/pdf'],
  ['zip', zip, 'application/zip'],
];

describe('media builders', () => {
  it.each(cases)('%s is detected as %s', async (_name, build, mime) => {
    expect(await mimeOf(build())).toBe(mime);
  });

  it.each(cases)('padTo keeps %s detected as %s', async (_name, build, mime) => {
    const padded = padTo(build(), 100_000);
    expect(padded.length).toBe(100_000);
    expect(await mimeOf(padded)).toBe(mime);
  });

  it('builds exact structural sizes', () => {
    expect(wav({ samples: 10 }).length).toBe(44 + 20);
    expect(mp3().length).toBe(417 + 418 + 418); // the padding bit keeps the average at 417.96 bytes
    expect(mp3({ id3: true }).subarray(0, 3).toString()).toBe('ID3');
    expect(png().subarray(1, 4).toString()).toBe('PNG');
  });

  it('text and randomBytes are not detected', async () => {
    expect(await mimeOf(text())).toBeUndefined();
    for (let i = 0; i < 2000; i++) {
      const n = i % 2 ? 1024 : 1 + (i % 400);
      expect(await mimeOf(randomBytes(n))).toBeUndefined();
    }
  });

  it('padTo refuses to truncate', () => {
    expect(() => padTo(png(), 10)).toThrow(RangeError);
  });
});

describe('sizedStream', () => {
  it('yields exactly totalSize bytes, head first, in chunks of at most 64 KiB', async () => {
    const head = png();
    const total = 32 * 1024 * 1024 + 1;
    let size = 0;
    let maxChunk = 0;
    let first: Buffer | undefined;
    for await (const chunk of sizedStream(head, total) as AsyncIterable<Buffer>) {
      first ??= chunk;
      size += chunk.length;
      maxChunk = Math.max(maxChunk, chunk.length);
    }
    expect(size).toBe(total);
    expect(maxChunk).toBeLessThanOrEqual(64 * 1024);
    expect(first?.equals(head)).toBe(true);
  });

  it('sniffs as the head type', async () => {
    expect((await fileTypeFromStream(sizedStream(mp4(), 1024 * 1024)))?.mime).toBe('video/mp4');
  });
});
