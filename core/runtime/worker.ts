// The inference worker: owns onnxruntime sessions so runs never block the caller's event loop.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../tensor.ts';
import type { LoadResult, Request, Response, SessionSettings, ValueInfo } from './messages.ts';
import { fromOrt, toOrt, transferablesOf } from './tensors.ts';

if (!parentPort) throw new Error('core/runtime/worker.ts must run in a worker thread');
const port = parentPort;

const sessions = new Map<number, ort.InferenceSession>();
let nextHandle = 1;

function infoOf(meta: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return meta.map((m) => m.isTensor
    ? { name: m.name, dtype: String(m.type), dims: [...m.shape].map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))) }
    : { name: m.name, dtype: 'non-tensor', dims: [] });
}

async function load(bytes: Uint8Array, provider: string, s: SessionSettings): Promise<LoadResult> {
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: s.graphOptimization ?? 'all',
    logSeverityLevel: 3, // warnings such as unused initializers are not the user's problem
  };
  if (s.intraOpThreads) opts.intraOpNumThreads = s.intraOpThreads;
  const session = await ort.InferenceSession.create(bytes, opts);
  const handle = nextHandle++;
  sessions.set(handle, session);
  return { handle, inputs: infoOf(session.inputMetadata), outputs: infoOf(session.outputMetadata) };
}

async function run(handle: number, feeds: Record<string, Tensor>, outputs?: string[]): Promise<Record<string, ort.Tensor>> {
  const session = sessions.get(handle);
  if (!session) throw new Error('this model was released');
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(name, t);
  return outputs ? await session.run(ortFeeds, outputs) : await session.run(ortFeeds);
}

function toCore(res: Record<string, ort.Tensor>, copy: boolean): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(res)) out[name] = fromOrt(name, t, copy);
  return out;
}

port.on('message', async (req: Request) => {
  let reply: Response;
  try {
    switch (req.type) {
      case 'load': reply = { id: req.id, ok: true, result: await load(req.bytes, req.provider, req.settings) }; break;
      case 'run': {
        const res = await run(req.handle, req.feeds, req.outputs);
        // Outputs move to the caller without a copy; should a buffer refuse to be transferred
        // (a future onnxruntime handing out native memory), send copies instead.
        const result = toCore(res, false);
        try {
          port.postMessage({ id: req.id, ok: true, result } satisfies Response, transferablesOf(result));
        } catch {
          const copied = toCore(res, true);
          port.postMessage({ id: req.id, ok: true, result: copied } satisfies Response, transferablesOf(copied));
        }
        return;
      }
      case 'release': {
        const s = sessions.get(req.handle);
        sessions.delete(req.handle);
        if (s) await s.release();
        reply = { id: req.id, ok: true, result: null };
        break;
      }
      case 'crash': process.exit(70);
    }
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    reply = { id: req.id, ok: false, error: { name: err.name, message: err.message } };
  }
  port.postMessage(reply);
});
