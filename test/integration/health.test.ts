// Liveness and readiness through the real server: /healthz answers 200 whenever the process answers; /readyz
// answers 200 only while the metadata store and the storage answer, and 503 service_unavailable with Retry-After
// when one does not. Both need no API key. Dependencies are broken for real: the storage's objects folder (local
// disk) or bucket (S3) is taken away, then put back; PostgreSQL refuses the server's database, then takes it again
// (SQLite, in-process, can only be closed).
import fs from 'node:fs/promises';
import path from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { services, testS3Client, usesPostgres, usesS3 } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

/** Makes the storage stop answering, for real, until the returned function puts it back. */
async function breakStorage(server: TestServer): Promise<() => Promise<void>> {
  if (usesS3) {
    const bucket = server.backend.ASSETD_S3_BUCKET!;
    const client = testS3Client();
    await client.send(new DeleteBucketCommand({ Bucket: bucket })); // empty: this server stored nothing
    return async () => {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      client.destroy();
    };
  }
  const objects = path.join(server.dataDir, 'objects');
  await fs.rename(objects, `${objects}.away`);
  return () => fs.rename(`${objects}.away`, objects);
}

/** Makes the metadata store stop answering; returns what restores it, or null when it cannot be (SQLite). */
async function breakMetadata(server: TestServer): Promise<(() => Promise<void>) | null> {
  if (!usesPostgres) {
    await server.server.metadata.close();
    return null;
  }
  const name = new URL(server.backend.ASSETD_DATABASE_URL!).pathname.slice(1);
  const admin = new pg.Client({ connectionString: services.databaseUrl });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  return async () => {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await admin.end();
  };
}

async function get(pathname: string) {
  const res = await fetch(`${t.url}${pathname}`);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('health endpoints', () => {
  it('answers /healthz and /readyz without a key while everything answers', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await get('/readyz')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('is not ready while the storage does not answer, and still alive; ready again once it is back', async () => {
    const restore = await breakStorage(t);
    try {
      const ready = await get('/readyz');
      expect(ready).toMatchObject({ status: 503, retryAfter: '5', json: { error: { code: 'service_unavailable' } } });
      expect(ready.json.error.message).toMatch(/metadata store or storage/);
      expect(await get('/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    } finally {
      await restore();
    }
    expect((await get('/readyz')).status).toBe(200);
  });

  it('is not ready while the metadata store does not answer, and still alive', async () => {
    const server = await startTestServer();
    try {
      const restore = await breakMetadata(server);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      if (restore) {
        await restore();
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      }
    } finally {
      await server.close();
    }
  });
});
