// The core modules the service calls, imported on first use. A module that fails to load
// (a broken build, a missing native binary) becomes a clear error for the calls that need it
// instead of a host that cannot start; getInfo and the security checks keep working.
// Literal specifiers keep these typed and let esbuild bundle them into the Electron main.
import { createHash } from 'node:crypto';
import { ApiFailure } from './errors.ts';

type Loader = typeof import('../../core/onnx/load.ts');
type Analysis = typeof import('../../core/analysis/summary.ts');
type Zoo = typeof import('../../core/zoo/index.ts');
type RuntimeModule = typeof import('../../core/runtime/index.ts');
export type Runtime = import('../../core/runtime/index.ts').Runtime;

function lazy<T>(what: string, load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= load().catch((e: unknown) => {
    p = undefined; // a later call may succeed (e.g. after a rebuild in dev)
    throw new ApiFailure('internal', `${what} could not be loaded (${(e as Error).message}); this installation is incomplete — run \`npm run setup\``);
  }));
}

export const onnxLoader = lazy<Loader>('the ONNX loader', () => import('../../core/onnx/load.ts'));
export const modelAnalysis = lazy<Analysis>('model analysis', () => import('../../core/analysis/summary.ts'));
export const modelZoo = lazy<Zoo>('the model zoo', () => import('../../core/zoo/index.ts'));
export const runtimeModule = lazy<RuntimeModule>('the inference runtime', () => import('../../core/runtime/index.ts'));

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
