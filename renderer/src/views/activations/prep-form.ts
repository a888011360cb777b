// The preprocessing form: what the host reports ⇄ the editable fields ⇄ setInput overrides.
import type { ApiRequest, InputSet } from '../../../../electron/api/contract.ts';

export type PrepOverrides = NonNullable<ApiRequest<'setInput'>['preprocessing']>;

export interface PrepForm {
  height: number;
  width: number;
  channels: 1 | 3;
  preset: 'imagenet' | 'unit' | 'mnist' | 'custom';
  mean: string;
  std: string;
  resize: 'stretch' | 'center-crop';
}

const PRESET_NAMES = ['imagenet', 'unit', 'mnist'] as const;

export function prepFormOf(p: InputSet['preprocessing']): PrepForm {
  const preset = (PRESET_NAMES as readonly string[]).includes(p.preset) ? (p.preset as PrepForm['preset']) : 'custom';
  return {
    height: p.size[0], width: p.size[1], channels: p.channels, preset,
    mean: p.mean.join(', '), std: p.std.join(', '), resize: p.resize ?? 'stretch',
  };
}

function numbers(text: string, what: string, positive: boolean): number[] | string {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const v = parts.map(Number);
  if (parts.length < 1 || parts.length > 3 || v.some((x) => !Number.isFinite(x) || (positive && x <= 0))) {
    return `${what} must be 1 or 3 ${positive ? 'positive ' : ''}numbers separated by commas (e.g. ${positive ? '0.229, 0.224, 0.225' : '0.485, 0.456, 0.406'})`;
  }
  return v;
}

/** Overrides for setInput, or a message saying which field is wrong. */
export function overridesFrom(f: PrepForm): PrepOverrides | string {
  const h = Math.floor(Number(f.height)), w = Math.floor(Number(f.width));
  if (!(h >= 1 && h <= 4096 && w >= 1 && w <= 4096)) return 'the size must be two whole numbers from 1 to 4096';
  const o: PrepOverrides = { size: [h, w], channels: f.channels, resize: f.resize };
  if (f.preset !== 'custom') { o.preset = f.preset; return o; }
  const mean = numbers(f.mean, 'the mean', false);
  if (typeof mean === 'string') return mean;
  const std = numbers(f.std, 'the std', true);
  if (typeof std === 'string') return std;
  o.mean = mean; o.std = std;
  return o;
}
