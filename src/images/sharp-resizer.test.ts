// The sharp adapter on its own: sizes, formats, no enlargement, and its two refusals (too many pixels, bytes that do
// not decode) as ImageRefused, while a failing input stream is passed on as it is.
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageRefused } from '../domain/ports/index.js';
import * as media from '../../test/support/media.js';
import { SharpResizer } from './sharp-resizer.js';

const resizer = new SharpResizer();
const input = (bytes: Buffer) => Readable.from([bytes]);

describe('SharpResizer', () => {
  it('shrinks to the width in the format asked for, keeping the aspect ratio', async () => {
    for (const format of ['webp', 'jpeg', 'png'] as const) {
      const out = await resizer.resize({ input: input(media.png({ width: 300, height: 200 })), width: 150, format, maxInputPixels: 1e6 });
      expect(out).toMatchObject({ width: 150, height: 100 });
      expect((await sharp(out.bytes).metadata()).format).toBe(format);
    }
  });

  it('never enlarges a smaller image', async () => {
    const out = await resizer.resize({ input: input(media.jpeg()), width: 512, format: 'jpeg', maxInputPixels: 1e6 });
    expect(out).toMatchObject({ width: 1, height: 1 });
  });

  it('refuses an image that declares more pixels than allowed before decoding it, and bytes that do not decode', async () => {
    const bomb = await resizer.resize({ input: input(media.pngBomb(30_000, 30_000)), width: 64, format: 'webp', maxInputPixels: 64 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(bomb).toBeInstanceOf(ImageRefused);
    expect(bomb).toMatchObject({ reason: 'too_many_pixels' });
    const broken = await resizer.resize({ input: input(media.png().subarray(0, 40)), width: 64, format: 'webp', maxInputPixels: 1e6 }).catch((e: unknown) => e);
    expect(broken).toMatchObject({ reason: 'undecodable' });
  });

  it('passes a failing input on as it is: the storage\'s fault is not the image\'s', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('storage went away')); } });
    const error = await resizer.resize({ input: failing, width: 64, format: 'webp', maxInputPixels: 1e6 }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ImageRefused);
    expect((error as Error).message).toBe('storage went away');
  });
});
