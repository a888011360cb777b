// One shared check for the ImageNet-shaped zoo models; each test file runs a subset so the two
// vitest workers split the work (build each big model once per file).
import { expect, it } from 'vitest';
import { buildZooModel, trainableParamCount, zooSpec, BUFFERS_KEY } from '../../core/zoo/index.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY } from '../../core/data/types.ts';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { initializer, initializerDims, meanStd, metadata, runModel, testInput } from './helpers.ts';

export interface ImagenetCase {
  name: string;
  params: number;
  /** A weight, its dims, and the fan its He std uses (undefined: not He-initialised). */
  weight: { name: string; dims: number[]; fan?: number; std?: number };
  /** An intermediate tensor and its [C, H, W] at 224. */
  probe: { name: string; shape: number[] };
  bnCount: number;
  /** Extra structural checks on the model built at 224 and at the smallest size. */
  at224?: (m: ModelProto) => void;
  atMin?: (m: ModelProto) => void;
  /** Known smallest input size; with buildAtMin false the net is not rebuilt there (VGG16: 553 MB twice is too slow for a unit test). */
  minSize: number;
  buildAtMin?: boolean;
}

function valueInfoDims(model: ModelProto): Map<string, number[]> {
  return new Map(model.graph!.valueInfo.map((v) => [v.name, (v.type!.value.value as { shape: { dim: { value: { value: unknown } }[] } }).shape.dim.map((d) => Number(d.value.value))]));
}

export function imagenetTests(c: ImagenetCase): void {
  it(`${c.name}: ${c.params.toLocaleString('en')} trainable params, He init, torchvision names, runs at 224`, async () => {
    let model: ModelProto | undefined = buildZooModel(c.name, { batch: 1, seed: 11 });
    expect(trainableParamCount(model)).toBe(c.params);
    expect(zooSpec(c.name).expectedParams).toBe(c.params);
    const buffers = JSON.parse(metadata(model, BUFFERS_KEY)!) as string[];
    expect(buffers).toHaveLength(2 * c.bnCount);
    expect(model.graph!.node.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(c.bnCount);
    expect(buffers.every((b) => /\.running_(mean|var)$/.test(b))).toBe(true);
    expect(JSON.parse(metadata(model, PREPROCESSING_KEY)!)).toMatchObject({ size: [224, 224], channels: 3, preset: 'imagenet', mean: [0.485, 0.456, 0.406], resizeShorter: 256 });
    expect((JSON.parse(metadata(model, CLASS_NAMES_KEY)!) as string[])[999]).toBe('class 999');
    expect(initializerDims(model, c.weight.name)).toEqual(c.weight.dims);
    c.at224?.(model);
    const w = meanStd(initializer(model, c.weight.name));
    const std = c.weight.std ?? Math.sqrt(2 / c.weight.fan!);
    expect(w.std / std).toBeGreaterThan(0.95);
    expect(w.std / std).toBeLessThan(1.05);
    expect(Math.abs(w.mean)).toBeLessThan(0.05 * std);
    const r = await runModel(model, testInput(3 * 224 * 224), [1, 3, 224, 224], [c.probe.name]);
    model = undefined; // let the weights go before the next build
    expect(r.logits!.dims).toEqual([1, 1000]);
    expect(r.logits!.data.every(Number.isFinite)).toBe(true);
    expect(meanStd(r.logits!.data).std).toBeGreaterThan(0);
    expect(r[c.probe.name]!.dims).toEqual([1, ...c.probe.shape]);
  });

  it(`${c.name}: runs at its smallest input size with every intermediate shape as recorded, refuses one pixel less`, async () => {
    const min = zooSpec(c.name).minInputSize!;
    expect(min).toBe(c.minSize);
    if (min > 1) expect(() => buildZooModel(c.name, { inputSize: min - 1 })).toThrow(new RegExp(`${c.name}: input size ${min - 1} is too small .*smallest input size is ${min}`));
    if (c.buildAtMin === false) return;
    const model = buildZooModel(c.name, { batch: 1, inputSize: min });
    expect(trainableParamCount(model)).toBe(c.params); // adaptive/global pooling: weights do not depend on size
    c.atMin?.(model);
    const expected = valueInfoDims(model);
    const r = await runModel(model, testInput(3 * min * min, 2), [1, 3, min, min], [...expected.keys()]);
    expect(r.logits!.dims).toEqual([1, 1000]);
    expect(r.logits!.data.every(Number.isFinite)).toBe(true);
    for (const [name, dims] of expected) expect([name, r[name]!.dims]).toEqual([name, dims]);
  });
}
