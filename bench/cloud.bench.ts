// Embedding clouds: feature extraction of 10,000 MNIST test digits through the trained LeNet-5
// (penultimate layer, batches of 64 on the runtime worker), the cache hit of a second look, and the
// whole `embed` path to a 2-D PCA cloud. The WebGL frame time of a 200,000-point cloud needs a
// browser: tests/e2e/embeddings.spec.ts measures it and writes tests/output/embeddings-bench.json.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from './harness.ts';
import { buildZooModel } from '../core/zoo/index.ts';
import { Runtime } from '../core/runtime/index.ts';
import { builtinSet, extractFeatures, FeatureCache, project, embeddingQuality } from '../core/features/index.ts';

export default async function cloudBench(report: BenchReport): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-cloud-bench-'));
  const runtime = await Runtime.create({ provider: 'cpu' });
  try {
    const model = buildZooModel('lenet5-mnist');
    const set = builtinSet('mnist-test');
    const cache = new FeatureCache(dir);
    let t0 = performance.now();
    const f = await extractFeatures(model, runtime, set, { cache });
    const cold = performance.now() - t0;
    report.row({ group: 'cloud', name: 'extract 10k MNIST, lenet5-mnist penultimate (84-d)', value: cold / 1000, unit: 's', target: '≤ 15 s', ok: cold <= 15_000 });
    t0 = performance.now();
    const again = await extractFeatures(model, runtime, set, { cache: new FeatureCache(dir) });
    const warm = performance.now() - t0;
    report.row({ group: 'cloud', name: 'second look (disk cache)', value: warm / 1000, unit: 's', target: '≤ 1.5 s', ok: again.cached && warm <= 1500 });
    t0 = performance.now();
    const p = await project(f.features, f.n, f.d, { method: 'pca', dims: 2 });
    const q = embeddingQuality(f.features, f.n, f.d, p.coords, 2, f.labels);
    report.row({ group: 'cloud', name: 'PCA 2-D + quality (10k)', value: (performance.now() - t0) / 1000, unit: 's', note: `trust ${q.trustworthiness.toFixed(3)}, 10-NN ${q.knnAccuracy?.toFixed(3)}` });
    const e2e = join(import.meta.dirname, '..', 'tests', 'output', 'embeddings-bench.json');
    if (existsSync(e2e)) report.log(`200k-point frame times from the last e2e run: ${readFileSync(e2e, 'utf8').replace(/\s+/g, ' ')}`);
  } finally {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
