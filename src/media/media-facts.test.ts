import { describe, expect, it } from 'vitest';
import * as media from '../../test/support/media.js';
import { mediaFacts, plausibleFacts } from './media-facts.js';

describe('mediaFacts', () => {
  it('reads PNG and JPEG pixel sizes', () => {
    const png = media.png({ width: 3, height: 5 });
    expect(mediaFacts('image/png', png, png.length)).toEqual({ width: 3, height: 5, durationSeconds: null });
    const jpeg = media.jpeg();
    expect(mediaFacts('image/jpeg', jpeg, jpeg.length)).toEqual({ width: 1, height: 1, durationSeconds: null });
  });

  it('reads the length of PCM WAV audio', () => {
    const wav = media.wav({ samples: 12_000 }); // 8 kHz, 16-bit mono: 1.5 s
    expect(mediaFacts('audio/wav', wav, wav.length)).toEqual({ width: null, height: null, durationSeconds: 1.5 });
  });

  it('says nothing rather than guess', () => {
    expect(mediaFacts('video/mp4', media.mp4(), 100)).toEqual({ width: null, height: null, durationSeconds: null });
    expect(mediaFacts('image/png', Buffer.from('\x89PNG'), 4)).toEqual({ width: null, height: null, durationSeconds: null });
    expect(mediaFacts('image/jpeg', Buffer.from([0xff, 0xd8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0]), 11).width).toBeNull();
  });

  it('keeps only facts a record can hold', () => {
    expect(plausibleFacts({ width: 4294967295, height: 2 ** 31, durationSeconds: Infinity })).toEqual({ width: null, height: null, durationSeconds: null });
    expect(plausibleFacts({ width: 0, height: 1.5, durationSeconds: -1 })).toEqual({ width: null, height: null, durationSeconds: null });
    expect(plausibleFacts({ width: 2 ** 31 - 1, height: 1, durationSeconds: 0.001 })).toEqual({ width: 2 ** 31 - 1, height: 1, durationSeconds: 0.001 });
  });
});
