// How an image becomes a model input. Recorded with each model (JSON sidecar or ONNX metadata
// key "receptive.preprocessing") and overridable from the CLI and UI.
export type NormPreset = 'imagenet' | 'unit' | 'mnist' | 'custom';

export interface Preprocessing {
  /** Model input size [height, width] in pixels. */
  size: [number, number];
  /** 1 = gray, 3 = RGB. Gray images feed RGB models by channel replication. */
  channels: 1 | 3;
  /** Per-channel mean and std applied after scaling pixel values to [0, 1]. */
  mean: number[];
  std: number[];
  preset: NormPreset;
  /** stretch: resize to size; center-crop: resize the shorter side (by resizeTo/size ratio) then crop. */
  resize: 'stretch' | 'center-crop';
  /** For center-crop: the shorter side before cropping (e.g. 256 for a 224 crop). */
  resizeShorter?: number;
}

export const PRESETS: Record<Exclude<NormPreset, 'custom'>, Pick<Preprocessing, 'mean' | 'std' | 'preset'>> = {
  imagenet: { preset: 'imagenet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  unit: { preset: 'unit', mean: [0], std: [1] },
  mnist: { preset: 'mnist', mean: [0.1307], std: [0.3081] },
};

/** Metadata key under which preprocessing is stored in ONNX metadata_props (JSON). */
export const PREPROCESSING_KEY = 'receptive.preprocessing';
export const CLASS_NAMES_KEY = 'receptive.class_names';
