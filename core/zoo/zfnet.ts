// ZFNet (Zeiler & Fergus 2013, "Visualizing and Understanding Convolutional Networks"):
// AlexNet with a 7×7 stride-2 first layer and a stride-2 second layer. Sizes at 224 follow the
// paper's figure: 110 → pool 55 → 26 → pool 13 → 13 → 13 → 13 → pool 6; the paper's contrast
// normalisation after layers 1 and 2 is ONNX LRN (size 5, AlexNet's constants).
// Paddings: conv1 1, pool1 1, pool2 1 (needed to reproduce 110/55/13). Same head as AlexNet.
// Trainable parameters: conv 14,208 + 614,656 + 885,120 + 1,327,488 + 884,992
//   + fc 37,752,832 + 16,781,312 + 4,097,000 = 62,357,608.
import { HE_IN, type Act, type Net } from './net.ts';
import { classifierHead } from './alexnet.ts';

const LRN = { size: 5, alpha: 1e-4, beta: 0.75, bias: 2 };

export function zfnet(net: Net, x: Act): Act {
  x = net.conv('features.0', x, { out: 96, k: 7, stride: 2, pad: 1, init: HE_IN });
  x = net.relu('features.1', x);
  x = net.maxPool('features.2', x, { k: 3, stride: 2, pad: 1 });
  x = net.lrn('features.3', x, LRN);
  x = net.conv('features.4', x, { out: 256, k: 5, stride: 2, init: HE_IN });
  x = net.relu('features.5', x);
  x = net.maxPool('features.6', x, { k: 3, stride: 2, pad: 1 });
  x = net.lrn('features.7', x, LRN);
  x = net.conv('features.8', x, { out: 384, k: 3, pad: 1, init: HE_IN });
  x = net.relu('features.9', x);
  x = net.conv('features.10', x, { out: 384, k: 3, pad: 1, init: HE_IN });
  x = net.relu('features.11', x);
  x = net.conv('features.12', x, { out: 256, k: 3, pad: 1, init: HE_IN });
  x = net.relu('features.13', x);
  x = net.maxPool('features.14', x, { k: 3, stride: 2 });
  return classifierHead(net, x);
}
