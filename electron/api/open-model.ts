// Opening a model is one job: obtain it (zoo build, granted file, dropped bytes, or an encoder and a
// decoder file joined into one autoencoder), keep its bytes for the runtime, analyse it. Runs inline
// or in a worker thread (open-worker.ts).
import { readFileSync } from 'node:fs';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import type { ModelSummary } from '../../core/analysis/types.ts';
import type { ModelPart, ModelSource } from './contract.ts';
import { ApiFailure } from './errors.ts';
import { modelAnalysis, modelZoo, onnxLoader, sha256 } from './core-adapter.ts';

export interface OpenJobResult {
  name: string;
  /** Self-contained model bytes (external data inlined) for the runtime. */
  bytes: Uint8Array;
  sha256: string;
  summary: ModelSummary;
  warnings: string[];
  ms: { load: number; analyze: number };
}
export type ProgressFn = (done: number, total: number, message: string) => void;

interface Obtained { model: import('../../core/onnx/proto.ts').ModelProto; name: string; bytes: Uint8Array; sha256: string; warnings: string[] }

export async function runOpenJob(source: ModelSource, progress: ProgressFn = () => {}): Promise<OpenJobResult> {
  const t0 = performance.now();
  progress(0, 3, source.kind === 'zoo' ? `building ${source.name}` : source.kind === 'encoder-decoder' ? 'reading the encoder and the decoder' : 'reading the model');
  const got = await obtain(source);
  const t1 = performance.now();
  progress(1, 3, `analysing ${got.name}`);
  const { analyzeModel } = await modelAnalysis();
  const analysed = analyzeModel(got.model);
  const summary = got.warnings.length ? { ...analysed, warnings: [...got.warnings, ...analysed.warnings] } : analysed;
  const t2 = performance.now();
  progress(2, 3, 'analysed');
  return { name: got.name, bytes: got.bytes, sha256: got.sha256, summary, warnings: got.warnings, ms: { load: t1 - t0, analyze: t2 - t1 } };
}

async function obtain(source: ModelSource): Promise<Obtained> {
  switch (source.kind) {
    case 'bytes': {
      // Dropped bytes have no folder, so they cannot name external data files.
      const l = (await onnxLoader()).loadModelBytes(source.data, { name: source.name });
      return { model: l.model, name: l.name, bytes: source.data, sha256: l.sha256, warnings: l.warnings };
    }
    case 'path': {
      const l = (await onnxLoader()).loadModelFile(source.path);
      if (l.externalFiles.length > 0) {
        // Weights now live inside l.model; the runtime gets one self-contained buffer.
        const bytes = toBinary(ModelProtoSchema, l.model);
        return { model: l.model, name: l.name, bytes, sha256: l.sha256, warnings: l.warnings };
      }
      let bytes: Uint8Array;
      try { bytes = readFileSync(source.path); } catch (e) { throw new ApiFailure('bad-model', `cannot read "${source.path}" again: ${(e as Error).message}`); }
      // The loader read the file once already; make sure we keep what it checked.
      if (sha256(bytes) !== l.sha256) throw new ApiFailure('bad-model', `"${l.name}" changed while it was being opened; wait until it is fully written and open it again`);
      return { model: l.model, name: l.name, bytes, sha256: l.sha256, warnings: l.warnings };
    }
    case 'encoder-decoder': return obtainEncoderDecoder(source.encoder, source.decoder);
    case 'zoo': {
      const zoo = await modelZoo();
      const names = zoo.zooNames();
      if (!names.includes(source.name)) throw new ApiFailure('not-found', `no zoo model named "${source.name}"; choose one of: ${names.join(', ')}`);
      const model = zoo.buildZooModel(source.name);
      const bytes = toBinary(ModelProtoSchema, model);
      return { model, name: source.name, bytes, sha256: sha256(bytes), warnings: [] };
    }
  }
}

type Role = 'encoder' | 'decoder';

/** One part's model; a failure names the part and the file, so the user knows which one to fix. */
async function obtainPart(part: ModelPart, role: Role): Promise<Obtained> {
  const label = part.kind === 'bytes' ? part.name : part.path.split(/[\\/]/).pop() ?? part.path;
  try {
    return await obtain(part);
  } catch (e) {
    const err = e as Error & { code?: unknown };
    const code = e instanceof ApiFailure ? e.code : 'bad-model';
    throw new ApiFailure(code, `the ${role} "${label}" could not be read: ${err?.message ?? String(e)}`);
  }
}

/** Encoder + decoder files → one runnable autoencoder; the join records the bottleneck (the encoder's output). */
async function obtainEncoderDecoder(encoder: ModelPart, decoder: ModelPart): Promise<Obtained> {
  const enc = await obtainPart(encoder, 'encoder');
  const dec = await obtainPart(decoder, 'decoder');
  const { composeEncoderDecoder } = await import('../../core/autoencoder/compose.ts');
  let composed: ReturnType<typeof composeEncoderDecoder>;
  try {
    composed = composeEncoderDecoder(enc.model, dec.model);
  } catch (e) {
    if (e instanceof Error && e.name === 'ModelError') {
      throw new ApiFailure('bad-model', `"${enc.name}" and "${dec.name}" do not join into one autoencoder: ${e.message}`);
    }
    throw e;
  }
  const name = `${enc.name} + ${dec.name}`;
  // The views show the graph's name; the files' names say what the user opened (compose's default joins the graphs' names).
  const model = { ...composed.model, graph: { ...composed.model.graph!, name } };
  const bytes = toBinary(ModelProtoSchema, model);
  const warnings = [
    ...enc.warnings.map((w) => `encoder "${enc.name}": ${w}`),
    ...dec.warnings.map((w) => `decoder "${dec.name}": ${w}`),
    ...composed.warnings,
  ];
  return { model, name, bytes, sha256: sha256(bytes), warnings };
}
