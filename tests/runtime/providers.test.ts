import { describe, expect, it } from 'vitest';
import {
  selectProvider, probeAll, probeInChild, cleanReason, ProviderError, type ConcreteProvider, type ProviderProbe, type ProviderEnvironment,
} from '../../core/runtime/providers.ts';

const linux: ProviderEnvironment = { platform: 'linux', bundled: ['cpu', 'webgpu'] };
const linuxCuda: ProviderEnvironment = { platform: 'linux', bundled: ['cpu', 'webgpu', 'cuda'] };
const windows: ProviderEnvironment = { platform: 'win32', bundled: ['cpu', 'webgpu', 'cuda', 'dml'] };

/** A probe that records what it was asked and answers from a table. */
function fakeProbe(table: Partial<Record<ConcreteProvider, true | string | Error>>): { probe: ProviderProbe; calls: ConcreteProvider[] } {
  const calls: ConcreteProvider[] = [];
  const probe: ProviderProbe = async (p) => {
    calls.push(p);
    const r = table[p] ?? true;
    if (r instanceof Error) throw r;
    return r === true ? { ok: true } : { ok: false, reason: r };
  };
  return { probe, calls };
}

describe('provider selection', () => {
  it('auto on linux skips CUDA (not bundled) and DirectML (Windows only) without probing them', async () => {
    const { probe, calls } = fakeProbe({ webgpu: 'no adapter found: No supported adapters' });
    const r = await selectProvider('auto', { probe, env: linux });
    expect(r.chosen).toBe('cpu');
    expect(r.attempts.map((a) => [a.provider, a.ok])).toEqual([['cuda', false], ['dml', false], ['webgpu', false], ['cpu', true]]);
    expect(r.attempts[0]!.reason).toBe('not built into this onnxruntime-node (bundled: cpu, webgpu)');
    expect(r.attempts[1]!.reason).toBe('only on Windows');
    expect(r.attempts[2]!.reason).toBe('no adapter found: No supported adapters');
    expect(calls).toEqual(['webgpu', 'cpu']);
  });

  it('auto stops at the first provider that works', async () => {
    const { probe, calls } = fakeProbe({});
    const r = await selectProvider('auto', { probe, env: windows });
    expect(r.chosen).toBe('cuda');
    expect(r.attempts).toHaveLength(1);
    expect(calls).toEqual(['cuda']);
  });

  it('a CUDA probe that throws falls through to the next provider, with the reason kept', async () => {
    const { probe, calls } = fakeProbe({ cuda: new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library') });
    const r = await selectProvider('auto', { probe, env: windows });
    expect(r.chosen).toBe('dml');
    expect(r.attempts[0]).toEqual({ provider: 'cuda', ok: false, reason: expect.stringContaining('CUDA runtime libraries not found') });
    expect(calls).toEqual(['cuda', 'dml']);
  });

  it('on Windows tries cuda, dml, webgpu, cpu in that order', async () => {
    const { probe, calls } = fakeProbe({ cuda: 'x', dml: 'y', webgpu: 'z' });
    const r = await selectProvider('auto', { probe, env: windows });
    expect(calls).toEqual(['cuda', 'dml', 'webgpu', 'cpu']);
    expect(r.chosen).toBe('cpu');
    expect(r.attempts.map((a) => a.reason).slice(0, 3)).toEqual(['x', 'y', 'z']);
  });

  it('a pinned provider that is unavailable throws, naming what is available', async () => {
    const { probe } = fakeProbe({ webgpu: 'no adapter found: No supported adapters' });
    const err = await selectProvider('webgpu', { probe, env: linuxCuda }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toBe("execution provider 'webgpu' is not available: no adapter found: No supported adapters; available here: cuda, cpu (or use --provider auto)");
    await expect(selectProvider('dml', { probe, env: linux })).rejects.toThrow(/'dml' is not available: only on Windows; available here: cpu/);
  });

  it('a pinned provider that works is the only attempt', async () => {
    const { probe, calls } = fakeProbe({});
    const r = await selectProvider('cpu', { probe, env: windows });
    expect(r).toEqual({ chosen: 'cpu', attempts: [{ provider: 'cpu', ok: true, reason: 'always available' }] });
    expect(calls).toEqual(['cpu']);
  });

  it('all providers failing is an error listing each reason', async () => {
    const { probe } = fakeProbe({ cpu: 'broken', webgpu: 'no adapter' });
    await expect(selectProvider('auto', { probe, env: linux })).rejects.toThrow(/no execution provider works here.*webgpu: no adapter; cpu: broken/);
  });

  it('probeAll reports every provider', async () => {
    const { probe } = fakeProbe({ webgpu: 'no adapter' });
    const all = await probeAll({ probe, env: linux });
    expect(all.map((a) => `${a.provider}:${a.ok}`)).toEqual(['cuda:false', 'dml:false', 'webgpu:false', 'cpu:true']);
  });

  it('cleans onnxruntime messages', () => {
    const webgpu = '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n';
    expect(cleanReason('webgpu', webgpu)).toBe('no adapter found: No supported adapters');
  });

  it('the real probe on this machine picks a provider, and a failing GPU probe neither crashes nor hangs', async () => {
    const t0 = performance.now();
    const r = await selectProvider('auto');
    const ms = performance.now() - t0;
    expect(r.attempts.at(-1)!.ok).toBe(true);
    expect(r.attempts.at(-1)!.provider).toBe(r.chosen);
    for (const a of r.attempts.slice(0, -1)) expect(a.reason.length).toBeGreaterThan(3);
    expect(ms).toBeLessThan(20_000);
    // cached per process: a second selection does not probe again
    const t1 = performance.now();
    expect(await selectProvider('auto')).toEqual(r);
    expect(performance.now() - t1).toBeLessThan(50);
  });

  it('a probe that hangs is killed after its timeout; one that crashes is reported, not fatal', async () => {
    const t0 = performance.now();
    const hung = await probeInChild('webgpu', 800, 'setInterval(() => {}, 1000);');
    expect(hung).toEqual({ ok: false, reason: 'probe did not finish within 1 s' });
    expect(performance.now() - t0).toBeLessThan(5000);
    const crashed = await probeInChild('webgpu', 10_000, "console.error('Segmentation fault in dawn'); process.kill(process.pid, 'SIGSEGV');");
    expect(crashed.ok).toBe(false);
    expect((crashed as { reason: string }).reason).toMatch(/^the provider crashed its probe \(signal SIGSEGV\): Segmentation fault in dawn/);
    const real = await probeInChild('cpu', 20_000);
    expect(real).toEqual({ ok: true });
  });
});
