// The client layer: what a user's program imports (or `assetd upload` runs) to upload a file once and reference it
// anywhere. It speaks only the public HTTP API; it shares nothing with the server but the table of media types.
export { AssetdClient, AssetdError, SINGLE_REQUEST_MAX_BYTES } from './client.js';
export type { Asset, AssetPage, ClientOptions, DownloadOptions, Progress, UploadedAsset, UploadOptions } from './client.js';
export { MULTIPART_ABOVE_BYTES, ResumeError, defaultStatePath } from './multipart-upload.js';
export type { PartEvent } from './multipart-upload.js';
