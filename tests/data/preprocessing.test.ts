import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, type Dim } from '../../core/onnx/builder.ts';
import {
  preprocessingOf, defaultPreprocessing, classNamesOf, parseSize, parseNumberList, sidecarPaths, modelInput,
} from '../../core/data/preprocessing.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY } from '../../core/data/types.ts';

function model(dims: Dim[], metadata: Record<string, string> = {}) {
  const g = new GraphBuilder('m');
  const x = g.input('x', dims);
  g.output(g.op('Relu', [x]), dims);
  return g.build({ metadata });
}

describe('preprocessing resolution', () => {
  it('infers ImageNet centre-crop for a 3×224×224 input', () => {
    const r = preprocessingOf(model(['N', 3, 224, 224]));
    expect(r.source).toBe('default');
    expect(r.preprocessing).toEqual({
      size: [224, 224], channels: 3, preset: 'imagenet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
      resize: 'center-crop', resizeShorter: 256,
    });
    expect(r.notes.join(' ')).toMatch(/no preprocessing recorded/);
  });

  it('infers MNIST statistics and stretching for a 1×28×28 input; unit for other gray sizes', () => {
    expect(defaultPreprocessing([1, 1, 28, 28]).preprocessing).toEqual({ size: [28, 28], channels: 1, preset: 'mnist', mean: [0.1307], std: [0.3081], resize: 'stretch' });
    expect(defaultPreprocessing([1, 1, 32, 32]).preprocessing.preset).toBe('unit');
    const sym = defaultPreprocessing(['N', 3, 'H', 'W']);
    expect(sym.preprocessing.size).toEqual([224, 224]);
    expect(sym.notes.join(' ')).toMatch(/not fixed/);
  });

  it('reads the ONNX metadata key, completing a partial record from the shape', () => {
    const m = model([1, 3, 32, 32], { [PREPROCESSING_KEY]: JSON.stringify({ preset: 'unit', resize: 'stretch' }) });
    const r = preprocessingOf(m);
    expect(r.source).toBe('metadata');
    expect(r.preprocessing).toMatchObject({ size: [32, 32], channels: 3, preset: 'unit', mean: [0], std: [1], resize: 'stretch' });
  });

  it('a sidecar next to the model wins over metadata; CLI overrides win over both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'receptive-prep-'));
    const path = join(dir, 'net.onnx');
    writeFileSync(join(dir, 'net.json'), JSON.stringify({ preprocessing: { mean: [0.5], std: [0.25] }, classNames: ['a', 'b'] }));
    const m = model([1, 1, 28, 28], { [PREPROCESSING_KEY]: JSON.stringify({ preset: 'unit' }), [CLASS_NAMES_KEY]: '["x","y"]' });
    const r = preprocessingOf(m, { modelPath: path });
    expect(r.source).toBe('sidecar');
    expect(r.preprocessing).toMatchObject({ preset: 'custom', mean: [0.5], std: [0.25] });
    expect(classNamesOf(m, path)).toEqual(['a', 'b']);
    expect(classNamesOf(m)).toEqual(['x', 'y']);
    const o = preprocessingOf(m, { modelPath: path, overrides: { preset: 'mnist', size: [14, 14] } });
    expect(o.source).toBe('override');
    expect(o.preprocessing).toMatchObject({ preset: 'mnist', mean: [0.1307], std: [0.3081], size: [14, 14] });
  });

  it('bad records are clear errors', () => {
    expect(() => preprocessingOf(model([1, 3, 8, 8], { [PREPROCESSING_KEY]: '{oops' }))).toThrow(/metadata receptive.preprocessing is not valid JSON/);
    expect(() => preprocessingOf(model([1, 3, 8, 8], { [PREPROCESSING_KEY]: '{"std":[0]}' }))).toThrow(/invalid preprocessing \(std.0/);
    expect(() => preprocessingOf(model([1, 1, 8, 8]), { overrides: { mean: [0.1, 0.2, 0.3] } })).toThrow(/mean has 3 values but the model takes 1 channel/);
    const dir = mkdtempSync(join(tmpdir(), 'receptive-prep-'));
    writeFileSync(join(dir, 'bad.json'), 'not json');
    expect(() => preprocessingOf(model([1, 3, 8, 8]), { modelPath: join(dir, 'bad.onnx') })).toThrow(/bad\.json: not valid JSON/);
  });

  it('skips initializers listed as graph inputs', () => {
    const g = new GraphBuilder('old');
    const w = g.initializer('w', new Float32Array(4), [4]);
    const x = g.input('x', [1, 1, 2, 2]);
    g.output(g.op('Relu', [x]));
    const m = g.build();
    m.graph!.input.unshift({ ...m.graph!.input[0]!, name: w });
    expect(modelInput(m)!.name).toBe('x');
  });

  it('parses CLI values', () => {
    expect(parseSize('224')).toEqual([224, 224]);
    expect(parseSize('28x32')).toEqual([28, 32]);
    expect(() => parseSize('big')).toThrow(/expected N or HxW/);
    expect(parseNumberList('0.485, 0.456,0.406', '--mean')).toEqual([0.485, 0.456, 0.406]);
    expect(() => parseNumberList('a,b', '--mean')).toThrow(/--mean: expected a number/);
    expect(sidecarPaths('/m/resnet.onnx')).toEqual(['/m/resnet.json', '/m/resnet.onnx.json']);
  });
});
