// Zoo: time to build each model (weights generated from the seed) and its serialised size.
// Big models are built once (VGG16 holds 553 MB of weights); small ones take the median of 3.
import type { BenchReport } from './harness.ts';
import { median } from './harness.ts';
import { buildZooModel, trainableParamCount, zooNames, zooSpec } from '../core/zoo/index.ts';
import { toBinary, ModelProtoSchema, type ModelProto } from '../core/onnx/proto.ts';

export default async function zooBench(report: BenchReport): Promise<void> {
  for (const name of zooNames()) {
    const spec = zooSpec(name);
    const big = (spec.expectedParams ?? 0) > 20e6;
    const times: number[] = [];
    let model: ModelProto | undefined;
    for (let i = 0; i < (big ? 1 : 3); i++) {
      const t0 = performance.now();
      model = buildZooModel(name, { seed: i });
      times.push(performance.now() - t0);
    }
    const params = trainableParamCount(model!);
    const t1 = performance.now();
    const bytes = toBinary(ModelProtoSchema, model!).length;
    const serialise = performance.now() - t1;
    model = undefined;
    const note = `${params.toLocaleString('en')} params${spec.trained ? ', trained (loaded from file)' : ''}`;
    report.row({ group: 'zoo', name: `${name} build`, value: median(times), unit: 'ms', note });
    report.row({ group: 'zoo', name: `${name} build rate`, value: params / 1e6 / (median(times) / 1000), unit: 'Mparam/s' });
    report.row({ group: 'zoo', name: `${name} serialise`, value: serialise, unit: 'ms' });
    report.row({ group: 'zoo', name: `${name} size`, value: bytes / 2 ** 20, unit: 'MiB', note: `${(bytes / (4 * Math.max(1, params))).toFixed(3)} × float32 params` });
  }
}
