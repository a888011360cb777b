// GoogLeNet (Inception v1) as torchvision builds it, without the auxiliary heads: BasicConv2d
// = conv without bias + BN (eps 0.001) + ReLU, 3×3 (not 5×5) convs in branch 3, ceil-mode
// pooling. 6,624,904 trainable parameters.
// torchvision initialises with truncated N(0, 0.01); with inference-form BN (unit statistics)
// that would shrink activations ~100× per layer, so convs use He (fan_in) here instead.
import { HE_IN, TORCH_DEFAULT, type Act, type Net } from './net.ts';

function basicConv(net: Net, p: string, x: Act, out: number, k: number, stride = 1, pad = 0): Act {
  x = net.conv(`${p}.conv`, x, { out, k, stride, pad, bias: false, init: HE_IN });
  x = net.bn(`${p}.bn`, x, 0.001);
  return net.relu(`${p}.relu`, x);
}

type InceptionCfg = [ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number];

function inception(net: Net, p: string, x: Act, [c1, c3r, c3, c5r, c5, pp]: InceptionCfg): Act {
  const b1 = basicConv(net, `${p}.branch1`, x, c1, 1);
  const b2 = basicConv(net, `${p}.branch2.1`, basicConv(net, `${p}.branch2.0`, x, c3r, 1), c3, 3, 1, 1);
  const b3 = basicConv(net, `${p}.branch3.1`, basicConv(net, `${p}.branch3.0`, x, c5r, 1), c5, 3, 1, 1);
  const pooled = net.maxPool(`${p}.branch4.0`, x, { k: 3, stride: 1, pad: 1, ceil: true });
  const b4 = basicConv(net, `${p}.branch4.1`, pooled, pp, 1);
  return net.concat(p, [b1, b2, b3, b4]);
}

export function googlenet(net: Net, x: Act): Act {
  x = basicConv(net, 'conv1', x, 64, 7, 2, 3);
  x = net.maxPool('maxpool1', x, { k: 3, stride: 2, ceil: true });
  x = basicConv(net, 'conv2', x, 64, 1);
  x = basicConv(net, 'conv3', x, 192, 3, 1, 1);
  x = net.maxPool('maxpool2', x, { k: 3, stride: 2, ceil: true });
  x = inception(net, 'inception3a', x, [64, 96, 128, 16, 32, 32]);
  x = inception(net, 'inception3b', x, [128, 128, 192, 32, 96, 64]);
  x = net.maxPool('maxpool3', x, { k: 3, stride: 2, ceil: true });
  x = inception(net, 'inception4a', x, [192, 96, 208, 16, 48, 64]);
  x = inception(net, 'inception4b', x, [160, 112, 224, 24, 64, 64]);
  x = inception(net, 'inception4c', x, [128, 128, 256, 24, 64, 64]);
  x = inception(net, 'inception4d', x, [112, 144, 288, 32, 64, 64]);
  x = inception(net, 'inception4e', x, [256, 160, 320, 32, 128, 128]);
  x = net.maxPool('maxpool4', x, { k: 2, stride: 2, ceil: true });
  x = inception(net, 'inception5a', x, [256, 160, 320, 32, 128, 128]);
  x = inception(net, 'inception5b', x, [384, 192, 384, 48, 128, 128]);
  x = net.globalAvgPool('avgpool', x);
  x = net.flatten('flatten', x);
  return net.linear('fc', x, 1000, { init: TORCH_DEFAULT, output: 'logits' });
}
