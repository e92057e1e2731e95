// `assetd upload FILE…`: the client from a shell. Works out where to send and with which key, uploads the files one
// after another, prints one JSON line per asset on stdout and one line per failure on stderr, and exits 1 if any
// failed (2 when it cannot start).
import fs from 'node:fs/promises';
import path from 'node:path';
import { AssetdClient, AssetdError } from '../client/index.js';
import { GENERATED_KEY_FILE } from './first-key.js';

export interface UploadCommandOptions {
  readonly url?: string;
  readonly apiKey?: string;
  readonly directAbove?: string;
}

export const DEFAULT_CLIENT_URL = 'http://127.0.0.1:3000';

/** --api-key, else ASSETD_CLIENT_API_KEY, else the key `npm start` generated in the local data directory. */
async function findApiKey(given: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (given) return given;
  if (env.ASSETD_CLIENT_API_KEY) return env.ASSETD_CLIENT_API_KEY;
  const generated = path.join(env.ASSETD_DATA_DIR ?? './data', GENERATED_KEY_FILE);
  return (await fs.readFile(generated, 'utf8').catch(() => '')).trim() || undefined;
}

export async function uploadCommand(files: readonly string[], options: UploadCommandOptions, env = process.env): Promise<number> {
  const apiKey = await findApiKey(options.apiKey, env);
  if (!apiKey) {
    process.stderr.write('assetd upload: no API key: pass --api-key or set ASSETD_CLIENT_API_KEY\n');
    return 2;
  }
  const directAbove = options.directAbove === undefined ? undefined : Number(options.directAbove);
  if (directAbove !== undefined && !(Number.isSafeInteger(directAbove) && directAbove >= 0)) {
    process.stderr.write('assetd upload: --direct-above must be a whole number of bytes\n');
    return 2;
  }
  const client = new AssetdClient({ baseUrl: options.url ?? env.ASSETD_CLIENT_URL ?? DEFAULT_CLIENT_URL, apiKey });
  let failed = 0;
  for (const file of files) {
    try {
      const asset = await client.upload(file, { directAbove });
      process.stdout.write(`${JSON.stringify({ file, ...asset })}\n`);
    } catch (error) {
      failed += 1;
      const why =
        error instanceof AssetdError
          ? `${error.message} (${error.status} ${error.code}${error.param ? `, ${error.param}` : ''})`
          : error instanceof Error
            ? error.message
            : String(error);
      process.stderr.write(`assetd upload: ${file}: ${why}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
