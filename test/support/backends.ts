// Which configuration the behavioural suites run in (ASSETD_TEST_CONFIG: sqlite-disk, the default; pg-disk; pg-s3),
// and per-test-server isolation on the shared servers: a fresh PostgreSQL database and a fresh bucket each.
// The servers themselves come from scripts/services-up.sh, which prints the ASSETD_TEST_* variables read here.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  CreateBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import pg from 'pg';

export type TestConfig = 'sqlite-disk' | 'pg-disk' | 'pg-s3';

export const TEST_CONFIG = (process.env.ASSETD_TEST_CONFIG ?? 'sqlite-disk') as TestConfig;
if (!['sqlite-disk', 'pg-disk', 'pg-s3'].includes(TEST_CONFIG)) throw new Error(`Unknown ASSETD_TEST_CONFIG ${TEST_CONFIG}`);

export const usesPostgres = TEST_CONFIG !== 'sqlite-disk';
export const usesS3 = TEST_CONFIG === 'pg-s3';

export const services = {
  databaseUrl: process.env.ASSETD_TEST_DATABASE_URL,
  s3Endpoint: process.env.ASSETD_TEST_S3_ENDPOINT,
  s3AccessKeyId: process.env.ASSETD_TEST_S3_ACCESS_KEY_ID,
  s3SecretAccessKey: process.env.ASSETD_TEST_S3_SECRET_ACCESS_KEY,
};
export const postgresAvailable = Boolean(services.databaseUrl);
export const s3Available = Boolean(services.s3Endpoint && services.s3AccessKeyId && services.s3SecretAccessKey);

function need(available: boolean, what: string): void {
  if (!available) throw new Error(`${what} is not configured: run scripts/services-up.sh and source its env (see README)`);
}

/** A new, empty database on the test cluster; returns its URL. */
export async function freshDatabaseUrl(): Promise<string> {
  need(postgresAvailable, 'PostgreSQL');
  const name = `assetd_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: services.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(services.databaseUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^assetd_t_[0-9a-f]+$/.test(name)) return;
  const admin = new pg.Client({ connectionString: services.databaseUrl });
  await admin.connect();
  try {
    // FORCE ends our own sessions, but not a backend of another role, such as an autovacuum worker that just began
    // on the fresh database (42501): it finishes in moments, so try again a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '42501' || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  } finally {
    await admin.end();
  }
}

export function testS3Client(): S3Client {
  need(s3Available, 'The S3 server');
  return new S3Client({
    region: 'us-east-1',
    endpoint: services.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: services.s3AccessKeyId!, secretAccessKey: services.s3SecretAccessKey! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function freshBucket(): Promise<string> {
  const bucket = `assetd-t-${randomBytes(6).toString('hex')}`;
  const client = testS3Client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}

export function s3Env(bucket: string): Record<string, string> {
  return {
    ASSETD_S3_BUCKET: bucket,
    ASSETD_S3_ENDPOINT: services.s3Endpoint!,
    ASSETD_S3_ACCESS_KEY_ID: services.s3AccessKeyId!,
    ASSETD_S3_SECRET_ACCESS_KEY: services.s3SecretAccessKey!,
    ASSETD_S3_FORCE_PATH_STYLE: 'true',
  };
}

/** The ASSETD_* settings that put a new test server on this run's backends. */
export async function backendEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  if (usesPostgres) env.ASSETD_DATABASE_URL = await freshDatabaseUrl();
  if (usesS3) Object.assign(env, s3Env(await freshBucket()));
  return env;
}

async function localFiles(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Keys of stored objects under `prefix` ("assets/", "uploads/"), whatever the backend. */
export async function storedKeys(dataDir: string, env: Record<string, string>, prefix = ''): Promise<string[]> {
  const bucket = env.ASSETD_S3_BUCKET;
  if (!bucket) return (await localFiles(path.join(dataDir, 'objects', prefix))).map((k) => `${prefix}${k}`);
  const client = testS3Client();
  try {
    const listing = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (listing.Contents ?? []).map((o) => o.Key!).sort();
  } finally {
    client.destroy();
  }
}

/** Writes still in flight or abandoned: temp files and multipart uploads on disk, unfinished multipart uploads on S3. */
export async function pendingWrites(dataDir: string, env: Record<string, string>): Promise<number> {
  const bucket = env.ASSETD_S3_BUCKET;
  if (!bucket) {
    // Temp files, and the directories of multipart uploads not completed or aborted.
    const uploads = await fs.readdir(path.join(dataDir, 'multipart')).catch(() => [] as string[]);
    return (await localFiles(path.join(dataDir, 'tmp'))).length + uploads.length;
  }
  const client = testS3Client();
  try {
    return ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).length;
  } finally {
    client.destroy();
  }
}
