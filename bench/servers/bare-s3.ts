// The scale-out baseline of `npm run bench`: a bare node:http server in its own process that does what assetd's
// scale-out configuration must do and nothing else. PUT /o/<name> streams the body into one PutObject (AWS SDK v3,
// ContentLength from the request, client settings as assetd's) while hashing it (SHA-256), then inserts one row into
// PostgreSQL (pg, a pool of 10 as assetd's default) and answers 200 {size, sha256}. DELETE /o/<name> removes both.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { answer, listen, objectName, setting } from './listen.js';

const bucket = setting('BENCH_S3_BUCKET');
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: setting('BENCH_S3_ENDPOINT'),
  forcePathStyle: true,
  credentials: { accessKeyId: setting('BENCH_S3_ACCESS_KEY_ID'), secretAccessKey: setting('BENCH_S3_SECRET_ACCESS_KEY') },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const pool = new pg.Pool({ connectionString: setting('BENCH_DATABASE_URL'), max: 10 });
await pool.query(
  'CREATE TABLE IF NOT EXISTS objects (name text PRIMARY KEY, size bigint NOT NULL, sha256 text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
);

listen(
  async (request, response) => {
    const name = objectName(request.url);
    if (!name) return answer(response, 404);
    if (request.method === 'DELETE') {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: name }));
      await pool.query('DELETE FROM objects WHERE name = $1', [name]);
      return answer(response, 200, { deleted: true });
    }
    if (request.method !== 'PUT') return answer(response, 405);

    const length = Number(request.headers['content-length']);
    if (!Number.isSafeInteger(length)) return answer(response, 411);
    const hash = createHash('sha256');
    let size = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const put = new PutObjectCommand({ Bucket: bucket, Key: name, Body: counted, ContentLength: length, ContentType: request.headers['content-type'] });
    await Promise.all([pipeline(request, counted), s3.send(put)]);
    const sha256 = hash.digest('hex');
    await pool.query('INSERT INTO objects (name, size, sha256) VALUES ($1, $2, $3)', [name, size, sha256]);
    answer(response, 200, { size, sha256 });
  },
  async () => {
    s3.destroy();
    await pool.end();
  },
);
