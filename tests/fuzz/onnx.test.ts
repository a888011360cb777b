import { it } from 'vitest';
import { fuzzTarget, TIMEOUT_MS } from './harness.ts';

it('fuzz: mutated onnx inputs end in a result or a typed error, in bounded time and memory', async () => {
  await fuzzTarget('onnx', 200);
}, TIMEOUT_MS);
