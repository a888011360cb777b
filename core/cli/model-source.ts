// MODEL on the command line: a path to an .onnx file, or zoo:NAME for a built-in model.
import { readFileSync } from 'node:fs';
import type { ModelProto } from '../onnx/proto.ts';
import { loadModelFile } from '../onnx/load.ts';
import { saveModelBytes } from '../onnx/save.ts';
import { UsageError } from './errors.ts';

export interface ModelSource {
  model: ModelProto;
  /** Serialized model for onnxruntime (external data inlined); made on first use. */
  bytes(): Uint8Array;
  name: string;
  /** The file, for sidecar lookup; undefined for zoo models. */
  path?: string;
  zoo?: string;
  warnings: string[];
}

export async function openModel(spec: string): Promise<ModelSource> {
  if (spec.startsWith('zoo:')) {
    const name = spec.slice(4);
    const zoo = await import('../zoo/index.ts');
    if (!zoo.zooNames().includes(name)) throw new UsageError(`unknown zoo model "${name}"; available: ${zoo.zooNames().join(', ')}`);
    const model = zoo.buildZooModel(name);
    let bytes: Uint8Array | undefined;
    return { model, name, zoo: name, warnings: [], bytes: () => (bytes ??= saveModelBytes(model)) };
  }
  const loaded = loadModelFile(spec);
  let bytes: Uint8Array | undefined;
  // Without external data the file is the model: hand it to onnxruntime as is (no re-encoding).
  const make = () => (loaded.externalFiles.length ? saveModelBytes(loaded.model) : new Uint8Array(readFileSync(spec)));
  return { model: loaded.model, name: loaded.name, path: spec, warnings: loaded.warnings, bytes: () => (bytes ??= make()) };
}
