// Shape inference on every zoo model vs. the shapes onnxruntime produces for all intermediate
// tensors (exposed with exposeOutputs). Small inputs and batch 1 keep it fast; each model is built once.
import { describe, it, expect } from 'vitest';
import { zooNames, zooSpec, buildZooModel, trainableParamCount, bufferNames } from '../../core/zoo/index.ts';
import { inferShapesDetailed } from '../../core/analysis/shapes.ts';
import { analyzeModel } from '../../core/analysis/summary.ts';
import { ortShapes, concrete, withoutWeights } from './helpers.ts';

describe('zoo models: inferred shapes equal onnxruntime shapes', () => {
  for (const name of zooNames()) {
    it(name, async () => {
      const spec = zooSpec(name);
      const size = spec.trained ? undefined : spec.minInputSize !== undefined ? Math.max(spec.minInputSize, Math.min(32, spec.inputShape[1]!)) : undefined;
      const model = spec.trained ? spec.build() : buildZooModel(name, { batch: 1, inputSize: size });
      // Infer from the operators alone, not from shapes the builder declared.
      model.graph!.valueInfo = [];
      const inf = inferShapesDetailed(model);
      expect(inf.warnings).toEqual([]);
      const ort = await ortShapes(withoutWeights(model), 1);
      let compared = 0;
      for (const node of model.graph!.node) {
        for (const o of node.output) {
          if (o === '' || !ort.has(o)) continue;
          expect(concrete(inf.shapes.get(o), 1), `${name}: ${node.name} (${node.opType}) → ${o}`).toEqual(ort.get(o));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(model.graph!.node.length * 0.9);
      // The analysis counts BN statistics too; without them it equals the zoo's own trainable count.
      const s = analyzeModel(model);
      const buffers = bufferNames(model);
      const bufferElements = model.graph!.initializer.filter((t) => buffers.has(t.name)).reduce((a, t) => a + t.dims.reduce((x, d) => x * Number(d), 1), 0);
      expect(s.totals.params).toBe(trainableParamCount(model));
      expect(s.totals.buffers ?? 0).toBe(bufferElements);
      if (spec.expectedParams !== undefined && (size === undefined || size === spec.inputShape[1])) expect(s.totals.params).toBe(spec.expectedParams);
      expect(s.totals.macs).toBeGreaterThan(0);
      expect(s.warnings).toEqual([]);
      const lastOf = (op: string) => s.layers.filter((l) => l.op === op).at(-1)!.receptiveField;
      if (name === 'resnet18') {
        // conv1 7/2: 7, j2; maxpool 3/2: 11, j4; layer1 4×3×3: 43; layer2 (first conv s2): 51, j8, +3 convs → 99;
        // layer3: 115, j16 → 211; layer4: 243, j32 → 435 (the published ResNet-18 value).
        expect(lastOf('Add')).toMatchObject({ size: [435, 435], jump: [32, 32] });
      }
      if (name === 'alexnet') {
        // conv1 11/4 p2: 11, j4; pool 3/2: 19, j8; conv2 5: 51; pool 3/2: 67, j16; conv3/4/5 3×3: 99, 131, 163.
        expect(lastOf('Conv')).toMatchObject({ size: [163, 163], jump: [16, 16] });
      }
    });
  }
});
