// The scale-out services of `npm run bench`: the PostgreSQL and Ceph RGW that scripts/services-up.sh runs on loopback
// (their ASSETD_TEST_* settings from the environment, else from $ASSETD_SERVICES_DIR/env, /tmp/assetd-services/env by
// default). Each run gets fresh databases and buckets, dropped and emptied at the end.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import pg from 'pg';
import type { Fleet } from './fleet.js';

export interface Services {
  readonly databaseUrl: string;
  readonly s3Endpoint: string;
  readonly s3AccessKeyId: string;
  readonly s3SecretAccessKey: string;
}

const SERVICES_DIR = process.env.ASSETD_SERVICES_DIR ?? '/tmp/assetd-services';
const ENV_FILE = path.join(SERVICES_DIR, 'env');
const CEPH_CONF = path.join(SERVICES_DIR, 'ceph', 'ceph.conf');

/** The services' settings, or why there are none: from the environment first, then services-up.sh's env file. */
export function servicesSettings(): Services | string {
  const fromFile: Record<string, string> = {};
  if (existsSync(ENV_FILE)) {
    for (const match of readFileSync(ENV_FILE, 'utf8').matchAll(/^export (ASSETD_TEST_\w+)=(.*)$/gm)) fromFile[match[1]!] = match[2]!;
  }
  const get = (name: string) => process.env[name] || fromFile[name];
  const databaseUrl = get('ASSETD_TEST_DATABASE_URL');
  const s3Endpoint = get('ASSETD_TEST_S3_ENDPOINT');
  const s3AccessKeyId = get('ASSETD_TEST_S3_ACCESS_KEY_ID');
  const s3SecretAccessKey = get('ASSETD_TEST_S3_SECRET_ACCESS_KEY');
  if (!databaseUrl || !s3Endpoint || !s3AccessKeyId || !s3SecretAccessKey) {
    return `no ASSETD_TEST_* settings in the environment or ${ENV_FILE} (run \`npm run services\`)`;
  }
  for (const url of [databaseUrl, s3Endpoint]) {
    if (new URL(url).hostname !== '127.0.0.1') return `${new URL(url).host} is not on loopback`;
  }
  return { databaseUrl, s3Endpoint, s3AccessKeyId, s3SecretAccessKey };
}

export function s3Client(services: Services): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: services.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: services.s3AccessKeyId, secretAccessKey: services.s3SecretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Whether both services answer (within 5 s each); the reason when not. */
export async function probe(services: Services): Promise<string | null> {
  const admin = new pg.Client({ connectionString: services.databaseUrl, connectionTimeoutMillis: 5000 });
  const s3 = s3Client(services);
  try {
    await admin.connect();
    await admin.query('SELECT 1');
    await s3.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(5000) });
    return null;
  } catch (error) {
    return `the services do not answer: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await admin.end().catch(() => {});
    s3.destroy();
  }
}

/** A new, empty database on the services' cluster, dropped when the fleet closes; its URL. */
export async function freshDatabase(fleet: Fleet, services: Services): Promise<string> {
  const name = `assetd_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: services.databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  fleet.onClose(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(services.databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new bucket, emptied (objects and unfinished multipart uploads) and deleted when the fleet closes. */
export async function freshBucket(fleet: Fleet, services: Services): Promise<string> {
  const bucket = `assetd-bench-${randomBytes(6).toString('hex')}`;
  const s3 = s3Client(services);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  fleet.onClose(async () => {
    try {
      for (;;) {
        const { Contents = [], IsTruncated } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
        if (Contents.length > 0) {
          await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: Contents.map(({ Key }) => ({ Key })), Quiet: true } }));
        }
        if (!IsTruncated) break;
      }
      const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      for (const { Key, UploadId } of Uploads) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    } finally {
      s3.destroy();
    }
  });
  return bucket;
}

/**
 * Ceph RGW keeps a deleted object's bytes until its garbage collector gets to them (two hours by default), and the
 * store services-up.sh runs is 4 GiB of memory shared with every test suite: the large rows alone would fill it, and
 * a full OSD stalls every writer. So after each large S3 measurement the bench asks RGW to collect now, when
 * radosgw-admin and services-up.sh's ceph.conf are here (another S3 store needs nothing of the kind).
 */
export function collectGarbage(): void {
  if (!existsSync(CEPH_CONF)) return;
  const gc = spawnSync('radosgw-admin', ['-c', CEPH_CONF, 'gc', 'process', '--include-all'], { stdio: 'ignore', timeout: 120_000 });
  if (gc.error && (gc.error as NodeJS.ErrnoException).code !== 'ENOENT') throw gc.error;
}
