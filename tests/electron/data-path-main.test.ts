// electron/main.ts's data dialog on a stand-in Electron: chooseDataPath opens a folder picker for
// 'folder' and file pickers (IDX: all files first, CSV: .csv first) otherwise, and grants the choice.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { INVOKE_CHANNEL, type Envelope } from '../../electron/api/methods.ts';
import { makeRendererFixture } from './fixtures.ts';

type Fn = (...a: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
const h = vi.hoisted(() => ({
  ipc: new Map<string, (...a: unknown[]) => unknown>(),
  appOn: new Map<string, (...a: unknown[]) => unknown>(),
  dialogs: [] as { title?: string; properties?: string[]; filters?: { name: string; extensions: string[] }[] }[],
  answer: { canceled: true, filePaths: [] as string[] },
  contentsId: 1,
  windows: [] as { webContents: unknown }[],
}));

vi.mock('electron', () => {
  class FakeContents {
    id = h.contentsId++;
    send() {}
    isDestroyed() { return false; }
    on() { return this; }
    once() { return this; }
    setWindowOpenHandler() {}
  }
  class BrowserWindow {
    webContents = new FakeContents();
    constructor() { h.windows.push(this); }
    once() { return this; }
    on() { return this; }
    isDestroyed() { return false; }
    loadURL() { return Promise.resolve(); }
    static getAllWindows() { return []; }
  }
  return {
    app: {
      enableSandbox: () => {}, requestSingleInstanceLock: () => true, quit: () => {}, isPackaged: false, getVersion: () => '0.1.0',
      on: (ev: string, fn: Fn) => { h.appOn.set(ev, fn); }, whenReady: () => Promise.resolve(),
    },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    session: { defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {}, webRequest: { onHeadersReceived: () => {} } } },
    ipcMain: { handle: (ch: string, fn: Fn) => h.ipc.set(ch, fn) },
    dialog: { showOpenDialog: async (...a: unknown[]) => { h.dialogs.push(a.at(-1) as never); return h.answer; }, showErrorBox: () => {} },
    BrowserWindow,
  };
});

const fx = makeRendererFixture();
process.env.RECEPTIVE_RENDERER_DIR = fx.root;
const dataDir = mkdtempSync(join(tmpdir(), 'receptive-main-data-'));
await import('../../electron/main.ts');
await new Promise((r) => setTimeout(r, 0));
// Calls must come from the main frame of the window main.ts created.
const event = { sender: h.windows[0]!.webContents, senderFrame: { url: 'receptive://app/index.html', parent: null } };
const invoke = (method: string, params: unknown) => h.ipc.get(INVOKE_CHANNEL)!(event, method, params) as Promise<Envelope>;
afterAll(async () => { await h.appOn.get('will-quit')?.(); fx.cleanup(); rmSync(dataDir, { recursive: true, force: true }); });

describe('Electron chooseDataPath', () => {
  it('asks with the dialog that fits the kind and grants what the user chose', async () => {
    const folder = join(dataDir, 'shapes');
    for (const c of ['a', 'b']) {
      mkdirSync(join(folder, c), { recursive: true });
      for (let i = 0; i < 2; i++) {
        await sharp(Buffer.alloc(28 * 28, 40 + 60 * i + (c === 'b' ? 100 : 0)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(folder, c, `${i}.png`));
      }
    }
    const embed = () => invoke('embedStart', { pixels: true, dataset: { kind: 'path', path: folder }, method: 'pca', dims: 2 });
    const denied = await embed();
    expect(denied.ok ? 'ok' : denied.error.code).toBe('forbidden');

    h.answer = { canceled: false, filePaths: [folder] };
    expect(await invoke('chooseDataPath', { kind: 'folder' })).toEqual({ ok: true, result: { path: folder } });
    const r = await embed();
    expect(r.ok ? (r.result as { n: number; classNames: string[] }) : r.error).toMatchObject({ n: 4, classNames: ['a', 'b'] });

    h.answer = { canceled: true, filePaths: [] };
    expect(await invoke('chooseDataPath', { kind: 'idx' })).toEqual({ ok: true, result: null });
    expect(await invoke('chooseDataPath', { kind: 'csv' })).toEqual({ ok: true, result: null });
    expect(h.dialogs.map((d) => d.properties)).toEqual([['openDirectory'], ['openFile'], ['openFile']]);
    // MNIST's IDX files have no extension: "All files" must be the default filter.
    expect(h.dialogs[1]!.filters![0]!.extensions).toEqual(['*']);
    expect(h.dialogs[2]!.filters![0]!.extensions).toEqual(['csv']);
    // Electron has the dialog, so it lists no data folder.
    expect(await invoke('listDataPaths', {})).toEqual({ ok: true, result: { root: null, entries: [] } });
  });
});
