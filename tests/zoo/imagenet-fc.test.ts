// AlexNet and ZFNet: big fully connected heads (61–62 M parameters) behind AdaptiveAvgPool(6, 6).
import { describe, expect } from 'vitest';
import type { ModelProto } from '../../core/onnx/proto.ts';
import { imagenetTests } from './imagenet-cases.ts';

describe('alexnet', () => {
  imagenetTests({
    // 63: conv1 → 15, pool → 7, conv2 → 7, pool → 3, convs → 3, pool → 1
    name: 'alexnet', params: 61_100_840, bnCount: 0, minSize: 63,
    weight: { name: 'features.0.weight', dims: [64, 3, 11, 11], fan: 3 * 11 * 11 },
    probe: { name: 'features.12', shape: [256, 6, 6] },
    // AdaptiveAvgPool(6, 6): nothing at 224 (the map is already 6×6); at 63 the 1×1 map is
    // replicated to 6×6 as torch does, by constant averaging matrices (not parameters).
    at224: (m) => expect(avgpoolOps(m)).toEqual([]),
    atMin: (m) => {
      expect(avgpoolOps(m)).toEqual(['Constant', 'Constant', 'MatMul', 'MatMul']);
      expect(m.graph!.valueInfo.find((v) => v.name === 'features.12')).toBeDefined();
    },
  });
});

function avgpoolOps(m: ModelProto): string[] {
  return m.graph!.node.filter((n) => n.name.startsWith('avgpool')).map((n) => n.opType);
}

describe('zfnet', () => {
  // 62,357,608 = conv 14,208 + 614,656 + 885,120 + 1,327,488 + 884,992 + fc 37,752,832 + 16,781,312 + 4,097,000
  imagenetTests({
    // 53: conv1 → 25, pool → 13, conv2 → 5, pool → 3, convs → 3, pool → 1
    name: 'zfnet', params: 62_357_608, bnCount: 0, minSize: 53,
    weight: { name: 'features.8.weight', dims: [384, 256, 3, 3], fan: 256 * 9 },
    probe: { name: 'features.6', shape: [256, 13, 13] }, // the paper's 110 → 55 → 26 → 13
  });
});
