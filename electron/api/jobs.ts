// Cancellable host jobs: registered under a job id so `cancel` can reach them, and aborted when
// the caller goes away (a closed page). Shared by every method family that runs long work.
import { randomBytes } from 'node:crypto';
import { ApiFailure } from './errors.ts';
import type { CallContext } from './service.ts';

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

export type JobProgress = (done: number, total: number, message: string) => void;

/**
 * Run `work` as a cancellable job: progress events go out under its id until it is cancelled; an
 * error goes through `fail` (the method family's error mapping), as an AbortError when the job was
 * cancelled, whatever the work threw on its way out.
 */
export async function runJob<T>(jobs: Map<string, JobHandle>, requested: string | undefined, ctx: CallContext, fail: (e: unknown) => never, work: (signal: AbortSignal, progress: JobProgress) => Promise<T>): Promise<T> {
  const { jobId, job, ac, end } = beginJob(jobs, requested, ctx);
  try {
    return await work(ac.signal, (done, total, message) => { if (!job.cancelled) ctx.emit?.('progress', { jobId, done, total, message }); })
      .catch((e: unknown) => fail(job.cancelled ? Object.assign(new Error('cancelled'), { name: 'AbortError' }) : e));
  } finally {
    end();
  }
}
