// Worker-thread entry: one embedding projection (PCA / t-SNE / UMAP) and its quality figures, off
// the host's event loop. One job per worker (project-off-thread.ts starts a fresh one each time).
// In: { type: 'start', … } once, then optionally { type: 'stop', coords }: the projection ends at its
// next iteration and the answer is the caller's last kept layout, scored, with stopped = true.
// Out: 'layout' (intermediate coords), then 'done' or 'error'.
import { parentPort } from 'node:worker_threads';
import { project, embeddingQuality, type ProjectOptions, type Quality } from '../../core/features/project.ts';

/** The serialisable part of ProjectOptions (signal and callbacks stay on this side). */
export type ProjectJobOptions = Omit<ProjectOptions, 'signal' | 'onLayout'>;

export interface ProjectStartMessage {
  type: 'start';
  features: Float32Array; n: number; d: number;
  labels: Int32Array | null;
  options: ProjectJobOptions;
}
/** `coords`: the layout the caller showed last (the answer when the stop lands mid-run); null = none yet. */
export interface ProjectStopMessage { type: 'stop'; coords: Float32Array | null }
export type ProjectWorkerMessage = ProjectStartMessage | ProjectStopMessage;

export type ProjectWorkerReply =
  | { type: 'layout'; iteration: number; total: number; coords: Float32Array }
  | { type: 'done'; coords: Float32Array; ms: number; stopped: boolean; quality: Quality }
  | { type: 'error'; error: { name: string; message: string } };

const port = parentPort;
if (port) {
  const ac = new AbortController();
  let stopCoords: Float32Array | null = null;
  const post = (r: ProjectWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);

  const run = async (m: ProjectStartMessage): Promise<void> => {
    const t0 = performance.now();
    const dims = m.options.dims ?? 2;
    let coords: Float32Array, ms: number, stopped = false;
    try {
      const p = await project(m.features, m.n, m.d, {
        ...m.options, signal: ac.signal,
        onLayout: async (l) => {
          // Each layout is a fresh copy (tsne/umap): move it rather than copy it.
          post({ type: 'layout', iteration: l.iteration, total: l.total, coords: l.coords }, [l.coords.buffer as ArrayBuffer]);
          // A macrotask turn so a 'stop' message can land (UMAP's epoch loop never yields otherwise).
          await new Promise<void>((resolve) => setImmediate(resolve));
        },
      });
      coords = p.coords; ms = p.ms;
    } catch (e) {
      if (!(ac.signal.aborted && stopCoords)) {
        const err = e as Error;
        post({ type: 'error', error: { name: err?.name ?? 'Error', message: err?.message ?? String(e) } });
        return;
      }
      coords = stopCoords; stopped = true; ms = performance.now() - t0;
    }
    const quality = embeddingQuality(m.features, m.n, m.d, coords, dims, m.labels, { seed: m.options.seed });
    post({ type: 'done', coords, ms, stopped, quality }, [coords.buffer as ArrayBuffer]);
  };

  port.on('message', (m: ProjectWorkerMessage) => {
    if (m.type === 'stop') { stopCoords = m.coords; ac.abort(); return; }
    run(m).catch((e: unknown) => post({ type: 'error', error: { name: 'Error', message: (e as Error)?.message ?? String(e) } }));
  });
}
