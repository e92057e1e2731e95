// Opens the metadata store and the storage backend the configuration selects: SQLite + local disk by default,
// PostgreSQL when ASSETD_DATABASE_URL is set, S3 when ASSETD_S3_BUCKET is set.
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { MetadataStore } from '../metadata/port.js';
import { openPostgresStore } from '../metadata/postgres/open.js';
import { openSqliteStore } from '../metadata/sqlite/open.js';
import { LocalDiskStorage } from '../storage/local/local-disk.js';
import type { StorageBackend } from '../storage/port.js';
import { S3Storage } from '../storage/s3/s3-storage.js';

export async function openMetadata(config: Config, options: { migrate?: boolean } = {}): Promise<MetadataStore> {
  if (config.databaseUrl) {
    return openPostgresStore({ connectionString: config.databaseUrl, poolSize: config.databasePoolSize, migrate: options.migrate ?? true });
  }
  return openSqliteStore(path.join(config.dataDir, 'assetd.sqlite'));
}

export async function openStorage(config: Config): Promise<StorageBackend> {
  if (config.s3) return S3Storage.open(config.s3);
  return LocalDiskStorage.open({ dataDir: config.dataDir });
}
