// Method names and the result envelope, without zod: the sandboxed Electron preload and the
// renderer import this file, so it stays free of runtime dependencies.
import type { ApiError, ApiMethod } from './contract.ts';

// `satisfies` makes the compiler flag a method added to (or removed from) the contract.
const METHODS = {
  getInfo: true, listZoo: true, openModel: true, closeModel: true, getSummary: true, chooseModelFile: true, cancel: true,
  chooseDataPath: true, listDataPaths: true,
  setInput: true, getActivations: true, getFilters: true, datasetExamples: true, listSamples: true, getColormaps: true, visualizeChannel: true,
  // review workspaces (workspace/report helper)
  chooseReviewPath: true, openWorkspace: true, createWorkspace: true, closeWorkspace: true, recentWorkspaces: true, importCases: true,
  listCases: true, getCase: true, giveVerdict: true, reviewProgress: true, agreement: true, exportReport: true,
  // autoencoder workbench (autoencoder helper)
  aeInfo: true, aeReconstruct: true, aeScoreSet: true, aeLatents: true, aeInterpolate: true, aeWalk: true, aeCompareWithPca: true, aeDenoise: true, aeTrain: true,
  // saliency explainers (explain helper)
  listExplainers: true, explain: true, sanityCheck: true, faithfulness: true,
  // embedding clouds (embeddings helper)
  embedStart: true, embedThumbnail: true, embedNeighbors: true, embedExportCsv: true,
  // radiograph review display (heatmaps helper)
  loadImageForReview: true,
} as const satisfies Record<ApiMethod, true>;

export const API_METHODS = Object.keys(METHODS) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHODS, name);
}

/** What every host returns for one call: IPC handle results and WebSocket response frames alike. */
export type Envelope<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiError };

/** The IPC channels: one request channel, one event channel (renderer never sees others). */
export const INVOKE_CHANNEL = 'receptive:invoke';
export const EVENT_CHANNEL = 'receptive:event';

/** WebSocket endpoint of the browser host; the token goes in the query (`?token=`). */
export const WS_PATH = '/ws';
