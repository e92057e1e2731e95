// With no ASSETD_API_KEYS, the first start mints one key, keeps it in the data directory (mode 0600) and reuses it
// on every later start, so `npm start` on a fresh machine is immediately usable and stays so across restarts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ApiKeyEntry } from '../config/index.js';

export const GENERATED_KEY_FILE = 'api-key';
export const GENERATED_KEY_TENANT = 'default';

export async function loadOrCreateKey(dataDir: string): Promise<{ entry: ApiKeyEntry; created: boolean }> {
  const file = path.join(dataDir, GENERATED_KEY_FILE);
  try {
    const key = (await fs.readFile(file, 'utf8')).trim();
    if (key !== '') return { entry: { key, tenant: GENERATED_KEY_TENANT }, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = `ak_${randomBytes(24).toString('base64url')}`;
  await fs.writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { entry: { key, tenant: GENERATED_KEY_TENANT }, created: true };
}
