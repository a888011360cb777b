// Choosing an onnxruntime execution provider. onnxruntime-node does not fall back by itself
// (['cuda', 'cpu'] throws when CUDA is missing), so each candidate is probed on its own by creating
// a session on a one-node model with only that provider, and the first that works is chosen.
// Non-CPU probes run in a child process: native GPU stacks print to stderr (Dawn, the CUDA loader)
// and could hang or crash, and none of that may reach the user's process.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import type { ProviderChoice, ProviderReport, ProviderAttempt } from '../../electron/api/contract.ts';
import { GraphBuilder } from '../onnx/builder.ts';
import { ModelProtoSchema, toBinary } from '../onnx/proto.ts';

export type { ProviderChoice, ProviderReport, ProviderAttempt };
export type ConcreteProvider = Exclude<ProviderChoice, 'auto'>;

/** The order 'auto' tries; CPU last because it always exists. */
export const AUTO_ORDER: readonly ConcreteProvider[] = ['cuda', 'dml', 'webgpu', 'cpu'];

export type ProbeResult = { ok: true } | { ok: false; reason: string };
export type ProviderProbe = (provider: ConcreteProvider) => Promise<ProbeResult>;

export interface ProviderEnvironment {
  platform: NodeJS.Platform;
  /** Backends compiled into this onnxruntime-node build. */
  bundled: readonly string[];
}

export interface SelectOptions {
  /** Replaces the real probe (tests simulate missing or failing providers). */
  probe?: ProviderProbe;
  env?: ProviderEnvironment;
}

/** A provider the user pinned is not usable here. */
export class ProviderError extends Error {
  readonly code = 'provider';
  constructor(message: string) {
    super(message);
    this.name = 'ProviderError';
  }
}

const PLATFORMS: Record<ConcreteProvider, readonly NodeJS.Platform[] | null> = {
  cuda: ['linux', 'win32'], dml: ['win32'], webgpu: null, cpu: null,
};
const PLATFORM_TEXT: Record<ConcreteProvider, string> = {
  cuda: 'only on Linux and Windows', dml: 'only on Windows', webgpu: '', cpu: '',
};

export function currentEnvironment(): ProviderEnvironment {
  // listSupportedBackends names what this build ships; DirectML is built into the Windows binaries.
  const list = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.() ?? [];
  const bundled = list.filter((b) => b.bundled).map((b) => b.name);
  if (!bundled.includes('cpu')) bundled.unshift('cpu');
  return { platform: process.platform, bundled };
}

/** Why `provider` cannot be used without probing it, or undefined when it is worth probing. */
export function staticReason(provider: ConcreteProvider, env: ProviderEnvironment): string | undefined {
  const platforms = PLATFORMS[provider];
  if (platforms && !platforms.includes(env.platform)) return PLATFORM_TEXT[provider];
  if (provider !== 'cpu' && !env.bundled.includes(provider)) {
    return `not built into this onnxruntime-node (bundled: ${env.bundled.join(', ')})`;
  }
  return undefined;
}

/** Turn onnxruntime's failure text into a short reason for a person. */
export function cleanReason(provider: ConcreteProvider, message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  const adapter = /Failed to get a WebGPU adapter:?\s*([^.\n]*)/i.exec(text);
  if (adapter) return `no adapter found: ${adapter[1]!.trim() || 'none reported'}`;
  if (provider === 'cuda' && /Failed to load (shared )?library/i.test(text)) return 'CUDA runtime libraries not found (install CUDA 12 and cuDNN 9, or use cpu)';
  // Drop onnxruntime's "/onnxruntime_src/…/file.cc:123 function(…) " prefix.
  const stripped = text.replace(/^\/?\S*onnxruntime\S*\.cc:\d+\s+(?:[^ ]*\([^)]*\)[^ ]*\s+)*/i, '');
  return stripped.length > 200 ? `${stripped.slice(0, 197)}…` : stripped;
}

let tinyModel: Uint8Array | undefined;
/** One Relu on a [1] tensor: enough to make a provider initialise. */
export function tinyModelBytes(): Uint8Array {
  if (!tinyModel) {
    const g = new GraphBuilder('probe');
    const x = g.input('x', [1]);
    g.output(g.op('Relu', [x]), [1]);
    tinyModel = toBinary(ModelProtoSchema, g.build());
  }
  return tinyModel;
}

export const PROBE_TIMEOUT_MS = 15_000;

// Runs in a fresh `node` process: create one session with exactly one provider, print JSON.
const CHILD_PROBE = `
const [ortPath, provider, b64] = process.argv.slice(1);
const out = (o) => { process.stdout.write('\\n@@probe ' + JSON.stringify(o) + '\\n'); process.exit(0); };
(async () => {
  const ort = require(ortPath);
  ort.env.logLevel = 'fatal';
  try {
    const s = await ort.InferenceSession.create(Buffer.from(b64, 'base64'), { executionProviders: [provider], logSeverityLevel: 4 });
    await s.release();
    out({ ok: true });
  } catch (e) { out({ ok: false, reason: String(e && e.message || e) }); }
})();
`;

/**
 * Probe `provider` in a child process, killed after `timeoutMs`. `script` replaces the probe
 * program (tests simulate a hanging or crashing provider).
 */
export async function probeInChild(provider: ConcreteProvider, timeoutMs = PROBE_TIMEOUT_MS, script = CHILD_PROBE): Promise<ProbeResult> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const b64 = Buffer.from(tinyModelBytes()).toString('base64');
  return new Promise<ProbeResult>((resolve) => {
    const child = spawn(process.execPath, ['-e', script, ortPath, provider, b64], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stdout = '', stderr = '', settled = false;
    const finish = (r: ProbeResult) => { if (!settled) { settled = true; clearTimeout(timer); resolve(r); } };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, reason: `probe did not finish within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => { if (stdout.length < 1e6) stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 1e5) stderr += d.toString(); });
    child.on('error', (e) => finish({ ok: false, reason: `could not start the probe: ${e.message}` }));
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith('@@probe '));
      if (line) {
        try {
          const r = JSON.parse(line.slice(8)) as { ok: boolean; reason?: string };
          finish(r.ok ? { ok: true } : { ok: false, reason: cleanReason(provider, r.reason ?? 'unknown error') });
          return;
        } catch { /* fall through to the crash report */ }
      }
      const why = signal ? `signal ${signal}` : `exit code ${code}`;
      const last = stderr.trim().split('\n').pop()?.trim();
      finish({ ok: false, reason: `the provider crashed its probe (${why})${last ? `: ${cleanReason(provider, last)}` : ''}` });
    });
  });
}

async function probeInProcess(provider: ConcreteProvider): Promise<ProbeResult> {
  try {
    const s = await ort.InferenceSession.create(tinyModelBytes(), { executionProviders: [provider], logSeverityLevel: 3 });
    await s.release();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: cleanReason(provider, (e as Error).message) };
  }
}

const probeCache = new Map<ConcreteProvider, Promise<ProbeResult>>();

/** The real probe, cached per process: CPU in process, the others in a child process. */
export const defaultProbe: ProviderProbe = (provider) => {
  let p = probeCache.get(provider);
  if (!p) {
    p = provider === 'cpu' ? probeInProcess(provider) : probeInChild(provider, PROBE_TIMEOUT_MS);
    probeCache.set(provider, p);
  }
  return p;
};

async function attempt(provider: ConcreteProvider, probe: ProviderProbe, env: ProviderEnvironment): Promise<ProviderAttempt> {
  const stat = staticReason(provider, env);
  if (stat) return { provider, ok: false, reason: stat };
  let r: ProbeResult;
  try {
    r = await probe(provider);
  } catch (e) {
    // A probe that throws (instead of reporting) is a failed provider, not a failed selection.
    r = { ok: false, reason: cleanReason(provider, (e as Error).message ?? String(e)) };
  }
  return r.ok ? { provider, ok: true, reason: provider === 'cpu' ? 'always available' : 'session created' } : { provider, ok: false, reason: r.reason };
}

/** Every provider's availability here (for `receptive providers`). */
export async function probeAll(opts: SelectOptions = {}): Promise<ProviderAttempt[]> {
  const probe = opts.probe ?? defaultProbe, env = opts.env ?? currentEnvironment();
  const out: ProviderAttempt[] = [];
  for (const p of AUTO_ORDER) out.push(await attempt(p, probe, env));
  return out;
}

/**
 * 'auto': the first of AUTO_ORDER whose probe succeeds (later ones are not tried).
 * A pinned provider that does not work throws a ProviderError naming what does.
 */
export async function selectProvider(choice: ProviderChoice = 'auto', opts: SelectOptions = {}): Promise<ProviderReport> {
  const probe = opts.probe ?? defaultProbe, env = opts.env ?? currentEnvironment();
  if (choice === 'auto') {
    const attempts: ProviderAttempt[] = [];
    for (const p of AUTO_ORDER) {
      const a = await attempt(p, probe, env);
      attempts.push(a);
      if (a.ok) return { chosen: p, attempts };
    }
    throw new ProviderError(`no execution provider works here (${attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ')})`);
  }
  if (!(AUTO_ORDER as readonly string[]).includes(choice)) {
    throw new ProviderError(`unknown provider '${String(choice)}' (choose auto, ${AUTO_ORDER.join(', ')})`);
  }
  const a = await attempt(choice, probe, env);
  if (a.ok) return { chosen: choice, attempts: [a] };
  const others: string[] = [];
  for (const p of AUTO_ORDER) if (p !== choice && (await attempt(p, probe, env)).ok) others.push(p);
  const avail = others.length ? `available here: ${others.join(', ')}` : 'no provider is available here';
  throw new ProviderError(`execution provider '${choice}' is not available: ${a.reason}; ${avail} (or use --provider auto)`);
}

/** One line for a person: "cpu (cuda: …; webgpu: …)". */
export function describeReport(r: ProviderReport): string {
  const skipped = r.attempts.filter((a) => !a.ok);
  return skipped.length ? `${r.chosen} (skipped ${skipped.map((a) => `${a.provider}: ${a.reason}`).join('; ')})` : r.chosen;
}
