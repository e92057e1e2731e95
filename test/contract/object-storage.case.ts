// The ObjectStorage contract: every storage adapter (local disk, S3) runs this same block.
import { PassThrough, Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { ObjectStorage } from '../../src/domain/ports/index.js';
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { putBytes } from '../support/put.js';
import { eventually } from '../support/server.js';
import { declareCases, type ContractOptions, type Subject } from './fixtures.js';

export interface ObjectStorageSubject extends Subject<ObjectStorage> {
  /** Whatever the adapter keeps while a write is in flight (temp files, multipart uploads): must be 0 after. */
  pendingWrites(): Promise<number>;
  /** Leaves what a killed process would (a temp file, an unfinished multipart upload). */
  abandonWrite(): Promise<void>;
}

let counter = 0;
const freshKey = () => `contract/${Date.now().toString(36)}-${(counter += 1)}`;

function failingBody(goodBytes: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(goodBytes, 7));
      } else {
        this.destroy(new Error('source broke'));
      }
    },
  });
}

export function runObjectStorageContract({ name, create, skip }: ContractOptions<ObjectStorageSubject>): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let subject: ObjectStorageSubject;
    let storage: ObjectStorage;
    beforeAll(async () => {
      subject = await create();
      storage = subject.port;
    });
    afterAll(async () => {
      await subject?.close();
    });

    const write = (key: string, body: Buffer | Readable) =>
      storage.write({ key, body: body instanceof Readable ? body : Readable.from([body]), contentType: 'application/octet-stream' });

    declareCases(`ObjectStorage contract: ${name}`, skip, (contractCase) => {
      contractCase('writes, stats, reads whole and by range, and deletes', async () => {
        const key = freshKey();
        const info = await write(key, Buffer.from('0123456789'));
        expect(info.sizeBytes).toBe(10);
        expect(await storage.stat(key)).toEqual({ sizeBytes: 10 });
        expect(await text((await storage.read({ key }))!)).toBe('0123456789');
        expect(await text((await storage.read({ key, range: { start: 2, end: 5 } }))!)).toBe('2345');
        await storage.delete(key);
        expect(await storage.stat(key)).toBeNull();
        expect(await storage.read({ key })).toBeNull();
      });

      contractCase('moves an object to another key, and says when there is nothing to move', async () => {
        const from = freshKey();
        const to = `${freshKey()}/moved`;
        await write(from, Buffer.from('moving'));
        expect(await storage.move({ from, to })).toBe(true);
        expect(await storage.stat(from)).toBeNull();
        expect(await text((await storage.read({ key: to }))!)).toBe('moving');
        expect(await storage.move({ from, to })).toBe(false);
        expect(await text((await storage.read({ key: to }))!)).toBe('moving');
        await storage.delete(to);
      });

      contractCase('moves an object while streaming the bytes it moves (stores whose move copies)', async () => {
        const from = freshKey();
        const to = `${freshKey()}/moved`;
        const bytes = Buffer.alloc(3 * 1024 * 1024, 5);
        bytes.write('the very bytes moved');
        await write(from, bytes);
        const reading = await storage.moveReading!({ from, to });
        expect(reading!.sizeBytes).toBe(bytes.length);
        const read = await buffer(reading!.body);
        expect(read.equals(bytes)).toBe(true);
        expect(await reading!.moved()).toBe(true);
        expect(await storage.stat(from)).toBeNull();
        const atTarget = await buffer((await storage.read({ key: to }))!);
        expect(atTarget.equals(bytes)).toBe(true);
        // Nothing left to move: null, and the moved object stays.
        expect(await storage.moveReading!({ from, to })).toBeNull();
        expect(await storage.stat(to)).toEqual({ sizeBytes: bytes.length });
        await storage.delete(to);
      });

      contractCase('a move whose reader gave up early still completes the copy of what it read', async () => {
        const from = freshKey();
        const to = `${freshKey()}/moved`;
        await write(from, Buffer.alloc(2 * 1024 * 1024, 9));
        const reading = await storage.moveReading!({ from, to });
        reading!.body.destroy();
        expect(await reading!.moved()).toBe(true);
        expect(await storage.stat(to)).toEqual({ sizeBytes: 2 * 1024 * 1024 });
        expect(await storage.stat(from)).toBeNull();
        await storage.delete(to);
      });

      contractCase('treats deleting a missing object as done', async () => {
        await expect(storage.delete(freshKey())).resolves.toBeUndefined();
      });

      contractCase('leaves nothing when the body fails part-way', async () => {
        const key = freshKey();
        await expect(write(key, failingBody(256 * 1024))).rejects.toThrow('source broke');
        expect(await storage.stat(key)).toBeNull();
        expect(await subject.pendingWrites()).toBe(0);
      });

      contractCase('leaves nothing when bodies fail before their first byte, many at once', async () => {
        // The failure can come while the adapter is still setting its write up (a temp file being opened).
        const broken = () => new Readable({ read() { this.destroy(new Error('refused at once')); } });
        for (let round = 0; round < 5; round++) {
          const keys = Array.from({ length: 200 }, freshKey);
          const results = await Promise.allSettled(keys.map((key) => write(key, broken())));
          expect(results.every((r) => r.status === 'rejected')).toBe(true);
          expect(await storage.stat(keys[0]!)).toBeNull();
          // A write that gave up too early would see its temp file appear only after this pause.
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(await subject.pendingWrites()).toBe(0);
        }
      });

      contractCase('writes bodies of any length byte for byte, in chunks that straddle part boundaries', async () => {
        // Around 8 MiB, the part size of S3 writes: a body ending inside a streamed part has that part sent again.
        const MiB = 1024 * 1024;
        for (const size of [0, 1, 8 * MiB - 1, 8 * MiB + 1, 16 * MiB, 17 * MiB + 3]) {
          const key = freshKey();
          const bytes = Buffer.alloc(size);
          for (let i = 0; i < size; i += 4093) bytes[i] = (i / 4093) % 251;
          // Odd chunk sizes, so chunks are split at part boundaries.
          const chunks = Array.from({ length: Math.ceil(size / (MiB + 7)) }, (_, i) => bytes.subarray(i * (MiB + 7), (i + 1) * (MiB + 7)));
          expect((await write(key, Readable.from(chunks, { objectMode: false }))).sizeBytes).toBe(size);
          const back = await buffer((await storage.read({ key }))!);
          expect(back.length).toBe(size);
          expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
          await storage.delete(key);
        }
        expect(await subject.pendingWrites()).toBe(0);
      });

      contractCase('leaves nothing when the body fails after several parts', async () => {
        const key = freshKey();
        await expect(write(key, failingBody(20 * 1024 * 1024))).rejects.toThrow('source broke');
        expect(await storage.stat(key)).toBeNull();
        expect(await subject.pendingWrites()).toBe(0);
      });

      contractCase('keeps the previous object whole when a replacing write fails', async () => {
        const key = freshKey();
        await write(key, Buffer.from('first version'));
        await expect(write(key, failingBody(1024))).rejects.toThrow();
        expect(await text((await storage.read({ key }))!)).toBe('first version');
        await storage.delete(key);
      });

      contractCase('stops and leaves nothing when the signal aborts', async () => {
        const key = freshKey();
        const controller = new AbortController();
        const endless = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
        const writing = storage.write({ key, body: endless, contentType: 'application/octet-stream', signal: controller.signal });
        setTimeout(() => controller.abort(), 20);
        await expect(writing).rejects.toThrow();
        expect(await storage.stat(key)).toBeNull();
        expect(await subject.pendingWrites()).toBe(0);
      });

      contractCase('refuses keys that could escape the store', async () => {
        await expect(write('../escape', Buffer.from('x'))).rejects.toThrow();
        await expect(storage.stat('a/../../b')).rejects.toThrow();
      });

      contractCase('removes writes a killed process abandoned', async () => {
        await subject.abandonWrite();
        expect(await subject.pendingWrites()).toBeGreaterThanOrEqual(1);
        expect(await storage.removeAbandonedWrites(0)).toBeGreaterThanOrEqual(1);
        expect(await subject.pendingWrites()).toBe(0);
      });

      contractCase('never removes a write still under way, however long its body pauses', async () => {
        const key = freshKey();
        const body = new PassThrough();
        const writing = storage.write({ key, body, contentType: 'application/octet-stream' });
        // S3's multipart upload starts with its first part: send one, then pause.
        body.write(Buffer.alloc(9 * 1024 * 1024, 1));
        await eventually(async () => (await subject.pendingWrites()) >= 1);
        await storage.removeAbandonedWrites(0);
        body.end(Buffer.from('end'));
        expect((await writing).sizeBytes).toBe(9 * 1024 * 1024 + 3);
        expect(await storage.stat(key)).toEqual({ sizeBytes: 9 * 1024 * 1024 + 3 });
        await storage.delete(key);
      });

      contractCase('lists the objects under a prefix, with when each was written', async () => {
        const prefix = `${freshKey()}/`;
        const before = Date.now() - 1000;
        await write(`${prefix}a`, Buffer.from('a'));
        await write(`${prefix}sub/b`, Buffer.from('b'));
        await write(`${prefix.slice(0, -1)}-sibling`, Buffer.from('c'));
        const listed = [];
        for await (const object of storage.list(prefix)) listed.push(object);
        expect(listed.map((o) => o.key).sort()).toEqual([`${prefix}a`, `${prefix}sub/b`]);
        for (const object of listed) {
          expect(object.modifiedAt.getTime()).toBeGreaterThanOrEqual(before);
          expect(object.modifiedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
        }
        await storage.delete(`${prefix}a`);
        const after = [];
        for await (const object of storage.list(prefix)) after.push(object.key);
        expect(after).toEqual([`${prefix}sub/b`]);
        const none = [];
        for await (const object of storage.list('no-such-prefix/')) none.push(object);
        expect(none).toEqual([]);
      });

      // Multipart: S3's rules (every part but the last at least 5 MiB) hold for every backend.
      const MiB = 1024 * 1024;
      const partOf = (fill: number, size = 5 * MiB) => Buffer.alloc(size, fill);
      const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      const writePart = (key: string, uploadId: string, partNumber: number, bytes: Buffer) =>
        storage.multipart.writePart({ key, uploadId, partNumber, body: Readable.from([bytes]), sizeBytes: bytes.length });

      contractCase('assembles a multipart upload from parts written out of order, the last write of a part winning', async () => {
        const key = freshKey();
        const { uploadId } = await storage.multipart.create({ key, contentType: 'video/mp4' });
        const [one, two, three, twoAgain] = [partOf(1), partOf(2), partOf(3, 1000), partOf(4)];
        await writePart(key, uploadId, 3, three);
        await writePart(key, uploadId, 1, one);
        await writePart(key, uploadId, 2, two);
        const replaced = await writePart(key, uploadId, 2, twoAgain);
        expect(replaced).toMatchObject({ partNumber: 2, sizeBytes: 5 * MiB });
        expect(await storage.stat(key)).toBeNull();
        const parts = (await storage.multipart.listParts({ key, uploadId }))!;
        expect(parts.map((p) => [p.partNumber, p.sizeBytes])).toEqual([[1, 5 * MiB], [2, 5 * MiB], [3, 1000]]);
        expect(parts[1]!.etag).toBe(replaced.etag);
        const whole = Buffer.concat([one, twoAgain, three]);
        const seen = createHash('sha256');
        const observe = () => new Transform({ transform(chunk: Buffer, _e, done) { seen.update(chunk); done(null, chunk); } });
        expect(await storage.multipart.complete({ key, uploadId, parts, observe })).toEqual({ sizeBytes: whole.length });
        const stored = await (await storage.read({ key }))!.toArray();
        expect(sha(Buffer.concat(stored))).toBe(sha(whole));
        expect(await storage.multipart.listParts({ key, uploadId })).toBeNull();
        expect(await subject.pendingWrites()).toBe(0);
        await storage.delete(key);
      });

      contractCase('takes parts with their SHA-256 on an upload opened for part checksums', async () => {
        const key = freshKey();
        const { uploadId } = await storage.multipart.create({ key, contentType: 'video/mp4', partChecksums: true });
        const [one, two] = [partOf(10), partOf(11, 500)];
        for (const [n, bytes] of [[1, one], [2, two]] as const) {
          const part = await storage.multipart.writePart({ key, uploadId, partNumber: n, body: Readable.from([bytes]), sizeBytes: bytes.length, sha256: sha(bytes) });
          // Kept by stores that check part checksums (assetd's disk; S3 with flexible checksums), else null.
          if (part.sha256 !== null) expect(part.sha256).toBe(sha(bytes));
        }
        const parts = (await storage.multipart.listParts({ key, uploadId }))!;
        await storage.multipart.complete({ key, uploadId, parts });
        expect(sha(Buffer.concat(await (await storage.read({ key }))!.toArray()))).toBe(sha(Buffer.concat([one, two])));
        await storage.delete(key);
      });

      contractCase('refuses a part of the wrong length and keeps nothing of it', async () => {
        const key = freshKey();
        const { uploadId } = await storage.multipart.create({ key, contentType: 'video/mp4' });
        const long = Readable.from([partOf(5, 2000)]);
        await expect(storage.multipart.writePart({ key, uploadId, partNumber: 1, body: long, sizeBytes: 1000 })).rejects.toThrow();
        expect(await storage.multipart.listParts({ key, uploadId })).toEqual([]);
        await storage.multipart.abort({ key, uploadId });
      });

      contractCase('aborts a multipart upload and frees every part', async () => {
        const key = freshKey();
        const { uploadId } = await storage.multipart.create({ key, contentType: 'video/mp4' });
        await writePart(key, uploadId, 1, partOf(6));
        await writePart(key, uploadId, 2, partOf(7, 10));
        expect(await subject.pendingWrites()).toBeGreaterThanOrEqual(1);
        await storage.multipart.abort({ key, uploadId });
        expect(await storage.multipart.listParts({ key, uploadId })).toBeNull();
        expect(await storage.stat(key)).toBeNull();
        expect(await subject.pendingWrites()).toBe(0);
        await expect(storage.multipart.abort({ key, uploadId })).resolves.toBeUndefined();
      });

      contractCase('keeps the multipart uploads still claimed when removing abandoned writes, and removes the rest', async () => {
        const kept = freshKey();
        const dropped = freshKey();
        const a = await storage.multipart.create({ key: kept, contentType: 'video/mp4' });
        const b = await storage.multipart.create({ key: dropped, contentType: 'video/mp4' });
        // A file's time can read a fraction of a millisecond past Date.now() (which drops it): let both be in the past.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await storage.removeAbandonedWrites(0, { spare: async (keys) => new Set(keys.filter((k) => k === kept)) });
        expect(await storage.multipart.listParts({ key: kept, uploadId: a.uploadId })).toEqual([]);
        expect(await storage.multipart.listParts({ key: dropped, uploadId: b.uploadId })).toBeNull();
        await storage.multipart.abort({ key: kept, uploadId: a.uploadId });
        expect(await subject.pendingWrites()).toBe(0);
      });

      contractCase('presigns part URLs with the exact size signed in', async () => {
        const presign = storage.multipart.presignPart!;
        const key = freshKey();
        const { uploadId } = await storage.multipart.create({ key, contentType: 'video/mp4' });
        const expiresAt = new Date(Date.now() + 60_000);
        const [one, two] = [partOf(8), partOf(9, 100)];
        const second = await presign({ key, uploadId, partNumber: 2, sizeBytes: two.length, sha256: null, expiresAt });
        const first = await presign({ key, uploadId, partNumber: 1, sizeBytes: one.length, sha256: null, expiresAt });
        expect((await putBytes(second.url, second.headers, partOf(9, 101))).status).toBe(403);
        expect((await putBytes(second.url, second.headers, two)).status).toBe(200);
        expect((await putBytes(first.url, first.headers, one)).status).toBe(200);
        const parts = (await storage.multipart.listParts({ key, uploadId }))!;
        expect(parts.map((p) => p.sizeBytes)).toEqual([one.length, two.length]);
        await storage.multipart.complete({ key, uploadId, parts });
        expect(await storage.stat(key)).toEqual({ sizeBytes: one.length + two.length });
        await storage.delete(key);
      });

      contractCase('answers the health check', async () => {
        await expect(storage.check()).resolves.toBeUndefined();
      });
    });
  });
}
