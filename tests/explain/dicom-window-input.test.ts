// The model is fed a radiograph as the reviewer windowed it, not only with the file's default window.
import { describe, expect, it } from 'vitest';
import { loadExplainInput } from '../../core/explain/input.ts';
import { PRESETS } from '../../core/data/types.ts';
import { windowValue } from '../../core/dicom/voi.ts';
import { explainInputSchema } from '../../electron/api/explain-contract.ts';
import { makeDicom } from '../dicom/make-dicom.ts';

describe('DICOM explain input with a chosen window', () => {
  it('applies the given window before the model preprocessing', async () => {
    const px = Uint16Array.from({ length: 28 * 28 }, (_, i) => (i % 28) * 100); // columns 0..2700
    const dcm = await makeDicom({ rows: 28, cols: 28, pixels: px, windows: [{ center: 1400, width: 2800 }] });
    const prep = { size: [28, 28] as [number, number], channels: 1 as const, resize: 'stretch' as const, ...PRESETS.unit };
    const byFile = await loadExplainInput(dcm, prep, [1, 28, 28]);
    const narrow = { center: 500, width: 400, fn: 'LINEAR' as const };
    const byReviewer = await loadExplainInput(dcm, prep, [1, 28, 28], { window: narrow });
    // Column 5 (value 500) sits mid-window in the narrow window; column 20 (2000) is saturated.
    expect(byReviewer.x[5]).toBeCloseTo(windowValue(500, narrow), 3);
    expect(byReviewer.x[20]).toBeCloseTo(1, 3);
    expect(byFile.x[20]).toBeCloseTo(windowValue(2000, { center: 1400, width: 2800, fn: 'LINEAR' }), 3);
    expect(byReviewer.note).toMatch(/C 500 W 400/);
  });
  it('the API schema accepts a window only with file inputs, and checks it', () => {
    const data = new Uint8Array(10);
    expect(explainInputSchema.safeParse({ kind: 'bytes', name: 'a.dcm', data, window: { center: 1, width: 2, fn: 'SIGMOID' } }).success).toBe(true);
    expect(explainInputSchema.safeParse({ kind: 'bytes', name: 'a.dcm', data, window: { center: 1, width: -2, fn: 'LINEAR' } }).success).toBe(false);
    expect(explainInputSchema.safeParse({ kind: 'sample', dataset: 'mnist-test', index: 0, window: { center: 1, width: 2, fn: 'LINEAR' } }).success).toBe(false);
  });
});
