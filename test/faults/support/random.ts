// A small seeded generator, so a fault run's choices (flows, sizes, kill points) repeat with its seed; timing still
// differs from run to run.
import * as media from '../../support/media.js';

export type Random = () => number;

/** mulberry32: 32 bits of state, plenty for choosing test actions. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const between = (random: Random, low: number, high: number): number => Math.floor(low + random() * (high - low + 1));

/** A PNG `size` bytes long whose tail is random, so every file has its own SHA-256. */
export function pngOf(size: number): Buffer {
  const head = media.png();
  return Buffer.concat([head, media.randomBytes(Math.max(0, size - head.length))]);
}
