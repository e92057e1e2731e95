// Secrets assetd mints for itself when none is configured: the first start creates them, keeps them in the data
// directory (mode 0600) and reuses them on every later start, so `npm start` on a fresh machine is immediately
// usable and stays so across restarts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ApiKeyEntry } from '../config/index.js';

export const GENERATED_KEY_FILE = 'api-key';
export const GENERATED_KEY_TENANT = 'default';
export const SIGNING_SECRET_FILE = 'signing-secret';
export const WEBHOOK_SECRET_FILE = 'webhook-secret';

/** The secret kept in `dataDir/name`, created with `make()` if absent. */
export async function loadOrCreateSecret(dataDir: string, name: string, make: () => string): Promise<{ value: string; created: boolean }> {
  const file = path.join(dataDir, name);
  try {
    const value = (await fs.readFile(file, 'utf8')).trim();
    if (value !== '') return { value, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = make();
  try {
    await fs.writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process starting on the same data dir won the race: use its secret.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecret(dataDir, name, make);
    throw error;
  }
  return { value, created: true };
}

export async function loadOrCreateKey(dataDir: string): Promise<{ entry: ApiKeyEntry; created: boolean }> {
  const { value, created } = await loadOrCreateSecret(dataDir, GENERATED_KEY_FILE, () => `ak_${randomBytes(24).toString('base64url')}`);
  return { entry: { key: value, tenant: GENERATED_KEY_TENANT }, created };
}

/** A random 256-bit secret kept in `dataDir/name`: the upload-URL signing secret, the webhook secret. */
export async function loadOrCreateRandomSecret(dataDir: string, name: typeof SIGNING_SECRET_FILE | typeof WEBHOOK_SECRET_FILE): Promise<string> {
  return (await loadOrCreateSecret(dataDir, name, () => randomBytes(32).toString('base64url'))).value;
}
