// The renderer's only door to the host: Electron's preload bridge when present, otherwise the
// browser host's WebSocket speaking binary frames (electron/api/wire.ts).
import type { ApiEvents, ApiMethod, ApiRequest, ApiResponse, ReceptiveApi } from '../../../electron/api/contract.ts';
import { API_METHODS, WS_PATH } from '../../../electron/api/methods.ts';
import { decodeFrame, encodeFrame, type Frame } from '../../../electron/api/wire.ts';

/** An API failure as the renderer sees it: the host's message, plus its code. */
export class HostError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'HostError';
  }
}

let cached: ReceptiveApi | undefined;

export function getApi(): ReceptiveApi {
  if (cached) return cached;
  const bridge = (globalThis as { receptive?: ReceptiveApi }).receptive;
  cached = bridge ? wrapBridge(bridge) : connectWebSocket(webSocketUrl(location));
  return cached;
}

/** Anything a host rejects with (Electron's bridge sends plain objects) as a HostError. */
export function toHostError(e: unknown): HostError {
  if (e instanceof HostError) return e;
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown };
    if (typeof o.message === 'string') return new HostError(typeof o.code === 'string' ? o.code : 'internal', o.message);
  }
  return new HostError('internal', String(e));
}

/** The preload's functions, with rejections normalised; contextBridge strips Error subclasses. */
function wrapBridge(bridge: ReceptiveApi): ReceptiveApi {
  const api: Record<string, unknown> = { on: bridge.on.bind(bridge) };
  for (const m of API_METHODS) {
    const fn = bridge[m] as (req: unknown) => Promise<unknown>;
    api[m] = (req: unknown) => fn(req).catch((e: unknown) => { throw toHostError(e); });
  }
  return api as unknown as ReceptiveApi;
}

/** ws(s)://host/ws?token=… from the page address the browser host printed. */
export function webSocketUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

type Listener = (payload: unknown) => void;
interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void }

/** One socket, many in-flight requests matched by id. No reconnect: a closed host fails calls. */
export function connectWebSocket(url: string): ReceptiveApi {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<Listener>>();
  const queue: Uint8Array[] = [];
  let nextId = 1;
  let closed: Error | null = null;

  ws.addEventListener('open', () => {
    for (const buf of queue.splice(0)) ws.send(buf);
  });
  ws.addEventListener('message', (ev: MessageEvent) => {
    if (!(ev.data instanceof ArrayBuffer)) return;
    let frame: Frame;
    try {
      frame = decodeFrame(new Uint8Array(ev.data));
    } catch (e) {
      console.error('receptive: dropped a malformed frame from the host:', (e as Error).message);
      return;
    }
    if (frame.kind === 'response') {
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.result);
      else p.reject(new HostError(frame.error?.code ?? 'internal', frame.error?.message ?? 'the host reported an unknown error'));
    } else if (frame.kind === 'event') {
      for (const fn of listeners.get(frame.event) ?? []) fn(frame.payload);
    }
  });
  ws.addEventListener('close', (ev: CloseEvent) => {
    closed = new HostError('internal', `the connection to the Receptive host closed${ev.reason ? ` (${ev.reason})` : ''}; restart the host and reload this page`);
    for (const p of pending.values()) p.reject(closed);
    pending.clear();
  });

  const call = (method: ApiMethod, params: unknown): Promise<unknown> => {
    if (closed) return Promise.reject(closed);
    const id = nextId++;
    const buf = encodeFrame({ kind: 'request', id, method, params });
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      if (ws.readyState === WebSocket.OPEN) ws.send(buf);
      else queue.push(buf);
    });
  };

  const api = {
    on<E extends keyof ApiEvents>(event: E, fn: (payload: ApiEvents[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = fn as Listener;
      set.add(l);
      return () => set.delete(l);
    },
  } as Record<string, unknown>;
  for (const m of API_METHODS) api[m] = (req: ApiRequest<typeof m>) => call(m, req) as Promise<ApiResponse<typeof m>>;
  return api as unknown as ReceptiveApi;
}
