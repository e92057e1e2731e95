// The ObjectStorage contract on a real S3-compatible server (Ceph RGW from scripts/services-up.sh), plus what only S3
// has: genuine presigned PUTs with the size and type signed in.
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../../src/storage/s3/s3-storage.js';
import { freshBucket, s3Available, services, testS3Client } from '../support/backends.js';
import { putBytes } from '../support/put.js';
import { runObjectStorageContract } from './object-storage.case.js';

const required = process.env.ASSETD_TEST_REQUIRE_SERVICES === '1';

async function openOn(bucket: string, prefix = 'contract/'): Promise<S3Storage> {
  return S3Storage.open({
    bucket,
    prefix,
    region: 'us-east-1',
    endpoint: services.s3Endpoint,
    accessKeyId: services.s3AccessKeyId,
    secretAccessKey: services.s3SecretAccessKey,
    forcePathStyle: true,
  });
}

if (s3Available) {
  const buckets: string[] = [];
  runObjectStorageContract({
    name: 'S3 (Ceph RGW)',
    create: async () => {
      const bucket = await freshBucket();
      buckets.push(bucket);
      const storage = await openOn(bucket);
      return {
        port: storage,
        close: () => storage.close(),
        pendingWrites: async () => {
          const client = testS3Client();
          try {
            const listing = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
            return (listing.Uploads ?? []).length;
          } finally {
            client.destroy();
          }
        },
        abandonWrite: async () => {
          const client = testS3Client();
          try {
            await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'contract/killed-write' }));
          } finally {
            client.destroy();
          }
        },
      };
    },
  });

  describe('S3 presigned PUT', () => {
    let storage: S3Storage;
    beforeAll(async () => {
      storage = await openOn(await freshBucket());
    });
    afterAll(async () => {
      await storage.close();
    });

    it('takes exactly the signed size and type, and nothing else', async () => {
      const bytes = Buffer.from('exactly twenty bytes');
      const target = await storage.presignPut({
        key: 'uploads/presigned',
        sizeBytes: bytes.length,
        contentType: 'image/png',
        sha256: null,
        expiresAt: new Date(Date.now() + 60_000),
      });
      expect(target.headers).toEqual({ 'content-type': 'image/png' });
      expect((await putBytes(target.url, target.headers, Buffer.concat([bytes, Buffer.from('!')]))).status).toBe(403);
      expect((await putBytes(target.url, { 'Content-Type': 'image/jpeg' }, bytes)).status).toBe(403);
      expect(await storage.stat('uploads/presigned')).toBeNull();
      expect((await putBytes(target.url, target.headers, bytes)).status).toBe(200);
      expect(await storage.stat('uploads/presigned')).toEqual({ sizeBytes: bytes.length });
    });

    it('signs a checksum header in when one is given', async () => {
      const sha256 = 'ab'.repeat(32);
      const target = await storage.presignPut({
        key: 'uploads/checksummed',
        sizeBytes: 4,
        contentType: 'image/png',
        sha256,
        expiresAt: new Date(Date.now() + 60_000),
      });
      expect(target.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256, 'hex').toString('base64'));
      expect(new URL(target.url).searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-checksum-sha256');
      // Without the signed header the store refuses the PUT.
      expect((await putBytes(target.url, { 'Content-Type': 'image/png' }, Buffer.from('abcd'))).status).toBe(403);
    });
  });

  describe('S3 streamed writes', () => {
    let proxy: http.Server;
    let failedOnce = 0;
    let partTwoTries = 0;
    beforeAll(async () => {
      // Between assetd and the RGW: forwards every request as it is (the signature covers the Host header, which is
      // passed on), except the first try of part 2, whose bytes it reads and then answers 500 as a busy store would.
      const store = new URL(services.s3Endpoint!);
      proxy = http.createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://proxy');
        if (request.method === 'PUT' && url.searchParams.get('partNumber') === '2') {
          partTwoTries += 1;
          if (failedOnce === 0) {
            failedOnce += 1;
            request.resume();
            request.on('end', () => {
              response.writeHead(500, { 'content-type': 'application/xml' });
              response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>');
            });
            return;
          }
        }
        const forwarded = http.request(
          { host: store.hostname, port: store.port, method: request.method, path: request.url, headers: request.headers },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        forwarded.on('error', () => response.destroy());
        request.pipe(forwarded);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    });

    it('sends a streamed part that the store failed once again from the bytes it held, and the object is whole', async () => {
      const bucket = await freshBucket();
      const { port } = proxy.address() as AddressInfo;
      const storage = await S3Storage.open({
        bucket,
        prefix: '',
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        accessKeyId: services.s3AccessKeyId,
        secretAccessKey: services.s3SecretAccessKey,
        forcePathStyle: true,
      });
      try {
        const MiB = 1024 * 1024;
        const bytes = Buffer.alloc(20 * MiB);
        for (let i = 0; i < bytes.length; i += 1009) bytes[i] = i % 253;
        const chunks = Array.from({ length: 20 }, (_, i) => bytes.subarray(i * MiB, (i + 1) * MiB));
        const info = await storage.write({ key: 'streamed', body: Readable.from(chunks, { objectMode: false }), contentType: 'application/octet-stream' });
        expect(info.sizeBytes).toBe(bytes.length);
        expect(failedOnce).toBe(1);
        expect(partTwoTries).toBe(2);
        expect((await buffer((await storage.read({ key: 'streamed' }))!)).equals(bytes)).toBe(true);
      } finally {
        await storage.close();
      }
    });
  });

  afterAll(async () => {
    // Multipart uploads left by a failing test would only cost memory in the throwaway server; abort them anyway.
    const client = testS3Client();
    try {
      for (const bucket of buckets) {
        const listing = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
        for (const u of listing.Uploads ?? []) {
          await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId })).catch(() => {});
        }
      }
    } finally {
      client.destroy();
    }
  });
} else {
  describe('ObjectStorage contract: S3', () => {
    it.skipIf(!required)('needs ASSETD_TEST_S3_* (scripts/services-up.sh)', () => {
      throw new Error('ASSETD_TEST_REQUIRE_SERVICES=1 but the S3 server is not configured');
    });
  });
}
