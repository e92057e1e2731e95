// The domain layer: the rules of assets, direct uploads, batches, jobs, idempotency and housekeeping, and the one
// error type of the API. It imports no HTTP framework, no SDK and no SQL: it sees storage and metadata through
// their ports, and bytes as Node streams.
export { ApiKeyring } from './api-keys.js';
export { AssetSearch } from './asset-search.js';
export { AssetService } from './assets.js';
export { DirectUploadService } from './direct-uploads.js';
export { AppError, errors } from './errors.js';
export { IdempotencyService } from './idempotency.js';
export { JobService } from './jobs.js';
export { MultipartUploadService } from './multipart-uploads.js';
export { PublicUrls } from './public-urls.js';
export { Reaper } from './reaper.js';
export { SignedUploadReceiver } from './upload-receiver.js';
export { UploadBatchService } from './upload-batches.js';
export { UploadSigner } from './upload-signature.js';
export { JobEvents } from './job-events.js';
export { WebhookDispatcher } from './webhook-delivery.js';
export { WebhookEndpointService } from './webhook-endpoints.js';
