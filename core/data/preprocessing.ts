// Which Preprocessing a model wants. Precedence, highest first: explicit overrides (CLI flags, UI),
// a JSON sidecar next to the model file, ONNX metadata (PREPROCESSING_KEY), a default inferred
// from the input shape. Partial records are completed from the layers below them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { ModelProto } from '../onnx/proto.ts';
import { CLASS_NAMES_KEY, PREPROCESSING_KEY, PRESETS, type NormPreset, type Preprocessing } from './types.ts';

export type PreprocessingSource = 'override' | 'sidecar' | 'metadata' | 'default';

export interface ResolvedPreprocessing {
  preprocessing: Preprocessing;
  /** The highest layer that contributed. */
  source: PreprocessingSource;
  /** Why the values are what they are (e.g. what was inferred), for display. */
  notes: string[];
}

export interface PreprocessingOverrides {
  size?: [number, number];
  channels?: 1 | 3;
  mean?: number[];
  std?: number[];
  preset?: Exclude<NormPreset, 'custom'>;
  resize?: 'stretch' | 'center-crop';
  resizeShorter?: number;
}

const MAX_SIDE = 16384;
const side = z.number().int().min(1).max(MAX_SIDE);
const partialSchema = z.object({
  size: z.union([z.tuple([side, side]), side]).optional(),
  channels: z.union([z.literal(1), z.literal(3)]).optional(),
  mean: z.array(z.number().finite()).min(1).max(3).optional(),
  std: z.array(z.number().finite().positive()).min(1).max(3).optional(),
  preset: z.enum(['imagenet', 'unit', 'mnist', 'custom']).optional(),
  resize: z.enum(['stretch', 'center-crop']).optional(),
  resizeShorter: side.optional(),
}).passthrough();
type PartialPrep = z.infer<typeof partialSchema>;

const sidecarSchema = z.union([
  z.object({ preprocessing: partialSchema.optional(), classNames: z.array(z.string()).optional() }).passthrough(),
  partialSchema,
]);

/** The model's first real input (initializers listed as inputs by old exporters are skipped). */
export function modelInput(model: ModelProto): { name: string; dims: (number | string)[] } | undefined {
  const g = model.graph;
  if (!g) return undefined;
  const inits = new Set(g.initializer.map((t) => t.name));
  const vi = g.input.find((i) => !inits.has(i.name));
  if (!vi) return undefined;
  const tt = vi.type?.value.case === 'tensorType' ? vi.type.value.value : undefined;
  const dims = tt?.shape?.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : '?')) ?? [];
  return { name: vi.name, dims };
}

/** A sensible default for an NCHW input: ImageNet statistics for RGB, MNIST's for 28×28 gray. */
export function defaultPreprocessing(dims: readonly (number | string)[] | undefined): { preprocessing: Preprocessing; notes: string[] } {
  const notes: string[] = [];
  const num = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : undefined);
  let channels: 1 | 3 = 3, h = num(dims?.[2]), w = num(dims?.[3]);
  if (dims && dims.length === 4) {
    const c = num(dims[1]);
    if (c === 1 || c === 3) channels = c;
    else notes.push(`input channel dimension is ${String(dims[1])}; assuming RGB`);
  } else if (dims && dims.length === 3) {
    // [C, H, W] or [N, H, W] (gray without a channel axis)
    const c = num(dims[0]);
    if (c === 1 || c === 3) { channels = c; h = num(dims[1]); w = num(dims[2]); } else { channels = 1; h = num(dims[1]); w = num(dims[2]); }
  } else {
    notes.push(`input shape [${dims?.join(', ') ?? '?'}] is not NCHW; assuming a 224×224 RGB image`);
  }
  if (!h || !w) {
    const s = channels === 1 ? 28 : 224;
    notes.push(`input height/width are not fixed; using ${s}×${s}`);
    h ??= s; w ??= s;
  }
  const preset = channels === 3 ? 'imagenet' : h === 28 && w === 28 ? 'mnist' : 'unit';
  const big = Math.min(h, w) >= 64;
  notes.push(`no preprocessing recorded with the model; assuming ${preset} normalisation for a ${channels === 3 ? 'RGB' : 'gray'} ${h}×${w} input`);
  const preprocessing: Preprocessing = {
    size: [h, w], channels, ...PRESETS[preset], mean: [...PRESETS[preset].mean], std: [...PRESETS[preset].std],
    resize: big ? 'center-crop' : 'stretch',
    ...(big ? { resizeShorter: Math.round((Math.min(h, w) * 256) / 224) } : {}),
  };
  return { preprocessing, notes };
}

function layer(base: Preprocessing, p: PartialPrep | PreprocessingOverrides): Preprocessing {
  const out: Preprocessing = { ...base, size: [...base.size], mean: [...base.mean], std: [...base.std] };
  if (p.size !== undefined) out.size = typeof p.size === 'number' ? [p.size, p.size] : [p.size[0], p.size[1]];
  if (p.channels !== undefined) out.channels = p.channels;
  if (p.preset !== undefined && p.preset !== 'custom') {
    const preset = PRESETS[p.preset];
    out.preset = preset.preset; out.mean = [...preset.mean]; out.std = [...preset.std];
  }
  if (p.mean !== undefined) { out.mean = [...p.mean]; out.preset = 'custom'; }
  if (p.std !== undefined) { out.std = [...p.std]; out.preset = 'custom'; }
  if (p.preset === 'custom') out.preset = 'custom';
  if (p.resize !== undefined) out.resize = p.resize;
  if (p.resizeShorter !== undefined) out.resizeShorter = p.resizeShorter;
  // A recorded mean/std that equals a preset keeps the preset's name (nicer display).
  if (out.preset === 'custom') {
    for (const [name, pr] of Object.entries(PRESETS)) {
      if (JSON.stringify(pr.mean) === JSON.stringify(out.mean) && JSON.stringify(pr.std) === JSON.stringify(out.std)) out.preset = name as NormPreset;
    }
  }
  return out;
}

/** Check a full preprocessing: mean/std lengths must fit the channel count. */
export function validatePreprocessing(p: Preprocessing, where: string): Preprocessing {
  for (const [k, v] of [['mean', p.mean], ['std', p.std]] as const) {
    if (v.length !== 1 && v.length !== p.channels) {
      throw new Error(`${where}: ${k} has ${v.length} values but the model takes ${p.channels} channel${p.channels === 1 ? '' : 's'} (give 1 or ${p.channels})`);
    }
  }
  if (p.std.some((s) => !(s > 0))) throw new Error(`${where}: std values must be positive`);
  if (p.resizeShorter !== undefined && p.resizeShorter < Math.min(...p.size)) {
    throw new Error(`${where}: resizeShorter ${p.resizeShorter} is smaller than the ${p.size[0]}×${p.size[1]} crop`);
  }
  return p;
}

function parsePartial(json: unknown, where: string): PartialPrep {
  const r = partialSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${where}: invalid preprocessing (${issue.path.join('.') || 'value'}: ${issue.message})`);
  }
  return r.data;
}

function metadataValue(model: ModelProto, key: string): string | undefined {
  return model.metadataProps.find((p) => p.key === key)?.value;
}

/** Sidecar candidates for a model file: model.json, then model.onnx.json. */
export function sidecarPaths(modelPath: string): string[] {
  const base = modelPath.replace(/\.onnx$/i, '');
  return base === modelPath ? [`${modelPath}.json`] : [`${base}.json`, `${modelPath}.json`];
}

interface Sidecar { path: string; preprocessing?: PartialPrep; classNames?: string[] }

function readSidecar(modelPath: string | undefined): Sidecar | undefined {
  if (!modelPath) return undefined;
  const path = sidecarPaths(modelPath).find((p) => existsSync(p) && statSync(p).isFile());
  if (!path) return undefined;
  if (statSync(path).size > 16 * 1024 ** 2) throw new Error(`${path}: sidecar file is too large to be preprocessing settings`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message}); fix or remove the sidecar file`);
  }
  const r = sidecarSchema.safeParse(json);
  if (!r.success) throw new Error(`${path}: not a preprocessing sidecar (${r.error.issues[0]!.message})`);
  const d = r.data as { preprocessing?: unknown; classNames?: string[] };
  const prep = 'preprocessing' in d && d.preprocessing !== undefined ? parsePartial(d.preprocessing, path) : parsePartial(json, path);
  return { path, preprocessing: prep, classNames: d.classNames };
}

/** Resolve the preprocessing for `model` (file at `modelPath`, if any), with optional overrides. */
export function preprocessingOf(model: ModelProto, opts: { modelPath?: string; overrides?: PreprocessingOverrides } = {}): ResolvedPreprocessing {
  const input = modelInput(model);
  const def = defaultPreprocessing(input?.dims);
  let prep = def.preprocessing;
  let source: PreprocessingSource = 'default';
  let notes = def.notes;
  const meta = metadataValue(model, PREPROCESSING_KEY);
  if (meta !== undefined) {
    let json: unknown;
    try { json = JSON.parse(meta); } catch { throw new Error(`model metadata ${PREPROCESSING_KEY} is not valid JSON`); }
    prep = layer(prep, parsePartial(json, `model metadata ${PREPROCESSING_KEY}`));
    source = 'metadata'; notes = [];
  }
  const side = readSidecar(opts.modelPath);
  if (side?.preprocessing && Object.keys(side.preprocessing).length) {
    prep = layer(prep, side.preprocessing);
    source = 'sidecar'; notes = [`preprocessing from ${side.path}`];
  }
  if (opts.overrides && Object.values(opts.overrides).some((v) => v !== undefined)) {
    prep = layer(prep, opts.overrides);
    source = 'override';
  }
  return { preprocessing: validatePreprocessing(prep, source === 'default' ? 'inferred preprocessing' : `${source} preprocessing`), source, notes };
}

/** Class names from the sidecar or the model metadata (CLASS_NAMES_KEY, a JSON array of strings). */
export function classNamesOf(model: ModelProto, modelPath?: string): string[] | undefined {
  const side = readSidecar(modelPath);
  if (side?.classNames) return side.classNames;
  const meta = metadataValue(model, CLASS_NAMES_KEY);
  if (meta === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(meta);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* fall through */ }
  return undefined; // malformed class names only cost the labels, not the run
}

/** Parse CLI-style numbers: "0.5" or "0.485,0.456,0.406". */
export function parseNumberList(text: string, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (!parts.length || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n))) {
    throw new Error(`${what}: expected a number or comma-separated numbers, got "${text}"`);
  }
  return nums;
}

/** Parse "224" or "224x224" / "224,224" into [height, width]. */
export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:[x×,](\d+))?$/i.exec(text.trim());
  if (!m) throw new Error(`--size: expected N or HxW (e.g. 224 or 28x28), got "${text}"`);
  const h = Number(m[1]), w = Number(m[2] ?? m[1]);
  if (h < 1 || w < 1 || h > MAX_SIDE || w > MAX_SIDE) throw new Error(`--size: ${h}×${w} is outside 1…${MAX_SIDE}`);
  return [h, w];
}
