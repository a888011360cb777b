// The explainers: names, what they need, their defaults and the paper each follows.
import type { MethodContext, MethodOutput } from './context.ts';
import {
  gradientCam, vanillaGradient, gradientTimesInput, guidedBackprop, guidedGradCam, smoothGrad, integratedGradients,
} from './gradient-methods.ts';
import { eigenCamMethod, scoreCam, ablationCam, occlusion, rise } from './forward-methods.ts';

export type ExplainerKind = 'gradient-cam' | 'forward-cam' | 'input-gradient' | 'perturbation';

export interface ExplainerInfo {
  name: string;
  title: string;
  kind: ExplainerKind;
  /** Reads a layer (the CAM family); the others work on the input. */
  usesLayer: boolean;
  /** Runs many forward/backward passes (batched, with progress and cancel). */
  manyPasses: boolean;
  /** Default settings (see core/explain/options.ts). */
  defaults: Record<string, number | string>;
  paper: string;
}

interface Explainer extends ExplainerInfo { run(ctx: MethodContext): Promise<MethodOutput> }

const E: Explainer[] = [
  { name: 'gradcam', title: 'Grad-CAM', kind: 'gradient-cam', usesLayer: true, manyPasses: false, defaults: {}, paper: 'Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization", ICCV 2017', run: (c) => gradientCam(c, 'gradcam') },
  { name: 'gradcam++', title: 'Grad-CAM++', kind: 'gradient-cam', usesLayer: true, manyPasses: false, defaults: {}, paper: 'Chattopadhay et al., "Grad-CAM++: Generalized Gradient-based Visual Explanations for Deep Convolutional Networks", WACV 2018', run: (c) => gradientCam(c, 'gradcam++') },
  { name: 'xgradcam', title: 'XGrad-CAM', kind: 'gradient-cam', usesLayer: true, manyPasses: false, defaults: {}, paper: 'Fu et al., "Axiom-based Grad-CAM: Towards Accurate Visualization and Explanation of CNNs", BMVC 2020', run: (c) => gradientCam(c, 'xgradcam') },
  { name: 'hirescam', title: 'HiResCAM', kind: 'gradient-cam', usesLayer: true, manyPasses: false, defaults: {}, paper: 'Draelos & Carin, "Use HiResCAM instead of Grad-CAM for faithful explanations of convolutional neural networks", arXiv:2011.08891, 2020', run: (c) => gradientCam(c, 'hirescam') },
  { name: 'layercam', title: 'LayerCAM', kind: 'gradient-cam', usesLayer: true, manyPasses: false, defaults: {}, paper: 'Jiang et al., "LayerCAM: Exploring Hierarchical Class Activation Maps for Localization", IEEE TIP 2021', run: (c) => gradientCam(c, 'layercam') },
  { name: 'saliency', title: 'Vanilla gradient', kind: 'input-gradient', usesLayer: false, manyPasses: false, defaults: {}, paper: 'Simonyan, Vedaldi & Zisserman, "Deep Inside Convolutional Networks: Visualising Image Classification Models and Saliency Maps", ICLR workshop 2014', run: vanillaGradient },
  { name: 'gradxinput', title: 'Gradient × input', kind: 'input-gradient', usesLayer: false, manyPasses: false, defaults: {}, paper: 'Shrikumar et al., "Not Just a Black Box: Learning Important Features Through Propagating Activation Differences", arXiv:1605.01713, 2016', run: gradientTimesInput },
  { name: 'smoothgrad', title: 'SmoothGrad', kind: 'input-gradient', usesLayer: false, manyPasses: true, defaults: { samples: 25, noise: 0.15 }, paper: 'Smilkov et al., "SmoothGrad: removing noise by adding noise", arXiv:1706.03825, 2017', run: smoothGrad },
  { name: 'ig', title: 'Integrated Gradients', kind: 'input-gradient', usesLayer: false, manyPasses: true, defaults: { steps: 32, baseline: 'zero' }, paper: 'Sundararajan, Taly & Yan, "Axiomatic Attribution for Deep Networks", ICML 2017', run: integratedGradients },
  { name: 'guided-backprop', title: 'Guided Backpropagation', kind: 'input-gradient', usesLayer: false, manyPasses: false, defaults: {}, paper: 'Springenberg et al., "Striving for Simplicity: The All Convolutional Net", ICLR workshop 2015', run: guidedBackprop },
  { name: 'guided-gradcam', title: 'Guided Grad-CAM', kind: 'gradient-cam', usesLayer: true, manyPasses: false, defaults: {}, paper: 'Selvaraju et al., "Grad-CAM", ICCV 2017 (§3.1, guided Grad-CAM)', run: guidedGradCam },
  { name: 'scorecam', title: 'Score-CAM', kind: 'forward-cam', usesLayer: true, manyPasses: true, defaults: { maxChannels: 'all' }, paper: 'Wang et al., "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks", CVPR workshops 2020', run: scoreCam },
  { name: 'ablationcam', title: 'Ablation-CAM', kind: 'forward-cam', usesLayer: true, manyPasses: true, defaults: {}, paper: 'Desai & Ramaswamy, "Ablation-CAM: Visual Explanations for Deep Convolutional Network via Gradient-free Localization", WACV 2020', run: ablationCam },
  { name: 'eigencam', title: 'Eigen-CAM', kind: 'forward-cam', usesLayer: true, manyPasses: false, defaults: {}, paper: 'Muhammad & Yeasin, "Eigen-CAM: Class Activation Map using Principal Components", IJCNN 2020', run: eigenCamMethod },
  { name: 'occlusion', title: 'Occlusion', kind: 'perturbation', usesLayer: false, manyPasses: true, defaults: { patch: '≈ side/8', stride: 'patch/2', baseline: 0 }, paper: 'Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014', run: occlusion },
  { name: 'rise', title: 'RISE', kind: 'perturbation', usesLayer: false, manyPasses: true, defaults: { masks: 2000, cell: '≈ side/7', p: 0.5 }, paper: 'Petsiuk, Das & Saenko, "RISE: Randomized Input Sampling for Explanation of Black-box Models", BMVC 2018', run: rise },
];

export const EXPLAINERS: ReadonlyMap<string, Explainer> = new Map(E.map((e) => [e.name, e]));
export const EXPLAINER_NAMES = E.map((e) => e.name);

export function listExplainers(): ExplainerInfo[] {
  return E.map(({ run: _run, ...info }) => ({ ...info, defaults: { ...info.defaults } }));
}

/** Check method names (case-insensitive; "grad-cam" style spellings accepted). */
export function resolveMethods(names: readonly string[]): string[] {
  if (names.length === 0) throw new Error(`explain: choose at least one method (${EXPLAINER_NAMES.join(', ')})`);
  return names.map((raw) => {
    const n = raw.trim().toLowerCase();
    const hit = EXPLAINERS.has(n) ? n : EXPLAINER_NAMES.find((e) => e.replace(/-/g, '') === n.replace(/-/g, ''));
    if (!hit) throw new Error(`explain: unknown method "${raw}"; choose from ${EXPLAINER_NAMES.join(', ')}`);
    return hit;
  });
}

export function explainerRunner(name: string): (ctx: MethodContext) => Promise<MethodOutput> {
  const e = EXPLAINERS.get(name);
  if (!e) throw new Error(`explain: unknown method "${name}"`);
  return e.run;
}
