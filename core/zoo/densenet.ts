// DenseNet-121 as torchvision builds it (growth 32, bn_size 4, blocks 6/12/24/16, 64 initial
// features, compression 0.5): 7,978,856 trainable parameters.
// Init as torchvision: convs Kaiming normal (fan_in), BN gamma 1 beta 0, classifier bias 0.
// A dense layer's input (torch.cat of all earlier outputs) is kept as one growing Concat:
// the same tensor, one node per layer instead of one concat of k inputs per layer.
import { HE_IN, TORCH_DEFAULT, type Act, type Net } from './net.ts';

const GROWTH = 32, BN_SIZE = 4;

function denseLayer(net: Net, p: string, x: Act): Act {
  let y = net.bn(`${p}.norm1`, x);
  y = net.relu(`${p}.relu1`, y);
  y = net.conv(`${p}.conv1`, y, { out: BN_SIZE * GROWTH, k: 1, bias: false, init: HE_IN });
  y = net.bn(`${p}.norm2`, y);
  y = net.relu(`${p}.relu2`, y);
  return net.conv(`${p}.conv2`, y, { out: GROWTH, k: 3, pad: 1, bias: false, init: HE_IN });
}

export function densenet121(net: Net, x: Act): Act {
  x = net.conv('features.conv0', x, { out: 64, k: 7, stride: 2, pad: 3, bias: false, init: HE_IN });
  x = net.bn('features.norm0', x);
  x = net.relu('features.relu0', x);
  x = net.maxPool('features.pool0', x, { k: 3, stride: 2, pad: 1 });
  const blocks = [6, 12, 24, 16];
  blocks.forEach((n, bi) => {
    const p = `features.denseblock${bi + 1}`;
    for (let l = 1; l <= n; l++) {
      const y = denseLayer(net, `${p}.denselayer${l}`, x);
      x = net.concat(l === n ? p : `${p}.denselayer${l}.cat`, [x, y]);
    }
    if (bi < blocks.length - 1) {
      const t = `features.transition${bi + 1}`;
      x = net.bn(`${t}.norm`, x);
      x = net.relu(`${t}.relu`, x);
      x = net.conv(`${t}.conv`, x, { out: x.shape[0]! / 2, k: 1, bias: false, init: HE_IN });
      x = net.avgPool(`${t}.pool`, x, { k: 2, stride: 2 });
    }
  });
  x = net.bn('features.norm5', x);
  x = net.relu('relu', x);
  x = net.globalAvgPool('avgpool', x);
  x = net.flatten('flatten', x);
  return net.linear('classifier', x, 1000, { init: TORCH_DEFAULT, output: 'logits' });
}
