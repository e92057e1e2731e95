// The ObjectStorage contract on a real S3-compatible server (Ceph RGW from scripts/services-up.sh), plus what only S3
// has: genuine presigned PUTs with the size and type signed in.
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
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
