import { formatTimestamp } from '../core/time.js';
import type { JobRecord } from '../store/jobs.js';

const isoOrNull = (epochMs: number | null) => (epochMs === null ? null : formatTimestamp(epochMs));

/** A job as the API and `upkeep jobs --json` show it: snake_case fields, ISO-8601 times. */
export function jobBody(job: JobRecord) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    progress: job.progress,
    message: job.message,
    error: job.error,
    result: job.result,
    input: job.input,
    created_at: formatTimestamp(job.createdAt),
    started_at: isoOrNull(job.startedAt),
    finished_at: isoOrNull(job.finishedAt),
  };
}
