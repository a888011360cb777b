// Trained zoo models shipped as resources/models/<name>.onnx with a <name>.json sidecar.
// The sidecar describes the model for listing without decoding it; every field is optional and
// falls back to the model's own metadata (preprocessing, class names) and input shape.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { fromBinary, ModelProtoSchema, type ModelProto } from '../onnx/proto.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY, type Preprocessing } from '../data/types.ts';

export const sidecarSchema = z.object({
  title: z.string().optional(),
  task: z.enum(['classifier', 'autoencoder']).optional(),
  description: z.string().optional(),
  inputShape: z.array(z.number().int().positive()).optional(),
  preprocessing: z.object({
    size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    channels: z.union([z.literal(1), z.literal(3)]),
    mean: z.array(z.number()), std: z.array(z.number()),
    preset: z.enum(['imagenet', 'unit', 'mnist', 'custom']),
    resize: z.enum(['stretch', 'center-crop']),
    resizeShorter: z.number().int().positive().optional(),
  }).optional(),
  classNames: z.array(z.string()).optional(),
  params: z.number().int().nonnegative().optional(),
}).passthrough(); // training records (accuracy, epochs…) may ride along
export type TrainedSidecar = z.infer<typeof sidecarSchema>;

const NAME = /^[a-z0-9_-]+$/;
let dirOverride: string | undefined;

/** Where trained models live: setTrainedModelsDir() (packaged app), $RECEPTIVE_MODELS_DIR, or resources/models. */
export function trainedModelsDir(): string {
  return dirOverride ?? process.env.RECEPTIVE_MODELS_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../resources/models');
}
export function setTrainedModelsDir(dir: string | undefined): void { dirOverride = dir; }

/** Names with both <name>.onnx and <name>.json present. */
export function trainedNames(): string[] {
  const dir = trainedModelsDir();
  let files: string[];
  try { files = readdirSync(dir); } catch { return []; }
  const set = new Set(files);
  return files.filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5))
    .filter((n) => NAME.test(n) && set.has(`${n}.json`)).sort();
}

export function readSidecar(name: string): TrainedSidecar {
  const path = join(trainedModelsDir(), `${name}.json`);
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new Error(`trained model ${name}: cannot read ${path} (${(e as Error).message}); fix or delete the sidecar`);
  }
  const r = sidecarSchema.safeParse(raw);
  if (!r.success) throw new Error(`trained model ${name}: ${path} is not a valid sidecar: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export function loadTrainedModel(name: string): ModelProto {
  const path = join(trainedModelsDir(), `${name}.onnx`);
  if (!existsSync(path)) throw new Error(`trained model ${name}: ${path} is missing`);
  try { return fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(path))); } catch (e) {
    throw new Error(`trained model ${name}: ${path} is not a readable ONNX model (${(e as Error).message})`);
  }
}

export function metadataJson<T>(model: ModelProto, key: string): T | undefined {
  const v = model.metadataProps.find((p) => p.key === key)?.value;
  if (v === undefined) return undefined;
  try { return JSON.parse(v) as T; } catch { return undefined; }
}

/** Facts the sidecar left out, read from the model itself. */
export function describeFromModel(model: ModelProto): { inputShape?: number[]; preprocessing?: Preprocessing; classNames?: string[] } {
  const dims = model.graph?.input[0]?.type?.value.case === 'tensorType' ? model.graph.input[0].type.value.value.shape?.dim ?? [] : [];
  const fixed = dims.slice(1).map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : NaN));
  return {
    inputShape: fixed.length && fixed.every((d) => d > 0) ? fixed : undefined,
    preprocessing: metadataJson<Preprocessing>(model, PREPROCESSING_KEY),
    classNames: metadataJson<string[]>(model, CLASS_NAMES_KEY),
  };
}
