// The contenders of `npm run bench`: how to start each server and how one upload to it goes, over undici on keep-alive
// connections (every URL is checked to be 127.0.0.1, the presigned S3 URLs included). An upload resolves once the
// server has acknowledged it, to a function that removes what it stored (called outside the timing).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Agent, request } from 'undici';
import type { Fleet, Server } from './fleet.js';
import type { Payload } from './payload.js';

export const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const API_KEY = 'bench-key-000000000000';

export interface Contender {
  readonly name: string;
  /** The process whose CPU and RSS are sampled; null when the bench itself talks to the store. */
  readonly pid: number | null;
  upload(payload: Payload): Promise<() => Promise<void>>;
}

const agent = new Agent({ keepAliveTimeout: 10_000, headersTimeout: 600_000, bodyTimeout: 600_000 });

interface Answer {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: unknown;
}

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  { headers = {}, body, expect = 200 }: { headers?: Record<string, string>; body?: Buffer | Readable | string; expect?: number },
): Promise<Answer> {
  if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refusing to send traffic off loopback: ${url}`);
  const response = await request(url, { method, headers, body: body ?? null, dispatcher: agent });
  const text = await response.body.text();
  if (response.statusCode !== expect) throw new Error(`${method} ${url.replace(/\?.*/, '?…')}: HTTP ${response.statusCode} ${text.slice(0, 500)}`);
  return { headers: response.headers, json: text && response.headers['content-type']?.includes('json') ? JSON.parse(text) : null };
}

const RUN = randomBytes(3).toString('hex');
let uploads = 0;
const uniqueName = () => `b${RUN}${(uploads++).toString(36)}`;

/** A server of bench/servers/ (run through tsx, as the bench itself). */
export function startBenchServer(fleet: Fleet, name: string, script: string, env: Record<string, string> = {}): Promise<Server> {
  return fleet.start(name, ['--import', 'tsx', path.join('bench', 'servers', script)], BENCH_ROOT, (port, dir) => ({
    ...env,
    BENCH_PORT: String(port),
    BENCH_DIR: dir,
  }));
}

/** `node <root>/dist/cli/main.js serve`: the built assetd of `root`, its data dir fresh, one API key. */
export function startAssetd(fleet: Fleet, root: string, { env = {}, nodeArgs = [] }: { env?: Record<string, string>; nodeArgs?: string[] }): Promise<Server> {
  return fleet.start('assetd', [...nodeArgs, path.join(root, 'dist', 'cli', 'main.js'), 'serve'], root, (port, dir) => ({
    ASSETD_HOST: '127.0.0.1',
    ASSETD_PORT: String(port),
    ASSETD_DATA_DIR: dir,
    ASSETD_API_KEYS: `${API_KEY}=bench`,
    ...env,
  }));
}

/** The bare servers: PUT /o/<name> with the raw bytes. */
export function bare(name: string, server: Server): Contender {
  return {
    name,
    pid: server.child.pid,
    async upload(payload) {
      const url = `${server.baseUrl}/o/${uniqueName()}`;
      await call('PUT', url, { headers: { 'content-type': payload.mime, 'content-length': String(payload.size) }, body: payload.body() });
      return async () => void (await call('DELETE', url, {}));
    },
  };
}

/** tus 1.0.0: creation (POST with Upload-Length), then one PATCH of every byte at offset 0. */
export function tus(server: Server): Contender {
  const tusHeaders = { 'tus-resumable': '1.0.0' };
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    name: 'tus',
    pid: server.child.pid,
    async upload(payload) {
      const created = await call('POST', `${server.baseUrl}/files`, {
        headers: { ...tusHeaders, 'upload-length': String(payload.size), 'upload-metadata': `filename ${b64(payload.filename)},filetype ${b64(payload.mime)}` },
        expect: 201,
      });
      const location = String(created.headers.location);
      await call('PATCH', location, {
        headers: { ...tusHeaders, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': String(payload.size) },
        body: payload.body(),
        expect: 204,
      });
      return async () => void (await call('DELETE', location, { headers: tusHeaders, expect: 204 }));
    },
  };
}

const auth = { 'x-api-key': API_KEY };
const dataOf = <T>(answer: Answer): T => (answer.json as { data: T }).data;
const removeAsset = (server: Server, assetId: string) => async () =>
  void (await call('DELETE', `${server.baseUrl}/v3/assets/${assetId}`, { headers: auth }));

/** POST /v3/assets: one multipart request. */
export function assetdSingle(name: string, server: Server): Contender {
  return {
    name,
    pid: server.child.pid,
    async upload(payload) {
      const { contentType, length, body } = payload.multipart();
      const answer = await call('POST', `${server.baseUrl}/v3/assets`, {
        headers: { ...auth, 'content-type': contentType, 'content-length': String(length) },
        body,
      });
      return removeAsset(server, dataOf<{ asset_id: string }>(answer).asset_id);
    },
  };
}

/** Direct upload: initiate, PUT the bytes to upload_url with upload_headers (no checksum sent), complete. */
export function assetdDirect(name: string, server: Server): Contender {
  return {
    name,
    pid: server.child.pid,
    async upload(payload) {
      const init = dataOf<{ asset_id: string; upload_url: string; upload_headers: Record<string, string> }>(
        await call('POST', `${server.baseUrl}/v3/assets/direct-uploads`, {
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ filename: payload.filename, content_type: payload.mime, size_bytes: payload.size }),
        }),
      );
      await call('PUT', init.upload_url, { headers: { ...init.upload_headers, 'content-length': String(payload.size) }, body: payload.body() });
      const done = dataOf<{ status: string }>(await call('POST', `${server.baseUrl}/v3/assets/${init.asset_id}/complete`, { headers: auth }));
      if (done.status !== 'completed') throw new Error(`complete answered status ${done.status}`);
      return removeAsset(server, init.asset_id);
    },
  };
}

/** A PutObject from the bench process straight to the store, the body streamed with its ContentLength. */
export function sdkPut(s3: S3Client, bucket: string): Contender {
  return {
    name: 'bare PutObject',
    pid: null,
    async upload(payload) {
      const key = uniqueName();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: payload.stream(), ContentLength: payload.size, ContentType: payload.mime }));
      return async () => void (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    },
  };
}
