// Opening an autoencoder from files: one model (input → reconstruction), or an encoder and a decoder
// file composed into one (see compose.ts). Preprocessing comes from the model/sidecar unless given.
import type { ModelProto } from '../onnx/proto.ts';
import { loadModelFile } from '../onnx/load.ts';
import type { Preprocessing } from '../data/types.ts';
import { preprocessingOf, type PreprocessingOverrides } from '../data/preprocessing.ts';
import type { Runtime } from '../runtime/index.ts';
import { composeEncoderDecoder } from './compose.ts';
import { AutoencoderWorkbench } from './workbench.ts';

export interface OpenAeOptions {
  decoder?: string;
  bottleneck?: string;
  overrides?: PreprocessingOverrides;
  name?: string;
}

export interface OpenedAe { workbench: AutoencoderWorkbench; model: ModelProto; preprocessing: Preprocessing; notes: string[] }

/** Model from a path or `zoo:NAME`. */
async function modelFrom(spec: string): Promise<{ model: ModelProto; path?: string; name: string }> {
  if (spec.startsWith('zoo:')) {
    const zoo = await import('../zoo/index.ts');
    const name = spec.slice(4);
    if (!zoo.zooNames().includes(name)) throw new Error(`unknown zoo model "${name}"; available: ${zoo.zooNames().join(', ')}`);
    return { model: zoo.buildZooModel(name), name };
  }
  const l = loadModelFile(spec);
  return { model: l.model, path: spec, name: l.name };
}

export async function openAutoencoderModel(model: ModelProto, runtime: Runtime, o: OpenAeOptions & { modelPath?: string } = {}): Promise<OpenedAe> {
  const prep = preprocessingOf(model, { modelPath: o.modelPath, overrides: o.overrides });
  const workbench = await AutoencoderWorkbench.open(runtime, model, { name: o.name, bottleneck: o.bottleneck, preprocessing: prep.preprocessing });
  return { workbench, model, preprocessing: prep.preprocessing, notes: [...prep.notes] };
}

export async function openAutoencoder(runtime: Runtime, spec: string, o: OpenAeOptions = {}): Promise<OpenedAe> {
  const first = await modelFrom(spec);
  if (!o.decoder) return openAutoencoderModel(first.model, runtime, { ...o, modelPath: first.path, name: o.name ?? first.name });
  const dec = await modelFrom(o.decoder);
  const c = composeEncoderDecoder(first.model, dec.model);
  const r = await openAutoencoderModel(c.model, runtime, { ...o, bottleneck: o.bottleneck ?? c.bottleneck, modelPath: first.path, name: o.name ?? `${first.name}+${dec.name}` });
  r.notes.push(...c.warnings);
  return r;
}
