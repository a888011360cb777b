// LeNet-5 for 1×28×28 digits, in its modern form: ReLU and 2×2 max pooling instead of the
// original tanh and trainable subsampling (it trains faster and gives sharper activation maps;
// the layer sizes are LeCun's: C1 6@5×5 with pad 2 so 28→28, C3 16@5×5, F5 120, F6 84, 10).
// Trainable parameters: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
import { HE_IN, TORCH_DEFAULT, type Act, type Net } from './net.ts';

export function lenet5(net: Net, x: Act): Act {
  x = net.conv('features.0', x, { out: 6, k: 5, pad: 2, init: HE_IN });
  x = net.relu('features.1', x);
  x = net.maxPool('features.2', x, { k: 2 });
  x = net.conv('features.3', x, { out: 16, k: 5, init: HE_IN });
  x = net.relu('features.4', x);
  x = net.maxPool('features.5', x, { k: 2 });
  x = net.flatten('flatten', x);
  x = net.linear('classifier.0', x, 120, { init: HE_IN });
  x = net.relu('classifier.1', x);
  x = net.linear('classifier.2', x, 84, { init: HE_IN });
  x = net.relu('classifier.3', x);
  return net.linear('classifier.4', x, 10, { init: TORCH_DEFAULT, output: 'logits' });
}
