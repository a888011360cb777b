// The preprocessing flags shared by commands that feed images to a model (run, and later
// explain/embed): --size --mean --std --preset --gray/--rgb --resize.
import type { OptionSpec, OptionValues } from './registry.ts';
import { UsageError } from './errors.ts';
import { parseNumberList, parseSize, type PreprocessingOverrides } from '../data/preprocessing.ts';

export const PREPROCESS_OPTIONS: Record<string, OptionSpec> = {
  size: { type: 'string', arg: 'HxW', description: 'model input size (default: from the model)' },
  preset: { type: 'string', arg: 'NAME', description: 'normalisation preset: imagenet, unit ([0, 1]) or mnist' },
  mean: { type: 'string', arg: 'M', description: 'per-channel mean after scaling to [0, 1], e.g. 0.5 or 0.485,0.456,0.406' },
  std: { type: 'string', arg: 'S', description: 'per-channel standard deviation, e.g. 0.5 or 0.229,0.224,0.225' },
  gray: { type: 'boolean', description: 'feed one gray channel (RGB images are converted by luminance)' },
  rgb: { type: 'boolean', description: 'feed three channels (gray images are replicated)' },
  resize: { type: 'string', arg: 'MODE', description: 'stretch, or center-crop (shorter side, then the centre)' },
};

export function preprocessOverrides(v: OptionValues, command: string): PreprocessingOverrides {
  const o: PreprocessingOverrides = {};
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  try {
    if (str('size')) o.size = parseSize(str('size')!);
    if (str('mean')) o.mean = parseNumberList(str('mean')!, '--mean');
    if (str('std')) {
      o.std = parseNumberList(str('std')!, '--std');
      if (o.std.some((s) => !(s > 0))) throw new Error('--std values must be positive');
    }
  } catch (e) {
    throw new UsageError((e as Error).message, command);
  }
  const preset = str('preset');
  if (preset !== undefined) {
    if (preset !== 'imagenet' && preset !== 'unit' && preset !== 'mnist') throw new UsageError(`--preset must be imagenet, unit or mnist (got "${preset}")`, command);
    o.preset = preset;
  }
  if (v.gray && v.rgb) throw new UsageError('--gray and --rgb contradict each other', command);
  if (v.gray) o.channels = 1;
  if (v.rgb) o.channels = 3;
  const resize = str('resize');
  if (resize !== undefined) {
    if (resize !== 'stretch' && resize !== 'center-crop') throw new UsageError(`--resize must be stretch or center-crop (got "${resize}")`, command);
    o.resize = resize;
  }
  return o;
}
