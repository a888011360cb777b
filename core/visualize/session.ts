// Running small graphs for visualisation: through a core Runtime (worker, chosen provider) when the
// caller has one, else onnxruntime-node in-process on the CPU (no worker start-up for a CLI/test run).
import type { Runtime } from '../runtime/index.ts';

export interface FloatOut { data: Float32Array; dims: number[] }
export interface VizSession {
  run(feeds: Record<string, { data: Float32Array; dims: number[] }>, outputs: string[]): Promise<Record<string, FloatOut>>;
  dispose(): Promise<void>;
}

export async function openSession(bytes: Uint8Array, runtime: Runtime | undefined, name: string): Promise<VizSession> {
  if (runtime) {
    const m = await runtime.load(bytes, { name });
    return {
      async run(feeds, outputs) {
        const f = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { dtype: 'float32' as const, dims: v.dims, data: v.data }]));
        const out = await m.run(f, { outputs });
        return Object.fromEntries(outputs.map((o) => [o, { data: out[o]!.data as Float32Array, dims: [...out[o]!.dims] }]));
      },
      dispose: () => m.dispose(),
    };
  }
  const ort = await import('onnxruntime-node');
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  return {
    async run(feeds, outputs) {
      const f = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
      const out = await s.run(f, outputs);
      return Object.fromEntries(outputs.map((o) => [o, { data: out[o]!.data as Float32Array, dims: out[o]!.dims.map(Number) }]));
    },
    dispose: () => s.release(),
  };
}
