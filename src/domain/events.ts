// The events assetd records about assets and upload batches (webhooks). Each is made here and handed to the
// AssetRecords method that makes the state change it reports, which records it in the same transaction: no crash
// can change state and lose the event, and no event describes a change that was rolled back.
import { randomUUID } from 'node:crypto';
import type { Asset, FinishedBatch, WebhookEvent } from './ports/index.js';
import type { PublicUrls } from './public-urls.js';

import { ASSETD_EVENT_TYPES } from './event-types.js';

/** The asset and batch event types, ours: the platform has none for assets. */
export type AssetEventType = Extract<keyof typeof ASSETD_EVENT_TYPES, `asset.${string}` | 'upload_batch.finished'>;

/** A new event id: also the webhook-id of its deliveries. */
export const newEventId = (): string => `evt_${randomUUID().replace(/-/g, '')}`;

/** The history's record of an endpoint disabled for failing: sent to the tenant's other endpoints that take it. */
export function endpointDisabledEvent(o: { tenant: string; endpointId: string; url: string; reason: string; at: Date }): WebhookEvent {
  return {
    eventId: newEventId(),
    tenant: o.tenant,
    eventType: 'webhook_endpoint.disabled',
    entityId: o.endpointId,
    data: { endpoint_id: o.endpointId, url: o.url, status: 'disabled', reason: o.reason },
    createdAt: o.at,
  };
}

const seconds = (date: Date | null) => (date === null ? null : Math.floor(date.getTime() / 1000));

export interface AssetEventsOptions {
  /** Gives a completed asset's url in its event. */
  readonly urls?: PublicUrls;
  readonly now?: () => Date;
  /** An event was committed (the webhook dispatcher is kicked). */
  readonly onRecorded?: () => void;
}

/** Makes the events of asset state changes. */
export class AssetEvents {
  private readonly urls: PublicUrls | null;
  private readonly now: () => Date;

  constructor(private readonly options: AssetEventsOptions = {}) {
    this.urls = options.urls ?? null;
    this.now = options.now ?? (() => new Date());
  }

  /** Called after a call that may have recorded an event returned. */
  recorded(): void {
    this.options.onRecorded?.();
  }

  asset(eventType: Exclude<AssetEventType, 'upload_batch.finished'>, asset: Asset): WebhookEvent {
    const url = eventType === 'asset.completed' && this.urls ? this.urls.fileUrl(asset.urlToken, asset.mimeType) : null;
    return this.event(eventType, asset.tenant, asset.assetId, {
      asset_id: asset.assetId,
      status: eventType === 'asset.deleted' ? 'deleted' : asset.status,
      url,
      mime_type: asset.mimeType,
      size_bytes: asset.sizeBytes,
      sha256: asset.sha256,
      filename: asset.filename,
      batch_id: asset.batchId,
      created_at: seconds(asset.createdAt),
      completed_at: seconds(asset.completedAt),
      ...(eventType === 'asset.failed' ? { failure_code: asset.failureCode, failure_message: asset.failureMessage } : {}),
    });
  }

  batchFinished(batch: FinishedBatch): WebhookEvent {
    return this.event('upload_batch.finished', batch.tenant, batch.batchId, {
      batch_id: batch.batchId,
      counts_by_status: batch.countsByStatus,
    });
  }

  private event(eventType: string, tenant: string, entityId: string, data: Record<string, unknown>): WebhookEvent {
    return { eventId: newEventId(), tenant, eventType, entityId, data, createdAt: this.now() };
  }
}
