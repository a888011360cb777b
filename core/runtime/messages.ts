// Messages between the main thread (session.ts) and the inference worker (worker.ts).
// Tensors travel as core Tensors whose typed-array buffers are transferred or structured-cloned,
// never as JSON arrays.
import type { Tensor } from '../tensor.ts';
import type { ConcreteProvider } from './providers.ts';

export interface ValueInfo { name: string; dtype: string; dims: (number | string)[] }

export interface SessionSettings {
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpThreads?: number;
}

export type Request =
  | { id: number; type: 'load'; bytes: Uint8Array; provider: ConcreteProvider; settings: SessionSettings }
  | { id: number; type: 'run'; handle: number; feeds: Record<string, Tensor>; outputs?: string[] }
  | { id: number; type: 'release'; handle: number }
  /** Test hook: make the worker die as a native crash would. */
  | { id: number; type: 'crash' };

export interface LoadResult { handle: number; inputs: ValueInfo[]; outputs: ValueInfo[] }

export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };
