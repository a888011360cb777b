// VGG16 (configuration D) as torchvision builds it: 138,357,544 trainable parameters.
// Init as torchvision: convs Kaiming normal fan_out, Linear N(0, 0.01), biases 0.
// Dropout (identity at inference) is left out; classifier indices keep torchvision's numbering.
import { HE_OUT, type Act, type Net } from './net.ts';

const CFG_D: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
const LINEAR = { kind: 'normal', std: 0.01 } as const;

export function vgg16(net: Net, x: Act): Act {
  let i = 0;
  for (const v of CFG_D) {
    if (v === 'M') { x = net.maxPool(`features.${i++}`, x, { k: 2 }); continue; }
    x = net.conv(`features.${i++}`, x, { out: v, k: 3, pad: 1, init: HE_OUT });
    x = net.relu(`features.${i++}`, x);
  }
  x = net.adaptiveAvgPool('avgpool', x, 7);
  x = net.flatten('flatten', x);
  x = net.linear('classifier.0', x, 4096, { init: LINEAR });
  x = net.relu('classifier.1', x);
  x = net.linear('classifier.3', x, 4096, { init: LINEAR });
  x = net.relu('classifier.4', x);
  return net.linear('classifier.6', x, 1000, { init: LINEAR, output: 'logits' });
}
