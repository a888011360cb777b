// ResNet-18 / ResNet-50 as torchvision builds them (v1.5: the stride sits on the 3×3 conv of a
// bottleneck): 11,689,512 / 25,557,032 trainable parameters (BN running statistics are buffers).
// Init as torchvision: convs Kaiming normal fan_out, BN gamma 1 beta 0, fc PyTorch default.
// Node names follow PyTorch's exporter: a module used twice gets "relu" and "relu_1".
import { HE_OUT, TORCH_DEFAULT, type Act, type Net } from './net.ts';

type Block = (net: Net, p: string, x: Act, planes: number, stride: number) => Act;

const basic: Block = (net, p, x, planes, stride) => {
  const identity = x;
  let y = net.conv(`${p}.conv1`, x, { out: planes, k: 3, stride, pad: 1, bias: false, init: HE_OUT });
  y = net.bn(`${p}.bn1`, y);
  y = net.relu(`${p}.relu`, y);
  y = net.conv(`${p}.conv2`, y, { out: planes, k: 3, pad: 1, bias: false, init: HE_OUT });
  y = net.bn(`${p}.bn2`, y);
  const sc = shortcut(net, p, identity, planes, stride);
  return net.relu(`${p}.relu_1`, net.add(`${p}.add`, y, sc));
};

const bottleneck: Block = (net, p, x, planes, stride) => {
  const identity = x;
  let y = net.conv(`${p}.conv1`, x, { out: planes, k: 1, bias: false, init: HE_OUT });
  y = net.bn(`${p}.bn1`, y);
  y = net.relu(`${p}.relu`, y);
  y = net.conv(`${p}.conv2`, y, { out: planes, k: 3, stride, pad: 1, bias: false, init: HE_OUT });
  y = net.bn(`${p}.bn2`, y);
  y = net.relu(`${p}.relu_1`, y);
  y = net.conv(`${p}.conv3`, y, { out: planes * 4, k: 1, bias: false, init: HE_OUT });
  y = net.bn(`${p}.bn3`, y);
  const sc = shortcut(net, p, identity, planes * 4, stride);
  return net.relu(`${p}.relu_2`, net.add(`${p}.add`, y, sc));
};

/** torchvision's downsample (1×1 conv + BN) when the block changes shape, else the identity. */
function shortcut(net: Net, p: string, x: Act, out: number, stride: number): Act {
  if (stride === 1 && x.shape[0] === out) return x;
  const y = net.conv(`${p}.downsample.0`, x, { out, k: 1, stride, bias: false, init: HE_OUT });
  return net.bn(`${p}.downsample.1`, y);
}

function resnet(net: Net, x: Act, block: Block, layers: readonly number[]): Act {
  x = net.conv('conv1', x, { out: 64, k: 7, stride: 2, pad: 3, bias: false, init: HE_OUT });
  x = net.bn('bn1', x);
  x = net.relu('relu', x);
  x = net.maxPool('maxpool', x, { k: 3, stride: 2, pad: 1 });
  layers.forEach((n, li) => {
    for (let b = 0; b < n; b++) x = block(net, `layer${li + 1}.${b}`, x, 64 * 2 ** li, b === 0 && li > 0 ? 2 : 1);
  });
  x = net.globalAvgPool('avgpool', x);
  x = net.flatten('flatten', x);
  return net.linear('fc', x, 1000, { init: TORCH_DEFAULT, output: 'logits' });
}

export const resnet18 = (net: Net, x: Act): Act => resnet(net, x, basic, [2, 2, 2, 2]);
export const resnet50 = (net: Net, x: Act): Act => resnet(net, x, bottleneck, [3, 4, 6, 3]);
