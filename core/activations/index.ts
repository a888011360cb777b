// Activations: per-layer feature maps on demand, predictions, unit windows and dataset examples.
export { ActivationSession, channelLayout, type ActivationSessionOptions, type LayerActivations, type SessionCounters } from './session.ts';
export { extractSubModel } from './submodel.ts';
export { resolveLayer, closeMatches, LayerNotFoundError, type ResolvedLayer } from './layers.ts';
export { unitWindow, type UnitWindow } from './window.ts';
export { topK, probabilities, type Prediction } from './topk.ts';
export { prepareInput, previewOf, grayToInput, tensorHash, type InputSource, type PreparedInput, type Preview } from './input.ts';
export { sampleDataset, sampleDatasetInfo, parseSampleSpec, isSampleDataset, SAMPLE_DATASETS, type SampleDataset, type SampleDatasetId, type SampleDatasetInfo } from './samples.ts';
export { datasetExamples, cropPreview, type DatasetExample, type DatasetExamplesOptions, type DatasetExamplesResult } from './examples.ts';
export { ByteLru } from './lru.ts';
export { encodeModel } from './encode.ts';
