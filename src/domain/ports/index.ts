// The ports: every entity the domain keeps and each small interface a domain service needs from the outside. The
// adapters (src/metadata, src/storage, src/inputs) implement them and import this folder; the domain imports none
// of them.
export type * from './asset-records.js';
export type * from './idempotency-keys.js';
export type { ImageResizer, PreviewFormat, ResizedImage, ResizeOptions } from './image-resizer.js';
export { ImageRefused } from './image-resizer.js';
export type * from './job-queue.js';
export type * from './object-storage.js';
export type { RemoteFile, RemoteFiles } from './remote-files.js';
export type * from './webhooks.js';
export { DownloadError } from './remote-files.js';

import type { AssetRecords } from './asset-records.js';
import type { IdempotencyKeys } from './idempotency-keys.js';
import type { JobQueue } from './job-queue.js';
import type { WebhookRecords } from './webhooks.js';

/** What a metadata adapter opens: one record port per aggregate over one connection. */
export interface MetadataStores {
  readonly dialect: 'sqlite' | 'postgres';
  readonly assets: AssetRecords;
  readonly jobs: JobQueue;
  readonly idempotencyKeys: IdempotencyKeys;
  readonly webhooks: WebhookRecords;
  /** Throws when the database cannot serve (the health check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
