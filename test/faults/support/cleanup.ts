// What a fault test leaves on the shared servers, removed: its bucket's objects, unfinished multipart uploads and
// the bucket itself. The kill test alone writes hundreds of MiB, and the test Ceph keeps everything in memory.
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { services } from '../../support/backends.js';

/** Empties and removes the bucket these ASSETD_* settings name, if any (on the store they name). */
export async function dropBucket(backend: Record<string, string> | undefined): Promise<void> {
  const bucket = backend?.ASSETD_S3_BUCKET;
  if (!bucket) return;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: backend.ASSETD_S3_ENDPOINT ?? services.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: services.s3AccessKeyId!, secretAccessKey: services.s3SecretAccessKey! },
  });
  try {
    for (;;) {
      const listing = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listing.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    }
    const uploads = (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
    for (const { Key, UploadId } of uploads) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}
