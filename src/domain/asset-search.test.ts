import { describe, expect, it } from 'vitest';
import { orientationOf, scoreOf } from './asset-search.js';
import type { Asset } from './ports/index.js';

const image = (filename: string | null, width: number | null = null, height: number | null = null): Asset => ({
  assetId: 'asset_x',
  tenant: 't',
  status: 'completed',
  mimeType: 'image/png',
  sizeBytes: 1,
  sha256: null,
  filename,
  storageKey: 'k',
  urlToken: 'u',
  createdAt: new Date(0),
  completedAt: new Date(0),
  declaredSha256: null,
  expiresAt: null,
  batchId: null,
  failureCode: null,
  failureMessage: null,
  width,
  height,
  durationSeconds: null,
  receipt: null,
});

describe('asset search scoring', () => {
  it('ranks a name holding the whole query above one holding its words, above facts alone', () => {
    const whole = scoreOf(image('red-sunset-beach.png'), 'sunset beach');
    const words = scoreOf(image('beach at sunset.png'), 'sunset beach');
    const fact = scoreOf(image('IMG_0001.png', 300, 100), 'landscape');
    expect(whole).toBeGreaterThan(words);
    expect(words).toBeGreaterThan(fact);
    expect(fact).toBeGreaterThan(0);
  });

  it('matches name words by prefix, case-insensitively, and finds nothing for unrelated words', () => {
    expect(scoreOf(image('Sunsets.png'), 'sun')).toBeGreaterThan(0);
    expect(scoreOf(image('logo.png'), 'sunset')).toBe(0);
    expect(scoreOf(image(null), 'sunset')).toBe(0);
    expect(scoreOf(image('logo.png'), '  ')).toBe(0);
  });

  it('matches the format and the pixel size among the facts', () => {
    expect(scoreOf(image('a.bin', 1920, 1080), 'png')).toBe(1);
    expect(scoreOf(image('a.bin', 1920, 1080), '1920x1080')).toBe(1);
  });

  it('tells the orientation from the sides, null when unknown', () => {
    expect(orientationOf(image('a', 2, 1))).toBe('landscape');
    expect(orientationOf(image('a', 1, 2))).toBe('portrait');
    expect(orientationOf(image('a', 5, 5))).toBe('square');
    expect(orientationOf(image('a'))).toBeNull();
  });
});
