// MNIST digits as float rows in [0, 1] for embeddings, tests and benches (test split first, then
// train, so 70,000 = test + train and the first 10,000 are the usual test set).
import { loadMnist } from '../data/idx.ts';

export interface MnistRows { data: Float32Array; labels: Uint8Array; n: number; d: number }

export function loadMnistRows(count = 10_000): MnistRows {
  if (!Number.isInteger(count) || count < 1 || count > 70_000) throw new Error(`loadMnistRows: count must be 1..70000 (got ${count})`);
  const test = loadMnist('test');
  const d = test.height * test.width;
  const parts = [test];
  if (count > test.count) parts.push(loadMnist('train'));
  const data = new Float32Array(count * d), labels = new Uint8Array(count);
  let i = 0;
  for (const p of parts) {
    for (let r = 0; r < p.count && i < count; r++, i++) {
      for (let j = 0; j < d; j++) data[i * d + j] = p.images[r * d + j]! / 255;
      labels[i] = p.labels[r]!;
    }
  }
  return { data, labels, n: count, d };
}
