// The storage adapters: where asset bytes live. Local disk (the embedded default) and any S3-compatible store
// implement the domain's ObjectStorage port, both held to test/contract/object-storage.case.ts.
export { LocalDiskStorage } from './local/local-disk.js';
export { S3Storage } from './s3/s3-storage.js';
