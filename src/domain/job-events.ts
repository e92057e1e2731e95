// The events of finished jobs: a job that completes, fails or is stopped reports its family's platform event type
// (event-types.ts says which), with the job as its family's GET shows it as event_data. The event is made inside the
// transaction that finishes the job, from the row as it now is, with the job's assets looked up beforehand.
import type { Asset, Job, WebhookEvent } from './ports/index.js';
import { jobEventType } from './event-types.js';
import { newEventId } from './events.js';

/** A job and the assets it names (inputs and output), for presenting it. */
export interface JobWithAssets {
  readonly job: Job;
  readonly assets: ReadonlyMap<string, Asset>;
}

export interface JobEventsOptions {
  /** The job in its family's GET shape (the HTTP layer's presenter, handed in by the wiring). */
  readonly describe: (view: JobWithAssets) => Record<string, unknown>;
  /** An event was committed (the webhook dispatcher is kicked). */
  readonly onRecorded?: () => void;
}

export class JobEvents {
  constructor(private readonly options: JobEventsOptions) {}

  /** The event of a job as it is once finished; `assets` holds its inputs and output. */
  finished(job: Job, assets: ReadonlyMap<string, Asset>): WebhookEvent {
    const outcome = job.status === 'completed' ? 'completed' : 'failed';
    return {
      eventId: newEventId(),
      tenant: job.tenant,
      eventType: jobEventType(job, outcome),
      entityId: job.jobId,
      data: this.options.describe({ job, assets }),
      createdAt: job.updatedAt,
    };
  }

  /** Called after a call that may have recorded an event returned. */
  recorded(): void {
    this.options.onRecorded?.();
  }
}
