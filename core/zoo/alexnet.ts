// AlexNet as torchvision builds it (single-tower, 64/192/384/256/256 filters, no LRN):
// 61,100,840 trainable parameters. Dropout is an identity at inference and is left out,
// so classifier indices skip 0 and 3 as in torchvision's state dict.
// torchvision leaves PyTorch's default init here; we use He (fan_in) for every layer followed by
// ReLU so activations keep their scale through the untrained net.
import { HE_IN, TORCH_DEFAULT, type Act, type Net } from './net.ts';

export function alexnet(net: Net, x: Act): Act {
  x = net.conv('features.0', x, { out: 64, k: 11, stride: 4, pad: 2, init: HE_IN });
  x = net.relu('features.1', x);
  x = net.maxPool('features.2', x, { k: 3, stride: 2 });
  x = net.conv('features.3', x, { out: 192, k: 5, pad: 2, init: HE_IN });
  x = net.relu('features.4', x);
  x = net.maxPool('features.5', x, { k: 3, stride: 2 });
  x = net.conv('features.6', x, { out: 384, k: 3, pad: 1, init: HE_IN });
  x = net.relu('features.7', x);
  x = net.conv('features.8', x, { out: 256, k: 3, pad: 1, init: HE_IN });
  x = net.relu('features.9', x);
  x = net.conv('features.10', x, { out: 256, k: 3, pad: 1, init: HE_IN });
  x = net.relu('features.11', x);
  x = net.maxPool('features.12', x, { k: 3, stride: 2 });
  return classifierHead(net, x);
}

/** AdaptiveAvgPool(6,6) → flatten → 4096 → 4096 → 1000 (shared by AlexNet and ZFNet). */
export function classifierHead(net: Net, x: Act): Act {
  x = net.adaptiveAvgPool('avgpool', x, 6);
  x = net.flatten('flatten', x);
  x = net.linear('classifier.1', x, 4096, { init: HE_IN });
  x = net.relu('classifier.2', x);
  x = net.linear('classifier.4', x, 4096, { init: HE_IN });
  x = net.relu('classifier.5', x);
  return net.linear('classifier.6', x, 1000, { init: TORCH_DEFAULT, output: 'logits' });
}
