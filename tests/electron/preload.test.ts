// The preload against a stand-in for Electron's contextBridge/ipcRenderer (the Electron binary
// cannot be installed here): it must expose exactly one typed object and no IPC primitives.
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS, EVENT_CHANNEL, INVOKE_CHANNEL } from '../../electron/api/methods.ts';

const h = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn(),
  onHandlers: new Map<string, (e: unknown, msg: unknown) => void>(),
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => h.exposed.set(key, value) },
  ipcRenderer: {
    invoke: h.invoke,
    on: (ch: string, fn: (e: unknown, msg: unknown) => void) => h.onHandlers.set(ch, fn),
  },
}));

await import('../../electron/preload.ts');
type Api = Record<string, (...a: unknown[]) => unknown>;
const api = h.exposed.get('receptive') as Api;

describe('preload', () => {
  it('exposes only window.receptive with one function per method plus on()', () => {
    expect([...h.exposed.keys()]).toEqual(['receptive']);
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'on'].sort());
    for (const k of Object.keys(api)) expect(typeof api[k]).toBe('function');
    expect(Object.values(api)).not.toContain(h.invoke);
    expect([...h.onHandlers.keys()]).toEqual([EVENT_CHANNEL]);
  });

  it('sends each call over the one invoke channel and unwraps the envelope', async () => {
    h.invoke.mockResolvedValueOnce({ ok: true, result: { version: '1' } });
    await expect(api.getInfo!({})).resolves.toEqual({ version: '1' });
    expect(h.invoke).toHaveBeenLastCalledWith(INVOKE_CHANNEL, 'getInfo', {});
    h.invoke.mockResolvedValueOnce({ ok: false, error: { code: 'forbidden', message: 'no' } });
    await expect(api.openModel!({ source: { kind: 'path', path: '/x' } })).rejects.toEqual({ name: 'HostError', code: 'forbidden', message: 'no' });
    expect(h.invoke).toHaveBeenLastCalledWith(INVOKE_CHANNEL, 'openModel', { source: { kind: 'path', path: '/x' } });
  });

  it('delivers known events to listeners until they unsubscribe, and refuses unknown ones', () => {
    const got: unknown[] = [];
    const off = api.on!('progress', (p: unknown) => got.push(p)) as () => void;
    const deliver = h.onHandlers.get(EVENT_CHANNEL)!;
    deliver({}, { event: 'progress', payload: { jobId: 'j', done: 1, total: 3, message: 'm' } });
    deliver({}, { event: 'other', payload: 1 });
    deliver({}, null);
    off();
    deliver({}, { event: 'progress', payload: { jobId: 'j', done: 2, total: 3, message: 'm' } });
    expect(got).toEqual([{ jobId: 'j', done: 1, total: 3, message: 'm' }]);
    expect(() => api.on!('ipc', () => {})).toThrow(/unknown event/);
  });
});
