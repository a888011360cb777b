// One long-lived worker thread for heavy open jobs, fed one job at a time (the machine may have
// two cores; parallel builds of big nets would only fight for memory). Cancelling the running
// job terminates the worker; the next job starts a fresh one.
import { Worker } from 'node:worker_threads';
import type { ModelSource } from './contract.ts';
import { tsWorkerBootstrap } from '../../core/runtime/ts-worker.ts';
import { ApiFailure, type ApiErrorCode } from './errors.ts';
import type { OpenJobMessage, OpenWorkerReply } from './open-worker.ts';
import type { OpenJobResult, ProgressFn } from './open-model.ts';

export interface WorkerScript {
  /** A script path/URL, or (with eval) the source of a bootstrap. */
  path: string | URL;
  eval?: boolean;
}

/**
 * A worker entry `name` (without extension) next to this module. From source (.ts) a small eval
 * bootstrap registers tsx inside the worker first: `execArgv: ['--import', 'tsx']` does not reach
 * worker threads on Node 20 (measured: "Unknown file extension .ts"). A bundled build names its .js entry.
 */
export function workerScriptFor(name: string): WorkerScript {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { path: new URL(`./${name}.js`, here) };
  const boot = tsWorkerBootstrap(new URL(`./${name}.ts`, here).href, here);
  return { path: boot, eval: true };
}

/** The model-opening worker (open-worker.ts). */
export function defaultWorkerScript(): WorkerScript {
  return workerScriptFor('open-worker');
}

interface Pending { jobId: string; source: ModelSource; transfer: ArrayBuffer[]; progress: ProgressFn; resolve: (r: OpenJobResult) => void; reject: (e: Error) => void }

export class OffThreadOpener {
  private worker: Worker | undefined;
  private running: Pending | undefined;
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(private readonly script: WorkerScript = defaultWorkerScript()) {}

  run(jobId: string, source: ModelSource, progress: ProgressFn): Promise<OpenJobResult> {
    if (this.closed) return Promise.reject(new ApiFailure('internal', 'the host is shutting down'));
    // Dropped bytes move to the worker instead of being copied when they own their buffer.
    const transfer: ArrayBuffer[] = [];
    const owned = (d: Uint8Array) => d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.buffer instanceof ArrayBuffer;
    const parts = source.kind === 'encoder-decoder' ? [source.encoder, source.decoder] : [source];
    for (const p of parts) {
      // Distinct buffers only: transferring one buffer twice throws a DataCloneError.
      if (p.kind === 'bytes' && owned(p.data) && !transfer.includes(p.data.buffer as ArrayBuffer)) transfer.push(p.data.buffer as ArrayBuffer);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ jobId, source, transfer, progress, resolve, reject });
      this.pump();
    });
  }

  /** True when the job was queued or running here (and is now cancelled). */
  cancel(jobId: string): boolean {
    const i = this.queue.findIndex((p) => p.jobId === jobId);
    if (i >= 0) {
      const [p] = this.queue.splice(i, 1);
      p!.reject(new ApiFailure('cancelled', 'opening the model was cancelled'));
      return true;
    }
    if (this.running?.jobId === jobId) {
      this.fail(new ApiFailure('cancelled', 'opening the model was cancelled'));
      return true;
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ApiFailure('cancelled', 'the host is shutting down'));
    if (this.running) this.fail(new ApiFailure('cancelled', 'the host is shutting down'));
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.script.path, { eval: this.script.eval ?? false, execArgv: [] });
    w.on('message', (m: OpenWorkerReply) => this.onMessage(m));
    w.on('error', (e) => { if (this.worker === w) this.fail(new ApiFailure('internal', `the model worker failed: ${e.message}`)); });
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      // An out-of-memory kill or crash while a job runs must answer that job, not hang it.
      if (this.running) this.fail(new ApiFailure('internal', `the model worker stopped (exit code ${code}); the model may be too large for this machine's memory`));
    });
    this.worker = w;
    return w;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.queue.shift();
    if (!next) { this.worker?.unref(); return; }
    this.running = next;
    const msg: OpenJobMessage = { jobId: next.jobId, source: next.source };
    try {
      const w = this.ensureWorker();
      // Referenced while a job runs (its answer is awaited), unreferenced when idle so an idle
      // worker never keeps a process alive.
      w.ref();
      w.postMessage(msg, next.transfer);
    } catch (e) {
      this.fail(new ApiFailure('internal', `could not start the model worker: ${(e as Error).message}`));
    }
  }

  private onMessage(m: OpenWorkerReply): void {
    const p = this.running;
    if (!p || m.jobId !== p.jobId) return;
    if (m.type === 'progress') { p.progress(m.done, m.total, m.message); return; }
    this.running = undefined;
    if (m.type === 'done') p.resolve(m.result);
    else p.reject(new ApiFailure(m.error.code as ApiErrorCode, m.error.message));
    this.pump();
  }

  /** Reject the running job and drop its worker (its state is unknown now). */
  private fail(e: Error): void {
    const p = this.running;
    this.running = undefined;
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
    p?.reject(e);
    this.pump();
  }
}
