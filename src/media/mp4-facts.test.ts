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

  it('keeps the length of a version-1 movie longer than 2^32 ticks', () => {
    expect(read(media.mp4({ durationSeconds: 5_000_000, version1: true })).facts.durationSeconds).toBe(5_000_000);
  });

  it('takes the first video track, after an audio track', () => {
    const file = media.mp4({ video: { width: 800, height: 600 }, durationSeconds: 1 });
    const hdlrAudio = Buffer.concat([u32(0), Buffer.from('soun'), Buffer.alloc(12), Buffer.from('sound\0')]);
    const box = (type: string, ...payload: Buffer[]) => { const body = Buffer.concat(payload); return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]); };
    const audioTrak = box('trak', box('mdia', box('hdlr', Buffer.alloc(4), hdlrAudio)));
    const moovAt = file.indexOf('moov') - 4;
    const moov = file.subarray(moovAt, moovAt + file.readUInt32BE(moovAt));
    const mvhdLength = moov.readUInt32BE(8);
    const withAudioFirst = box('moov', moov.subarray(8, 8 + mvhdLength), audioTrak, moov.subarray(8 + mvhdLength));
    expect(read(Buffer.concat([ftyp(), withAudioFirst])).facts).toEqual({ width: 800, height: 600, durationSeconds: 1 });
  });

  it('stops after 10,000 boxes, so a file of tiny boxes costs neither memory nor time', () => {
    const tinyTraks = Buffer.concat(Array.from({ length: 20_000 }, () => Buffer.concat([u32(8), Buffer.from('trak')])));
    const moov = Buffer.concat([u32(0), Buffer.from('moov'), tinyTraks]); // size 0: runs to the end of the file
    expect(read(Buffer.concat([ftyp(), moov]), 4096)).toEqual({ facts: { width: null, height: null, durationSeconds: null }, finished: true });
  });
});
