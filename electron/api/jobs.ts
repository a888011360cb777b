// Cancellable host jobs: registered under a job id so `cancel` can reach them, and aborted when
// the caller goes away (a closed page). Shared by every method family that runs long work.
import { randomBytes } from 'node:crypto';
import { ApiFailure } from './errors.ts';

export interface JobHandle { id: string; cancelled: boolean; abort(): void }
interface CallerSignal { signal?: AbortSignal }

/** Register a job; `end` must be called when the work is over, however it ended. */
export function beginJob(jobs: Map<string, JobHandle>, requested: string | undefined, ctx: CallerSignal): { jobId: string; job: JobHandle; ac: AbortController; end(): void } {
  const jobId = requested ?? `job_${randomBytes(8).toString('hex')}`;
  if (jobs.has(jobId)) throw new ApiFailure('invalid-request', `job id "${jobId}" is already in use; choose a new one`);
  const ac = new AbortController();
  const job: JobHandle = { id: jobId, cancelled: false, abort: () => ac.abort() };
  jobs.set(jobId, job);
  const onGone = () => { job.cancelled = true; ac.abort(); };
  ctx.signal?.addEventListener('abort', onGone, { once: true });
  if (ctx.signal?.aborted) onGone();
  return { jobId, job, ac, end: () => { jobs.delete(jobId); ctx.signal?.removeEventListener('abort', onGone); } };
}
