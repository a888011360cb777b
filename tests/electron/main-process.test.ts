// electron/main.ts wired to a stand-in Electron (the binary cannot be installed here): checks
// what the main process registers — scheme privileges, window options, permission, navigation
// and CSP handlers, the app protocol and the one IPC channel with its sender check.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type Envelope } from '../../electron/api/methods.ts';
import { secureWebPreferences } from '../../electron/security/web-preferences.ts';
import { ModelProtoSchema, toBinary } from '../../core/onnx/proto.ts';
import { buildZooModel } from '../../core/zoo/index.ts';
import { makeRendererFixture, INDEX_HTML, SECRET } from './fixtures.ts';

type Fn = (...a: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
const h = vi.hoisted(() => {
  const state = {
    schemes: [] as unknown[],
    appHandlers: new Map<string, Fn>(),
    protocolHandlers: new Map<string, Fn>(),
    ipcHandlers: new Map<string, Fn>(),
    windows: [] as { opts: { webPreferences: unknown }; webContents: FakeContents; url?: string }[],
    permissionRequest: undefined as Fn | undefined,
    permissionCheck: undefined as Fn | undefined,
    headers: undefined as Fn | undefined,
    dialogResult: { canceled: true, filePaths: [] as string[] },
    sandboxed: false,
  };
  let nextId = 1;
  class FakeContents {
    id = nextId++;
    sent: unknown[][] = [];
    handlers = new Map<string, Fn>();
    openHandler: Fn | undefined;
    mainFrame = { url: 'receptive://app/index.html', parent: null };
    send(...a: unknown[]) { this.sent.push(a); }
    isDestroyed() { return false; }
    on(ev: string, fn: Fn) { this.handlers.set(ev, fn); return this; }
    once(ev: string, fn: Fn) { this.handlers.set(ev, fn); return this; }
    setWindowOpenHandler(fn: Fn) { this.openHandler = fn; }
  }
  return { state, FakeContents };
});
process.env.RECEPTIVE_RENDERER_DIR = join(tmpdir(), 'set-below');

vi.mock('electron', () => {
  const { state, FakeContents } = h;
  class BrowserWindow {
    webContents = new FakeContents();
    constructor(readonly opts: { webPreferences: unknown }) { state.windows.push(this as never); (state.appHandlers.get('web-contents-created') ?? (() => {}))({}, this.webContents); }
    once() { return this; }
    on() { return this; }
    show() {}
    isMinimized() { return false; }
    isDestroyed() { return false; }
    loadURL(url: string) { (this as { url?: string }).url = url; return Promise.resolve(); }
    static getAllWindows() { return state.windows; }
  }
  return {
    app: {
      enableSandbox: () => { state.sandboxed = true; },
      requestSingleInstanceLock: () => true,
      quit: () => {},
      isPackaged: false,
      getVersion: () => '0.1.0',
      on: (ev: string, fn: Fn) => { state.appHandlers.set(ev, fn); },
      whenReady: () => Promise.resolve(),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => state.schemes.push(...s),
      handle: (scheme: string, fn: Fn) => state.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => { state.permissionRequest = fn; },
        setPermissionCheckHandler: (fn: Fn) => { state.permissionCheck = fn; },
        webRequest: { onHeadersReceived: (fn: Fn) => { state.headers = fn; } },
      },
    },
    ipcMain: { handle: (ch: string, fn: Fn) => state.ipcHandlers.set(ch, fn) },
    dialog: { showOpenDialog: async () => state.dialogResult, showErrorBox: () => {} },
    BrowserWindow,
  };
});

const fx = makeRendererFixture();
process.env.RECEPTIVE_RENDERER_DIR = fx.root;
const modelDir = mkdtempSync(join(tmpdir(), 'receptive-main-'));
await import('../../electron/main.ts');
await new Promise((r) => setTimeout(r, 0)); // let whenReady().then run
const s = h.state;
afterAll(async () => {
  await s.appHandlers.get('will-quit')?.();
  fx.cleanup();
  rmSync(modelDir, { recursive: true, force: true });
});

const win = () => s.windows[0]!;
const invoke = (event: unknown, method: string, params: unknown) => s.ipcHandlers.get(INVOKE_CHANNEL)!(event, method, params) as Promise<Envelope>;
const appEvent = (frame: { url: string; parent: unknown } | null, sender: unknown = win().webContents) => ({ sender, senderFrame: frame });

describe('Electron main process', () => {
  it('registers a standard, secure app scheme, sandboxes everything, opens one locked-down window', () => {
    expect(s.schemes).toEqual([{ scheme: 'receptive', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(s.sandboxed).toBe(true);
    expect(s.windows).toHaveLength(1);
    expect(win().url).toBe('receptive://app/index.html');
    const wp = win().opts.webPreferences as { preload: string };
    expect(wp.preload.endsWith(join('electron', 'preload.cjs'))).toBe(true);
    expect(wp).toEqual(secureWebPreferences(wp.preload, { devTools: true }));
  });

  it('denies every permission and stamps the CSP on responses', () => {
    const cb = vi.fn();
    s.permissionRequest!({}, 'media', cb);
    s.permissionRequest!({}, 'geolocation', cb);
    expect(cb.mock.calls).toEqual([[false], [false]]);
    expect(s.permissionCheck!({}, 'clipboard-read')).toBe(false);
    const hcb = vi.fn();
    s.headers!({ responseHeaders: { 'X-A': ['1'] } }, hcb);
    const headers = hcb.mock.calls[0]![0].responseHeaders as Record<string, string[]>;
    expect(headers['X-A']).toEqual(['1']);
    expect(headers['Content-Security-Policy']![0]).toMatch(/^default-src 'self'; script-src 'self';/);
  });

  it('refuses navigation away from the app and every new window', () => {
    const c = win().webContents;
    const nav = c.handlers.get('will-navigate')!;
    const stop = vi.fn();
    nav({ preventDefault: stop }, 'https://evil.example/');
    nav({ preventDefault: stop }, 'file:///etc/passwd');
    expect(stop).toHaveBeenCalledTimes(2);
    const ok = vi.fn();
    nav({ preventDefault: ok }, 'receptive://app/index.html');
    expect(ok).not.toHaveBeenCalled();
    const web = vi.fn();
    c.handlers.get('will-attach-webview')!({ preventDefault: web });
    expect(web).toHaveBeenCalled();
    expect(c.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('serves the renderer over receptive://app with the CSP, refusing traversal', async () => {
    const serve = s.protocolHandlers.get('receptive')!;
    const r = await serve(new Request('receptive://app/index.html')) as Response;
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(INDEX_HTML);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    for (const u of ['receptive://app/%2e%2e/secret.txt', 'receptive://app/..%2fsecret.txt', 'receptive://app/assets/link.txt', 'receptive://other/index.html']) {
      const bad = await serve(new Request(u)) as Response;
      expect(bad.status, u).toBe(404);
      expect(await bad.text()).not.toContain(SECRET);
    }
  });

  it('answers IPC only from the app page in the main frame of its window', async () => {
    const good = await invoke(appEvent({ url: 'receptive://app/index.html', parent: null }), 'getInfo', {});
    expect(good.ok && (good.result as { host: string }).host).toBe('electron');
    for (const ev of [
      appEvent({ url: 'https://evil.example/', parent: null }),
      appEvent({ url: 'receptive://app/index.html', parent: {} }),
      appEvent(null),
      appEvent({ url: 'receptive://app/index.html', parent: null }, new h.FakeContents()),
    ]) {
      const r = await invoke(ev, 'getInfo', {});
      expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    const bad = await invoke(appEvent({ url: 'receptive://app/index.html', parent: null }), 'getInfo', { x: 1 });
    expect(bad.ok ? null : bad.error.code).toBe('invalid-request');
  });

  it('opens a file only after the dialog chose it, with progress events to the caller', async () => {
    const file = join(modelDir, 'net.onnx');
    writeFileSync(file, toBinary(ModelProtoSchema, buildZooModel('lenet5')));
    const ev = appEvent({ url: 'receptive://app/index.html', parent: null });
    const denied = await invoke(ev, 'openModel', { source: { kind: 'path', path: file } });
    expect(denied.ok ? null : denied.error.code).toBe('forbidden');
    s.dialogResult = { canceled: false, filePaths: [file] };
    expect(await invoke(ev, 'chooseModelFile', {})).toEqual({ ok: true, result: { path: file } });
    const opened = await invoke(ev, 'openModel', { source: { kind: 'path', path: file }, jobId: 'j1' });
    expect(opened.ok ? (opened.result as { summary: { totals: { layers: number } } }).summary.totals.layers : opened.error).toBe(12);
    const sent = win().webContents.sent.filter((a) => a[0] === EVENT_CHANNEL).map((a) => a[1] as { event: string; payload: { jobId: string; done: number } });
    expect(sent.map((e) => [e.event, e.payload.jobId, e.payload.done])).toEqual([0, 1, 2, 3].map((d) => ['progress', 'j1', d]));
    s.dialogResult = { canceled: true, filePaths: [] };
    expect(await invoke(ev, 'chooseModelFile', {})).toEqual({ ok: true, result: null });
  });
});
