import { it } from 'vitest';
import { fuzzTarget, TIMEOUT_MS } from './harness.ts';

it('fuzz: mutated png inputs end in a result or a typed error, in bounded time and memory', async () => {
  await fuzzTarget('png', 40);
}, TIMEOUT_MS);
