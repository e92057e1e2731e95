// How a job reads in its family's words: the status vocabulary of each family, a session's progress and its
// conversation, an avatar's look. One job status (pending, processing, completed, failed) underlies them all.
import type { Job, JobKind, JobStatus } from './ports/index.js';
import type { StoredMessage } from './job-plans.js';

export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export const SESSION_STATUSES = ['thinking', 'generating', 'completed', 'failed'] as const;
export const AVATAR_STATUSES = ['processing', 'completed', 'failed'] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export type AvatarStatus = (typeof AVATAR_STATUSES)[number];

/** Lipsyncs and video translations. */
export const RUN_STATUS: Readonly<Record<JobStatus, RunStatus>> = {
  pending: 'pending',
  processing: 'running',
  completed: 'completed',
  failed: 'failed',
};

export const SESSION_STATUS: Readonly<Record<JobStatus, SessionStatus>> = {
  pending: 'thinking',
  processing: 'generating',
  completed: 'completed',
  failed: 'failed',
};

export const AVATAR_STATUS: Readonly<Record<JobStatus, AvatarStatus>> = {
  pending: 'processing',
  processing: 'processing',
  completed: 'completed',
  failed: 'failed',
};

export function familyStatus(kind: JobKind, status: JobStatus): RunStatus | SessionStatus | AvatarStatus {
  switch (kind) {
    case 'video_agent':
      return SESSION_STATUS[status];
    case 'avatar':
      return AVATAR_STATUS[status];
    default:
      return RUN_STATUS[status];
  }
}

/** A session's progress: nothing known between "started" and "done", so 0, 50 or 100. */
export function progressOf(status: JobStatus): number {
  return status === 'pending' ? 0 : status === 'processing' ? 50 : 100;
}

/** The code of a failed job's error (the worker's message, or the caller's stop, says what happened). */
export const FAILURE_CODE = 'processing_failed';

/** The failure message of a session the caller stopped. */
export const STOPPED_MESSAGE = 'stopped by the caller';

/** What an assistant message of a completed run says (its resource is the output). */
export const RESULT_MESSAGE = 'The video is ready.';

export const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

export interface SessionMessage {
  readonly role: 'user' | 'assistant';
  readonly type: 'text' | 'resource' | 'error';
  readonly content: string;
  readonly createdAt: Date | null;
  /** Asset ids: a user message's files, or a run's output. */
  readonly resourceIds: string[];
  readonly runId: string | null;
}

export function storedMessagesOf(job: Job): StoredMessage[] {
  return (job.request.messages as StoredMessage[] | undefined) ?? [];
}

/** The run a session is on: the one its latest user message started. */
export function currentRunOf(job: Job): string | null {
  const users = storedMessagesOf(job).filter((m) => (m.role ?? 'user') === 'user');
  return users[users.length - 1]?.run_id ?? null;
}

/** The outcome of a finished session's current run, as the message that closes it; null while it runs. */
export function outcomeMessage(job: Job): StoredMessage | null {
  const base = { role: 'assistant' as const, created_at: job.updatedAt.toISOString(), ...(currentRunOf(job) ? { run_id: currentRunOf(job)! } : {}) };
  if (job.status === 'completed') {
    return { ...base, type: 'resource', text: RESULT_MESSAGE, files: job.outputAssetId ? [job.outputAssetId] : [] };
  }
  if (job.status === 'failed') return { ...base, type: 'error', text: job.errorMessage ?? 'The run failed.', files: [] };
  return null;
}

/**
 * A session's conversation: each message as stored (user messages, and the outcomes of earlier runs kept when a
 * follow-up started the next), then the outcome of the current run once it is finished.
 */
export function sessionMessages(job: Job): SessionMessage[] {
  const outcome = outcomeMessage(job);
  return [...storedMessagesOf(job), ...(outcome ? [outcome] : [])].map((m) => ({
    role: m.role ?? 'user',
    type: m.type ?? 'text',
    content: m.text,
    createdAt: m.created_at ? new Date(m.created_at) : null,
    resourceIds: m.files,
    runId: m.run_id ?? null,
  }));
}

const AVATAR_PREFIX = 'avatar_';
const LOOK_PREFIX = 'look_';

/** An avatar job is its group; its one look has the same id under the look prefix. */
export const lookIdOf = (avatarJobId: string): string => `${LOOK_PREFIX}${avatarJobId.slice(AVATAR_PREFIX.length)}`;

/** The avatar job (group) of a look id, or null when it is not one of ours. */
export function avatarIdOfLook(lookId: string): string | null {
  return lookId.startsWith(LOOK_PREFIX) && lookId.length > LOOK_PREFIX.length ? `${AVATAR_PREFIX}${lookId.slice(LOOK_PREFIX.length)}` : null;
}
