// What the Heatmaps tab remembers per open model: the input, its decoded display image and window,
// the explain results per target class, display settings, and the data-set ranges per method
// (for "per data set" normalisation: one range over every input explained so far).
import type { OpenedModel } from '../../../../electron/api/contract.ts';
import type { ExplainInputSource, ExplainResult, FaithfulnessResult, SanityCheckResult } from '../../../../electron/api/explain-contract.ts';
import type { ReviewImage } from '../../../../electron/api/image-review-contract.ts';
import type { Window } from '../../../../core/dicom/voi.ts';
import type { Range } from '../../lib/saliency-display.ts';

export type NormMode = 'image' | 'dataset';
export type Layout = 'overlay' | 'side';

export interface TrustEntry { faithfulness?: FaithfulnessResult; sanity?: SanityCheckResult; busy?: 'faithfulness' | 'sanity'; jobId?: string; error?: string }

export class HeatmapsState {
  source = $state.raw<ExplainInputSource>({ kind: 'sample', dataset: 'mnist-test', index: 0 });
  sampleDataset = $state<'mnist-test' | 'fashion-test'>('mnist-test');
  sampleIndex = $state(0);
  image = $state.raw<ReviewImage | null>(null);
  /** Where the current input came from when another view sent it ("from embedding: …"), else null. */
  origin = $state<string | null>(null);
  /** The last app.inputRequest applied here (not reactive: it only guards against applying twice). */
  appliedRequest = 0;
  window = $state.raw<Window | null>(null);

  /** The input for explain calls: a DICOM goes with the reviewer's current window, so the model
   *  sees the image as windowed on screen. */
  get explainSource(): ExplainInputSource {
    const src = this.source, w = this.window;
    // Only files and dropped bytes can be DICOM; samples and embedding points are 8-bit images.
    if (src.kind === 'sample' || src.kind === 'embedding' || !w || this.image?.kind !== 'dicom') return src;
    return { ...src, window: { center: w.center, width: w.width, fn: w.fn } };
  }
  methods = $state<string[]>(['gradcam', 'occlusion']);
  /** The layer of CAM methods (a node name); '' = the explainer's default (last spatial layer). */
  layer = $state('');
  /** Target class: null = the predicted class. */
  target = $state<number | null>(null);
  /** Results per target key ('top1' or the class index) for the current input. */
  results = $state.raw<Map<string, ExplainResult>>(new Map());
  /** One method for every top-k class side by side (class index → result), when `compare` is on. */
  classResults = $state.raw<Map<number, ExplainResult>>(new Map());
  compare = $state(false);
  topK = $state.raw<{ index: number; label: string; probability: number }[]>([]);
  colormap = $state('jet');
  /** Signed maps (evidence for and against) in the diverging red–blue map, 0 in the middle. */
  divergingForSigned = $state(true);
  opacity = $state(0.5);
  threshold = $state(0.1);
  contours = $state('0.5, 0.8');
  showContours = $state(true);
  norm = $state<NormMode>('image');
  layout = $state<Layout>('overlay');
  /** method → range over all inputs explained in this session, and how many maps went in. */
  datasetRanges = $state.raw<Map<string, { range: Range; count: number }>>(new Map());
  /** `${input}|${method}|${class}` already folded into datasetRanges (re-runs are not counted twice). */
  readonly counted = new Set<string>();
  /** `${targetKey}|${method}` → faithfulness / sanity-check results. */
  trust = $state.raw<Map<string, TrustEntry>>(new Map());
  autoTried = false;

  setTrust(key: string, patch: Partial<TrustEntry>): void {
    const next = new Map(this.trust);
    next.set(key, { ...next.get(key), ...patch });
    this.trust = next;
  }
}

const byModel = new WeakMap<OpenedModel, HeatmapsState>();
export function heatmapsStateFor(model: OpenedModel): HeatmapsState {
  let s = byModel.get(model);
  if (!s) byModel.set(model, (s = new HeatmapsState()));
  return s;
}
