// The "your data" folder the e2e browser host is started with (`--data`): a folder of class
// sub-folders `digits/0..2/` (20 MNIST test digits each, as PNGs) and an IDX images/labels pair.
// Regenerated at every global setup (well under a second), so it always matches this file.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadMnist } from '../../core/data/idx.ts';
import { ROOT } from './host-process.ts';

export const E2E_DATA_DIR = join(ROOT, 'tests', 'output', 'e2e-data');
export const DIGIT_CLASSES = ['0', '1', '2'];
export const PER_CLASS = 20;
/** Images in the IDX copy (the first MNIST test rows). */
export const IDX_COUNT = 100;

function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08; head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

export async function makeE2eData(dir = E2E_DATA_DIR): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  const m = loadMnist('test'), plane = m.height * m.width;
  for (const c of DIGIT_CLASSES) {
    const folder = join(dir, 'digits', c);
    mkdirSync(folder, { recursive: true });
    let k = 0;
    for (let i = 0; i < m.count && k < PER_CLASS; i++) {
      if (String(m.labels[i]) !== c) continue;
      await sharp(Buffer.from(m.images.subarray(i * plane, (i + 1) * plane)), { raw: { width: m.width, height: m.height, channels: 1 } })
        .png().toFile(join(folder, `mnist-test-${i}.png`));
      k++;
    }
  }
  writeFileSync(join(dir, 'digits-images-idx3-ubyte'), idx([IDX_COUNT, m.height, m.width], m.images.subarray(0, IDX_COUNT * plane)));
  writeFileSync(join(dir, 'digits-labels-idx1-ubyte'), idx([IDX_COUNT], m.labels.subarray(0, IDX_COUNT)));
  return dir;
}
