// Learning-rate schedules, evaluated per step so cosine decay is smooth within epochs.
export type ScheduleConfig =
  | { kind: 'constant' }
  /** lr · gamma^floor(epoch / everyEpochs). */
  | { kind: 'step'; everyEpochs: number; gamma: number }
  /** Cosine from lr down to lr·minFactor over the whole run, after an optional linear warm-up. */
  | { kind: 'cosine'; minFactor?: number; warmupSteps?: number };

/** Learning rate at global step `step` (0-based) of `totalSteps`, with `stepsPerEpoch` steps per epoch. */
export function learningRate(base: number, s: ScheduleConfig, step: number, totalSteps: number, stepsPerEpoch: number): number {
  switch (s.kind) {
    case 'constant': return base;
    case 'step': {
      if (!(s.everyEpochs >= 1)) throw new Error('step schedule: everyEpochs must be ≥ 1');
      return base * s.gamma ** Math.floor(Math.floor(step / stepsPerEpoch) / s.everyEpochs);
    }
    case 'cosine': {
      const warm = s.warmupSteps ?? 0, min = base * (s.minFactor ?? 0);
      if (step < warm) return (base * (step + 1)) / warm;
      const span = Math.max(1, totalSteps - warm);
      const p = Math.min(1, (step - warm) / span);
      return min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
  }
}
