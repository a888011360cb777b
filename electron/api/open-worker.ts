// Worker-thread entry: runs open jobs off the host's event loop (building VGG16 takes seconds).
// Messages: in { jobId, source }; out { jobId, type: 'progress' | 'done' | 'error', ... }.
import { parentPort } from 'node:worker_threads';
import type { ModelSource } from './contract.ts';
import { toApiError } from './errors.ts';
import { runOpenJob } from './open-model.ts';

export interface OpenJobMessage { jobId: string; source: ModelSource }
export type OpenWorkerReply =
  | { jobId: string; type: 'progress'; done: number; total: number; message: string }
  | { jobId: string; type: 'done'; result: Awaited<ReturnType<typeof runOpenJob>> }
  | { jobId: string; type: 'error'; error: { code: string; message: string } };

const port = parentPort;
if (port) {
  port.on('message', (msg: OpenJobMessage) => {
    const { jobId, source } = msg;
    const post = (r: OpenWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);
    runOpenJob(source, (done, total, message) => post({ jobId, type: 'progress', done, total, message }))
      .then((result) => {
        const b = result.bytes;
        // Hand the model bytes over without copying when they own their whole buffer.
        const transferable = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
        post({ jobId, type: 'done', result }, transferable ? [b.buffer as ArrayBuffer] : []);
      })
      .catch((e: unknown) => post({ jobId, type: 'error', error: toApiError(e) }));
  });
}
