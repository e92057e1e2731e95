import { describe, expect, it } from 'vitest';
import * as media from '../../test/support/media.js';
import { Mp4FactsReader } from './mp4-facts.js';

function read(bytes: Buffer, chunkSize = 64 * 1024) {
  const reader = new Mp4FactsReader();
  for (let at = 0; at < bytes.length && !reader.finished; at += chunkSize) reader.push(bytes.subarray(at, at + chunkSize));
  return { facts: reader.facts(), finished: reader.finished };
}

const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const ftyp = () => { const file = media.mp4(); return file.subarray(0, file.readUInt32BE(0)); };

describe('Mp4FactsReader', () => {
  it('reads the length and the video track size from a moov at the front, and stops there', () => {
    const file = media.mp4({ video: { width: 640, height: 360 }, durationSeconds: 2.5, mdatBytes: 1000 });
    const moovEnd = file.indexOf('mdat') - 4;
    const reader = new Mp4FactsReader();
    reader.push(file.subarray(0, moovEnd));
    expect(reader.finished).toBe(true);
    expect(reader.facts()).toEqual({ width: 640, height: 360, durationSeconds: 2.5 });
  });

  it('counts past a large mdat to a moov at the end, whatever the chunking', () => {
    const file = media.mp4({ video: { width: 1920, height: 1080 }, durationSeconds: 61.25, moovLast: true, mdatBytes: 3_000_000 });
    for (const chunkSize of [7, 4096, 1024 * 1024]) {
      expect(read(file, chunkSize).facts).toEqual({ width: 1920, height: 1080, durationSeconds: 61.25 });
    }
    const small = media.mp4({ video: { width: 1920, height: 1080 }, durationSeconds: 61.25, moovLast: true, mdatBytes: 100 });
    expect(read(small, 1).facts).toEqual({ width: 1920, height: 1080, durationSeconds: 61.25 });
  });

  it('reads version-1 boxes and 64-bit box sizes', () => {
    const file = media.mp4({ video: { width: 320, height: 240 }, durationSeconds: 7200.5, version1: true, moovLast: true });
    const ftypEnd = file.readUInt32BE(0);
    const big = Buffer.alloc(16);
    big.writeUInt32BE(1, 0);
    big.write('mdat', 4, 'latin1');
    big.writeBigUInt64BE(16n + 100n, 8);
    const withLargeMdat = Buffer.concat([file.subarray(0, ftypEnd), big, Buffer.alloc(100), file.subarray(file.indexOf('moov') - 4)]);
    expect(read(withLargeMdat, 5).facts).toEqual({ width: 320, height: 240, durationSeconds: 7200.5 });
  });

  it('reports an upright phone video with its sides swapped', () => {
    expect(read(media.mp4({ video: { width: 1920, height: 1080, rotate90: true }, durationSeconds: 3 })).facts)
      .toEqual({ width: 1080, height: 1920, durationSeconds: 3 });
  });

  it('reports a length but no size for a file without a video track', () => {
    expect(read(media.mp4({ durationSeconds: 4 })).facts).toEqual({ width: null, height: null, durationSeconds: 4 });
    expect(read(media.mp4()).facts).toEqual({ width: null, height: null, durationSeconds: null });
  });

  it('gives up quietly on a box whose size is smaller than its header', () => {
    const broken = Buffer.concat([ftyp(), u32(3), Buffer.from('moov'), Buffer.alloc(64)]);
    expect(read(broken)).toEqual({ facts: { width: null, height: null, durationSeconds: null }, finished: true });
  });
});
