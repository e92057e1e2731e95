// The storage layer: where asset bytes live. StorageBackend is the port; local disk (the embedded default) and
// S3-compatible stores are its adapters, both held to test/contract/storage.case.ts.
export type { StorageBackend } from './port.js';
export { LocalDiskStorage } from './local/local-disk.js';
export { S3Storage } from './s3/s3-storage.js';
