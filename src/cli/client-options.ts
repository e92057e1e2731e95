// Where the client verbs send, and with which key: --url / --api-key, else ASSETD_CLIENT_URL /
// ASSETD_CLIENT_API_KEY, else http://127.0.0.1:3000 and the key `npm start` generated in the local data directory.
// These variables are the command's own; the server never reads them.
import fs from 'node:fs/promises';
import path from 'node:path';
import { AssetdClient } from '../client/index.js';
import { GENERATED_KEY_FILE } from './first-key.js';

export const DEFAULT_CLIENT_URL = 'http://127.0.0.1:3000';
/** A person at a terminal waits this long for a server that is down or restarting, not the SDK's minute. */
const RETRY_FOR_MS = 10_000;

export interface ClientFlags {
  readonly url?: string;
  readonly apiKey?: string;
}

/** A usage problem: the command says so on stderr and exits 2. */
export class UsageError extends Error {}

async function findApiKey(given: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (given) return given;
  if (env.ASSETD_CLIENT_API_KEY) return env.ASSETD_CLIENT_API_KEY;
  const generated = path.join(env.ASSETD_DATA_DIR ?? './data', GENERATED_KEY_FILE);
  return (await fs.readFile(generated, 'utf8').catch(() => '')).trim() || undefined;
}

export async function clientFrom(flags: ClientFlags, env = process.env): Promise<AssetdClient> {
  const apiKey = await findApiKey(flags.apiKey, env);
  if (!apiKey) throw new UsageError('no API key: pass --api-key or set ASSETD_CLIENT_API_KEY');
  const baseUrl = flags.url ?? env.ASSETD_CLIENT_URL ?? DEFAULT_CLIENT_URL;
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl)) throw new UsageError(`--url must be an http(s) URL like ${DEFAULT_CLIENT_URL}, got "${baseUrl}"`);
  return new AssetdClient({ baseUrl, apiKey, retryForMs: RETRY_FOR_MS });
}

/** Why a call failed, in one line: the API's message with its status and code. */
export function describeFailure(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && 'status' in error && error instanceof Error) {
    const { status, code, param } = error as Error & { status: number; code: string; param?: string };
    return `${error.message} (${status ? `${status} ` : ''}${code}${param ? `, ${param}` : ''})`;
  }
  return error instanceof Error ? error.message : String(error);
}
