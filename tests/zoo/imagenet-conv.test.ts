// GoogLeNet, ResNet-18/50 and DenseNet-121: BN-heavy convolutional models.
import { describe, expect, it } from 'vitest';
import { buildZooModel } from '../../core/zoo/index.ts';
import { imagenetTests } from './imagenet-cases.ts';

describe('googlenet', () => {
  // 3 stem BasicConv2d + 9 inception modules × 6 = 57 BN layers
  imagenetTests({
    name: 'googlenet', params: 6_624_904, bnCount: 57, minSize: 31, // 31 → 16 → 8 → 4 → 2 → 1 (ceil-mode pools)
    weight: { name: 'inception4e.branch2.1.conv.weight', dims: [320, 160, 3, 3], fan: 160 * 9 },
    probe: { name: 'inception5b', shape: [1024, 7, 7] },
  });
});

describe('resnet18', () => {
  imagenetTests({
    name: 'resnet18', params: 11_689_512, bnCount: 20, minSize: 1, // padded windows and global pooling accept 1×1
    weight: { name: 'layer3.1.conv1.weight', dims: [256, 256, 3, 3], fan: 256 * 9 },
    probe: { name: 'layer4.1.relu_1', shape: [512, 7, 7] },
  });
  it('same seed → identical weights; another seed → different weights', () => {
    const a = buildZooModel('resnet18', { seed: 5 }), b = buildZooModel('resnet18', { seed: 5 }), c = buildZooModel('resnet18', { seed: 6 });
    const init = (m: typeof a) => m.graph!.initializer;
    expect(init(a).map((t) => t.name)).toEqual(init(b).map((t) => t.name));
    for (let i = 0; i < init(a).length; i++) expect(Buffer.from(init(a)[i]!.rawData).equals(Buffer.from(init(b)[i]!.rawData))).toBe(true);
    const conv = (m: typeof a) => Buffer.from(init(m).find((t) => t.name === 'layer1.0.conv1.weight')!.rawData);
    expect(conv(a).equals(conv(c))).toBe(false);
  });
});

describe('resnet50', () => {
  // 1 stem + 16 blocks × 3 + 4 downsample = 53 BN layers
  imagenetTests({
    name: 'resnet50', params: 25_557_032, bnCount: 53, minSize: 1,
    weight: { name: 'layer4.0.conv2.weight', dims: [512, 512, 3, 3], fan: 512 * 9 },
    probe: { name: 'layer4.2.relu_2', shape: [2048, 7, 7] },
  });
});

describe('densenet121', () => {
  // norm0 + 58 layers × 2 + 3 transitions + norm5 = 121 BN layers
  imagenetTests({
    name: 'densenet121', params: 7_978_856, bnCount: 121, minSize: 29, // 29 → 15 → 8 → 4 → 2 → 1 (three 2×2 transitions)
    weight: { name: 'features.denseblock3.denselayer24.conv1.weight', dims: [128, 992, 1, 1], fan: 992 },
    probe: { name: 'features.denseblock4', shape: [1024, 7, 7] },
  });
});
