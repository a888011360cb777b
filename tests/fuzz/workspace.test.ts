import { it } from 'vitest';
import { fuzzTarget, TIMEOUT_MS } from './harness.ts';

it('fuzz: mutated workspace inputs end in a result or a typed error, in bounded time and memory', async () => {
  await fuzzTarget('workspace', 100);
}, TIMEOUT_MS);
