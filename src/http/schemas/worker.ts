// The bodies of the worker API: claim, heartbeat, complete and fail a job under a lease.
import { Type } from 'typebox';
import { JOB_KINDS } from '../../domain/jobs.js';
import { OptionalBody, RefOf, StringEnum } from './helpers.js';
import { FileInput } from './jobs.js';

const leaseId = Type.String({ minLength: 1, maxLength: 64 });
const leaseSeconds = Type.Integer({ minimum: 5, maximum: 3600 });

export const ClaimBody = OptionalBody(
  Type.Object(
    { kinds: Type.Optional(Type.Array(StringEnum(JOB_KINDS))), lease_seconds: Type.Optional(leaseSeconds) },
    { additionalProperties: false },
  ),
);

export const HeartbeatBody = Type.Object(
  { lease_id: leaseId, lease_seconds: Type.Optional(leaseSeconds) },
  { additionalProperties: false },
);

export const WorkerCompleteBody = Type.Object({ lease_id: leaseId, output: RefOf(FileInput) }, { additionalProperties: false });

export const FailBody = Type.Object(
  { lease_id: leaseId, message: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const WorkerJobParams = Type.Object({ job_id: Type.String({ maxLength: 128 }) });
