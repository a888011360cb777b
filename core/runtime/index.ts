// Public face of the inference runtime (the Electron core adapter imports `Runtime` from here).
export { Runtime, RuntimeModel, CancelledError, WorkerCrashError } from './session.ts';
export type { Feeds, RunOptions, BatchOptions, BatchSource, RuntimeOptions, SessionSettings, ValueInfo } from './session.ts';
export {
  selectProvider, probeAll, defaultProbe, describeReport, ProviderError, AUTO_ORDER,
} from './providers.ts';
export type { ConcreteProvider, ProviderChoice, ProviderReport, ProviderAttempt, ProviderProbe, ProbeResult } from './providers.ts';
