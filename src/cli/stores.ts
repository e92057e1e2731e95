// Opens the metadata store and the storage backend the configuration selects: SQLite + local disk by default,
// PostgreSQL when ASSETD_DATABASE_URL is set, S3 when ASSETD_S3_BUCKET is set.
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { MetadataStores, ObjectStorage } from '../domain/ports/index.js';
import { openPostgresStore, openSqliteStore } from '../metadata/index.js';
import { LocalDiskStorage, S3Storage } from '../storage/index.js';

export async function openMetadata(config: Config, options: { migrate?: boolean } = {}): Promise<MetadataStores> {
  if (config.databaseUrl) {
    return openPostgresStore({ connectionString: config.databaseUrl, poolSize: config.databasePoolSize, migrate: options.migrate ?? true });
  }
  return openSqliteStore(path.join(config.dataDir, 'assetd.sqlite'));
}

export async function openStorage(config: Config): Promise<ObjectStorage> {
  if (config.s3) return S3Storage.open(config.s3);
  return LocalDiskStorage.open({ dataDir: config.dataDir });
}
