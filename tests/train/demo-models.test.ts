// The shipped demo models (resources/models, made by build/train-demo-models.ts): size, self-description,
// and the recorded metrics re-measured from the files themselves.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary, ModelProtoSchema, type ModelProto } from '../../core/onnx/proto.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY } from '../../core/data/types.ts';
import { loadMnist } from '../../core/data/idx.ts';
import { loadFashion, FASHION_CLASS_NAMES } from '../../core/data/fashion.ts';
import { imageSet } from '../../core/train/batches.ts';
import { Evaluator } from '../../core/train/trainer.ts';
import { auroc } from '../../core/train/losses.ts';
import { buildFashionCnn } from '../../core/train/fashion-cnn.ts';
import { trainableParamCount } from '../../core/zoo/params.ts';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../resources/models');
const has = (n: string) => existsSync(join(dir, `${n}.onnx`)) && existsSync(join(dir, `${n}.json`));

interface Sidecar {
  name: string; task: string; metrics: Record<string, number>; preprocessing: { mean: number[]; std: number[] };
  classNames?: string[]; trainingTimeSeconds: number; epochs: number; seed: number; inputShape: number[]; createdWith: string;
}

function open(n: string): { model: ModelProto; sc: Sidecar; bytes: number } {
  const path = join(dir, `${n}.onnx`);
  return {
    model: fromBinary(ModelProtoSchema, new Uint8Array(readFileSync(path))),
    sc: JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as Sidecar,
    bytes: statSync(path).size,
  };
}

const meta = (m: ModelProto, k: string) => m.metadataProps.find((p) => p.key === k)?.value;

async function evaluator(m: ModelProto) {
  const g = m.graph!;
  return Evaluator.create(m, [], g.input[0]!.name, g.output[0]!.name);
}

describe('fashion-cnn architecture', () => {
  it('has 206,922 parameters and 10 logits', () => {
    const m = buildFashionCnn({ seed: 1 });
    expect(trainableParamCount(m)).toBe(206_922);
    expect(m.graph!.output[0]!.name).toBe('logits');
  });
});

describe('demo models', () => {
  it.skipIf(!has('lenet5-mnist'))('lenet5-mnist: ≤ 5 MB, self-describing, recorded MNIST test accuracy re-measured and ≥ 98.5%', async () => {
    const { model, sc, bytes } = open('lenet5-mnist');
    expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(JSON.parse(meta(model, PREPROCESSING_KEY)!)).toEqual(sc.preprocessing);
    expect(JSON.parse(meta(model, CLASS_NAMES_KEY)!)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const ev = await evaluator(model);
    const r = await ev.evaluate('classification', imageSet(loadMnist('test')), sc.preprocessing, new Map());
    await ev.release();
    expect(r.accuracy!).toBeCloseTo(sc.metrics.testAccuracy!, 3);
    expect(r.accuracy!).toBeGreaterThanOrEqual(0.985);
  });

  it.skipIf(!has('fashion-cnn'))('fashion-cnn: ≤ 5 MB, class names, recorded Fashion-MNIST test accuracy re-measured and ≥ 89%', async () => {
    const { model, sc, bytes } = open('fashion-cnn');
    expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(JSON.parse(meta(model, CLASS_NAMES_KEY)!)).toEqual([...FASHION_CLASS_NAMES]);
    const ev = await evaluator(model);
    const r = await ev.evaluate('classification', imageSet(loadFashion('test')), sc.preprocessing, new Map());
    await ev.release();
    expect(r.accuracy!).toBeCloseTo(sc.metrics.testAccuracy!, 3);
    expect(r.accuracy!).toBeGreaterThanOrEqual(0.89);
  });

  it.skipIf(!has('autoencoder-mnist'))('autoencoder-mnist: recorded test MSE and MNIST-vs-Fashion AUROC re-measured', async () => {
    const { model, sc, bytes } = open('autoencoder-mnist');
    expect(bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(sc.task).toBe('autoencoder');
    const ev = await evaluator(model);
    const normal = await ev.evaluate('reconstruction', imageSet(loadMnist('test')), sc.preprocessing, new Map());
    const anomalous = await ev.evaluate('reconstruction', imageSet(loadFashion('test')), sc.preprocessing, new Map());
    await ev.release();
    expect(normal.mse!).toBeCloseTo(sc.metrics.testMse!, 5);
    expect(anomalous.mse!).toBeGreaterThan(normal.mse! * 2);
    const a = auroc(normal.perItemMse!, anomalous.perItemMse!);
    expect(a).toBeCloseTo(sc.metrics.aurocMnistVsFashion!, 4);
    expect(a).toBeGreaterThan(0.9);
  });
});
