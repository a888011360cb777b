// Convolutional autoencoder, parameterised by latent size and depth. Encoder block i:
// Conv 3×3 (16·2^i channels, pad 1) + ReLU + MaxPool 2; bottleneck: Flatten → Gemm to the latent
// vector (tensor "latent", for embedding views); decoder: Gemm → ReLU → Reshape, then one
// ConvTranspose 3×3 stride 2 per block that restores exactly the size the matching pool halved
// (even size: pad 1 + output_padding 1; odd size: pad 0), ReLU between, Sigmoid at the end.
// Default (1×28×28, depth 2, latent 32): 28→14→7, 32·7·7 = 1,568 features. Trainable parameters:
//   conv 160 + 4,640, fc 50,208 + 51,744, convT 4,624 + 145 = 111,521.
import { HE_IN, TORCH_DEFAULT, ShapeError, type Act, type Net } from './net.ts';

export const AUTOENCODER_DEFAULTS = { latent: 32, depth: 2 } as const;
const MAX_DEPTH = 6, MAX_LATENT = 65_536, MAX_BOTTLENECK_WEIGHTS = 64_000_000;

export function autoencoderChannels(block: number): number { return 16 * 2 ** block; }

export function autoencoder(net: Net, x: Act, latent: number, depth: number): Act {
  if (!Number.isInteger(latent) || latent < 1 || latent > MAX_LATENT) throw new Error(`autoencoder: latent must be an integer from 1 to ${MAX_LATENT} (got ${latent})`);
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) throw new Error(`autoencoder: depth must be an integer from 1 to ${MAX_DEPTH} (got ${depth})`);
  const inChannels = x.shape[0]!, inSize = x.shape[1]!;
  const sizes: [number, number][] = [];
  for (let i = 0; i < depth; i++) {
    const [, h, w] = x.shape as [number, number, number];
    if (h < 2 || w < 2) throw new ShapeError(`a ${inSize}-pixel input cannot be halved ${depth} times; use depth ≤ ${i} or a larger input`);
    sizes.push([h, w]);
    x = net.conv(`encoder.${3 * i}`, x, { out: autoencoderChannels(i), k: 3, pad: 1, init: HE_IN });
    x = net.relu(`encoder.${3 * i + 1}`, x);
    x = net.maxPool(`encoder.${3 * i + 2}`, x, { k: 2 });
  }
  const mapShape = [...x.shape];
  const features = mapShape.reduce((a, b) => a * b, 1);
  if (features * latent > MAX_BOTTLENECK_WEIGHTS) throw new Error(`autoencoder: the bottleneck would hold ${features} × ${latent} weights; raise depth or lower latent`);
  x = net.flatten('bottleneck.flatten', x);
  x = net.linear('bottleneck.fc', x, latent, { init: TORCH_DEFAULT, output: 'latent' });
  x = net.linear('decoder.fc', x, features, { init: HE_IN });
  x = net.relu('decoder.relu', x);
  x = net.reshape('decoder.unflatten', x, mapShape);
  for (let i = depth - 1, j = 0; i >= 0; i--, j += 2) {
    const [h] = sizes[i]!;
    const even = h % 2 === 0; // square maps: one rule for both axes
    x = net.convTranspose(`decoder.${j}`, x, {
      out: i > 0 ? autoencoderChannels(i - 1) : inChannels, k: 3, stride: 2, pad: even ? 1 : 0, outputPadding: even ? 1 : 0, init: HE_IN,
    });
    x = i > 0 ? net.relu(`decoder.${j + 1}`, x) : net.act('Sigmoid', `decoder.${j + 1}`, x, 'reconstruction');
  }
  return x;
}
