// Public API of feature extraction for embeddings (CLI `receptive embed`, the embeddings view).
export { extractFeatures, pixelFeatures, DEFAULT_BATCH, type ExtractOptions, type Features } from './extract.ts';
export { FeatureCache, featureKey, defaultCacheDir, type CachedFeatures, type FeatureKey } from './cache.ts';
export { globalAveragePool } from './pool.ts';
export { defaultFeatureLayer, FeatureLayerError } from './layer.ts';
export { openImageSet, builtinSet, limitSet, isBuiltinSet, labelsBeside, BUILTIN_SETS, ImageSetError, type ImageSet, type BuiltinSetId } from './image-set.ts';
export { project, embeddingQuality, type EmbedMethod, type ProjectOptions, type Projection, type Quality } from './project.ts';
export { embeddingCsv } from './csv.ts';
