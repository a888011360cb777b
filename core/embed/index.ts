// Public API of the embedding core (projections for the embedding cloud view and the CLI).
export { pca, pcaTransform, reconstruct, type PcaOptions, type PcaResult } from './pca.ts';
export { tsne, tsneAffinities, neighboursFor, type TsneOptions, type TsneProgress, type TsneResult } from './tsne.ts';
export { umap, type UmapOptions, type UmapResult } from './umap.ts';
export { knn, knnAsync, type KnnOptions, type KnnResult } from './knn.ts';
export { trustworthiness, knnAccuracy, type Trustworthiness, type TrustworthinessOptions } from './quality.ts';
export { loadMnistRows, type MnistRows } from './mnist.ts';
