// Public entry of core/explain: saliency explainers, their sanity check and faithfulness.
export { ExplainModel, softmaxRow, type SpatialLayer } from './model.ts';
export { explainImage, pickTarget, type ExplainRequest, type ImageExplanation, type MethodResult, type ExplainProgress, type TargetChoice } from './explain.ts';
export { listExplainers, resolveMethods, EXPLAINER_NAMES, type ExplainerInfo, type ExplainerKind } from './registry.ts';
export { resolveOptions, type ExplainOptions, type ResolvedOptions } from './options.ts';
export { sanityCheck, cascadeLayers, randomizeInitializers, type SanityReport, type SanityStep, type SanityOptions } from './sanity.ts';
export { faithfulness, classProbability, type FaithfulnessScores } from './faithfulness-run.ts';
export { resizeBilinear, mapToOriginal, normalizeSaliency, identityGeometry, type OriginalMap, type NormMode } from './resize.ts';
export { loadExplainInput, isDicom, type ExplainInput } from './input.ts';
export * as cam from './cam.ts';
