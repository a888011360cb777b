// VGG16 (138 M parameters, 553 MB of weights): built once, run at 224.
import { describe, expect } from 'vitest';
import { imagenetTests } from './imagenet-cases.ts';
import { initializer, meanStd } from './helpers.ts';

describe('vgg16', () => {
  imagenetTests({
    // 32 = 2⁵: five 2×2 pools; the adaptive 1×1 → 7×7 path runs in onnxruntime for AlexNet
    name: 'vgg16', params: 138_357_544, bnCount: 0, minSize: 32, buildAtMin: false,
    weight: { name: 'features.28.weight', dims: [512, 512, 3, 3], fan: 512 * 9 }, // fan_out as torchvision
    probe: { name: 'features.30', shape: [512, 7, 7] },
    at224: (m) => {
      expect(m.graph!.node.filter((n) => n.name.startsWith('avgpool'))).toEqual([]); // already 7×7
      const fc = meanStd(initializer(m, 'classifier.6.weight')); // torchvision: N(0, 0.01)
      expect(fc.std).toBeGreaterThan(0.0099);
      expect(fc.std).toBeLessThan(0.0101);
    },
  });
});
