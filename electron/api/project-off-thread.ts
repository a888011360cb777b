// Runs one embedding projection (+ its quality figures) in a worker thread of its own, so a
// seconds-long t-SNE never blocks the host's other calls. A fresh worker per job: jobs are seconds
// to minutes long (startup is noise), two views may project at once, and a worker killed mid-job
// leaves nothing behind. Stop keeps the last layout (the worker ends at its next iteration); a
// caller that went away terminates the worker.
import { Worker } from 'node:worker_threads';
import { ApiFailure } from './errors.ts';
import { workerScriptFor, type WorkerScript } from './off-thread.ts';
import type { ProjectJobOptions, ProjectStartMessage, ProjectStopMessage, ProjectWorkerReply } from './project-worker.ts';
import type { Quality } from '../../core/features/project.ts';

export type { ProjectJobOptions } from './project-worker.ts';

export interface OffThreadProjection { coords: Float32Array; ms: number; stopped: boolean; quality: Quality }

export interface ProjectRunOptions {
  /** Stop: end at the next iteration and answer with `lastLayout()` (rejects as cancelled when that is null). */
  stop?: AbortSignal;
  /** The layout to keep on stop: the last one the caller showed. */
  lastLayout?: () => Float32Array | null;
  /** The caller is gone: terminate the worker and reject as cancelled. */
  kill?: AbortSignal;
  onLayout?: (l: { iteration: number; total: number; coords: Float32Array }) => void;
  script?: WorkerScript;
}

let live = 0;
/** Projection workers currently alive (started and not yet exited). */
export function projectionWorkers(): number { return live; }

/** The projection worker's entry (see off-thread.ts workerScriptFor). */
export function projectWorkerScript(): WorkerScript {
  return workerScriptFor('project-worker');
}

const abortError = (what: string) => Object.assign(new Error(`${what} was cancelled`), { name: 'AbortError' });

/**
 * Projects n×d features in a worker. The features are copied (the host keeps its own for neighbour
 * queries and CSV export). Errors come back with their name (AbortError, …) so the caller maps them
 * as it would in-process ones.
 */
export function projectOffThread(features: Float32Array, n: number, d: number, labels: Int32Array | null, options: ProjectJobOptions, run: ProjectRunOptions = {}): Promise<OffThreadProjection> {
  if (run.kill?.aborted) return Promise.reject(abortError('the embedding'));
  if (features.length !== n * d) return Promise.reject(new Error(`features hold ${features.length} values, expected n×d = ${n}×${d}`));
  const script = run.script ?? projectWorkerScript();
  return new Promise<OffThreadProjection>((resolve, reject) => {
    let w: Worker;
    try {
      w = new Worker(script.path, { eval: script.eval ?? false, execArgv: [] });
    } catch (e) {
      reject(new ApiFailure('internal', `could not start the projection worker: ${(e as Error).message}`));
      return;
    }
    live++;
    let settled = false;
    const cleanup = () => {
      run.stop?.removeEventListener('abort', onStop);
      run.kill?.removeEventListener('abort', onKill);
    };
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      cleanup();
      // Answer once the worker (and the repulsion workers it started) is gone.
      void w.terminate().finally(f);
    };
    const onStop = () => {
      if (run.kill?.aborted) return; // a closed caller: onKill terminates instead
      const coords = run.lastLayout?.() ?? null;
      const msg: ProjectStopMessage = { type: 'stop', coords: coords ? coords.slice() : null };
      w.postMessage(msg);
    };
    const onKill = () => finish(() => reject(abortError('the embedding')));
    w.on('exit', () => { live--; finish(() => reject(new ApiFailure('internal', 'the projection worker stopped unexpectedly; the embedding may be too large for this machine\'s memory'))); });
    w.on('error', (e) => finish(() => reject(new ApiFailure('internal', `the projection worker failed: ${e.message}`))));
    w.on('message', (m: ProjectWorkerReply) => {
      if (settled) return;
      if (m.type === 'layout') { run.onLayout?.({ iteration: m.iteration, total: m.total, coords: m.coords }); return; }
      if (m.type === 'done') finish(() => resolve({ coords: m.coords, ms: m.ms, stopped: m.stopped, quality: m.quality }));
      else finish(() => reject(Object.assign(new Error(m.error.message), { name: m.error.name })));
    });
    run.stop?.addEventListener('abort', onStop, { once: true });
    run.kill?.addEventListener('abort', onKill, { once: true });
    // One copy each: the host keeps its arrays, the worker owns the copies outright.
    const feats = features.slice(), labs = labels ? labels.slice() : null;
    const msg: ProjectStartMessage = { type: 'start', features: feats, n, d, labels: labs, options };
    w.postMessage(msg, labs ? [feats.buffer, labs.buffer] : [feats.buffer]);
    // A stop that came before the worker started still applies (messages queue in order).
    if (run.stop?.aborted) onStop();
  });
}
