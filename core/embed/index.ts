// Public API of the embedding core (projections for the embedding cloud view and the CLI).
export { pca, pcaTransform, reconstruct, type PcaOptions, type PcaResult } from './pca.ts';
export { tsne, tsneAffinities, neighboursFor, type TsneOptions, type TsneProgress, type TsneResult } from './tsne.ts';
export { umap, type UmapOptions, type UmapResult } from './umap.ts';
export { knn, knnAsync, type KnnOptions, type KnnResult, type KnnMethod } from './knn.ts';
export { nearestNeighbours, chooseKnnMethod, ONNX_KNN_MIN_POINTS, type KnnSelectOptions } from './knn-select.ts';
export { trustworthiness, knnAccuracy, knnAccuracyAsync, type Trustworthiness, type TrustworthinessOptions } from './quality.ts';
export { loadMnistRows, type MnistRows } from './mnist.ts';
