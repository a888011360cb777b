// Sandboxed preload: exposes exactly `window.receptive` (the typed API) and nothing of
// ipcRenderer. Each call goes through the one invoke channel; the main process validates it.
// Failures reject with a plain { name: 'HostError', code, message } object, because
// contextBridge drops custom properties (the code) from Error objects.
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiEvents, ReceptiveApi } from './api/contract.ts';
import { API_METHODS, EVENT_CHANNEL, INVOKE_CHANNEL, type Envelope } from './api/methods.ts';

type Listener = (payload: unknown) => void;
const EVENTS: readonly (keyof ApiEvents)[] = ['progress'];
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_e, msg: { event?: unknown; payload?: unknown }) => {
  if (!msg || typeof msg.event !== 'string') return;
  for (const fn of listeners.get(msg.event) ?? []) {
    try { fn(msg.payload); } catch (e) { console.error('receptive: an event listener failed', e); }
  }
});

const api: Record<string, unknown> = {
  on(event: string, fn: Listener): () => void {
    if (!(EVENTS as readonly string[]).includes(event) || typeof fn !== 'function') throw new Error(`unknown event "${String(event)}"`);
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => { set.delete(fn); };
  },
};
for (const method of API_METHODS) {
  api[method] = async (req: unknown) => {
    const env = (await ipcRenderer.invoke(INVOKE_CHANNEL, method, req ?? {})) as Envelope;
    if (env.ok) return env.result;
    throw { name: 'HostError', code: env.error.code, message: env.error.message };
  };
}

contextBridge.exposeInMainWorld('receptive', api as unknown as ReceptiveApi);
