// Electron main process: one sandboxed window showing the renderer from receptive://app/,
// one IPC channel into the validated API, and every other door (navigation, new windows,
// permissions, webviews) shut. Bundled to dist/electron/main.cjs by build/build-electron.mjs.
import { app, BrowserWindow, dialog, ipcMain, protocol, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createService, type CallContext } from './api/service.ts';
import { dispatch } from './api/dispatch.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type Envelope } from './api/methods.ts';
import { PathGrants } from './security/grants.ts';
import { APP_SCHEME, APP_URL, isAppUrl, isTrustedSender } from './security/sender.ts';
import { appFileForUrl } from './security/app-protocol.ts';
import { mimeOf } from './security/static-path.ts';
import { contentSecurityPolicy } from './security/csp.ts';
import { secureWebPreferences } from './security/web-preferences.ts';
import { setTrainedModelsDir } from '../core/zoo/index.ts';
import { electronPdfOptions, printRequestAllowed, printWindowPreferences, PRINT_PARTITION } from '../core/report/pdf.ts';

// dist/electron → the app root (also inside app.asar when packaged).
const here = dirname(fileURLToPath(import.meta.url));
const appRoot = join(here, '..', '..');
// RECEPTIVE_RENDERER_DIR lets tests (and renderer development) point at another build.
const rendererDir = process.env.RECEPTIVE_RENDERER_DIR ?? join(here, '..', 'renderer');
const CSP = contentSecurityPolicy();

// Must run before 'ready': a standard, secure scheme gets a real origin (receptive://app),
// so 'self' in the CSP and same-origin checks mean the app and nothing else.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true, codeCache: true } },
]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) app.quit();

const grants = new PathGrants();
let mainWindow: BrowserWindow | null = null;

// Trained zoo weights ship beside the app (extraResources when packaged).
setTrainedModelsDir(app.isPackaged ? join(process.resourcesPath, 'models') : join(appRoot, 'resources', 'models'));

const service = createService({
  host: 'electron',
  version: app.getVersion(),
  grants,
  chooseModelFile: async (purpose) => {
    const opts: Electron.OpenDialogOptions = {
      title: purpose === 'encoder' ? 'Open the encoder (ONNX, image → latent code)' : purpose === 'decoder' ? 'Open the decoder (ONNX, latent code → image)' : 'Open an ONNX model',
      properties: ['openFile'],
      filters: [{ name: 'ONNX models', extensions: ['onnx'] }, { name: 'All files', extensions: ['*'] }],
    };
    const r = mainWindow ? await dialog.showOpenDialog(mainWindow, opts) : await dialog.showOpenDialog(opts);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
  },
  chooseDataPath,
  // --- review workspaces (workspace/report helper): dialogs for workspace/import/export paths, PDF printing ---
  review: { choosePath: chooseReviewPath, printPdf: printReportPdf },
});

/** The user's own data set: a folder of class sub-folders, an IDX image file or a CSV of path,label rows. */
async function chooseDataPath(kind: 'folder' | 'idx' | 'csv'): Promise<string | null> {
  const opts: Electron.OpenDialogOptions = kind === 'folder'
    ? { title: 'Choose a folder of images (one sub-folder per class)', properties: ['openDirectory'] }
    : kind === 'idx'
      // IDX files are usually named *-ubyte with no dot (MNIST), which no extension filter matches: all files first.
      ? { title: 'Choose an IDX image file', properties: ['openFile'], filters: [{ name: 'All files', extensions: ['*'] }, { name: 'IDX images', extensions: ['idx', 'idx3', 'idx3-ubyte', 'ubyte'] }] }
      : { title: 'Choose a CSV of image paths and labels', properties: ['openFile'], filters: [{ name: 'CSV', extensions: ['csv'] }, { name: 'All files', extensions: ['*'] }] };
  const r = mainWindow ? await dialog.showOpenDialog(mainWindow, opts) : await dialog.showOpenDialog(opts);
  return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
}

async function chooseReviewPath(purpose: 'open-workspace' | 'create-workspace' | 'import-folder' | 'import-csv' | 'export-report', format?: 'csv' | 'html' | 'pdf'): Promise<string | null> {
  const parent = mainWindow ?? undefined;
  if (purpose === 'create-workspace' || purpose === 'export-report') {
    const ext = purpose === 'create-workspace' ? 'rcpt' : (format ?? 'html');
    const opts: Electron.SaveDialogOptions = {
      title: purpose === 'create-workspace' ? 'New review workspace' : 'Export the review report',
      filters: [{ name: purpose === 'create-workspace' ? 'Receptive workspaces' : `${ext.toUpperCase()} report`, extensions: [ext] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const r = parent ? await dialog.showSaveDialog(parent, opts) : await dialog.showSaveDialog(opts);
    return r.canceled || !r.filePath ? null : r.filePath;
  }
  const opts: Electron.OpenDialogOptions = purpose === 'import-folder'
    ? { title: 'Import a folder of images (class subfolders become labels)', properties: ['openDirectory'] }
    : purpose === 'import-csv'
      ? { title: 'Import cases from a CSV file', properties: ['openFile'], filters: [{ name: 'CSV', extensions: ['csv'] }] }
      : { title: 'Open a review workspace', properties: ['openFile'], filters: [{ name: 'Receptive workspaces', extensions: ['rcpt'] }, { name: 'All files', extensions: ['*'] }] };
  const r = parent ? await dialog.showOpenDialog(parent, opts) : await dialog.showOpenDialog(opts);
  return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
}

/**
 * The HTML report → PDF on a hidden, sandboxed window with JavaScript off, in its own in-memory
 * session that may load nothing but the report file (a temp file: data: URLs are capped at 2 MB).
 */
async function printReportPdf(html: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'receptive-print-'));
  const file = join(dir, 'report.html');
  const url = pathToFileURL(file).href;
  const ses = session.fromPartition(PRINT_PARTITION);
  ses.setPermissionRequestHandler((_wc, _p, cb) => cb(false));
  ses.webRequest.onBeforeRequest((d, cb) => cb({ cancel: !printRequestAllowed(d.url, url) }));
  const win = new BrowserWindow({ show: false, webPreferences: printWindowPreferences() }); /* eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK */
  try {
    await writeFile(file, html, 'utf8');
    await win.loadURL(url);
    const pdf = await win.webContents.printToPDF(electronPdfOptions());
    return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

async function serveAppFile(request: Request): Promise<Response> {
  const file = appFileForUrl(rendererDir, request.url);
  if (!file) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  try {
    const body = await readFile(file);
    return new Response(body, {
      status: 200,
      headers: { 'Content-Type': mimeOf(file), 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' },
    });
  } catch {
    return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  }
}

const goneSignals = new Map<number, AbortSignal>();

/** Aborted when the window's page goes away (closed or crashed), stopping its jobs. */
function goneSignal(sender: WebContents): AbortSignal {
  let s = goneSignals.get(sender.id);
  if (!s) {
    const c = new AbortController();
    const done = () => { goneSignals.delete(sender.id); c.abort(); };
    sender.once('destroyed', done);
    sender.once('render-process-gone', done);
    s = c.signal;
    goneSignals.set(sender.id, s);
  }
  return s;
}

function contextFor(sender: WebContents): CallContext {
  return {
    emit: (event, payload) => { if (!sender.isDestroyed()) sender.send(EVENT_CHANNEL, { event, payload }); },
    signal: goneSignal(sender),
  };
}

async function onInvoke(event: IpcMainInvokeEvent, method: unknown, params: unknown): Promise<Envelope> {
  const frame = event.senderFrame;
  // Compare ids, not wrapper objects: the same WebContents may surface as distinct JS objects.
  const trusted = mainWindow !== null && !mainWindow.isDestroyed() && event.sender.id === mainWindow.webContents.id
    && isTrustedSender({ frameUrl: frame?.url, isMainFrame: frame !== null && frame.parent === null });
  if (!trusted) return { ok: false, error: { code: 'forbidden', message: 'this page may not call the Receptive API' } };
  return dispatch(service, method, params, contextFor(event.sender));
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => { if (!isAppUrl(url)) e.preventDefault(); });
  contents.on('will-redirect', (e, url) => { if (!isAppUrl(url)) e.preventDefault(); });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function createWindow(): void {
  // Electronegativity reads webPreferences literally and cannot see through the function call:
  // contextIsolation and sandbox are set by secureWebPreferences (pinned by tests/electron/security),
  // and middle-click/new windows are denied for every WebContents by lockDown (setWindowOpenHandler).
  // (Electronegativity reads an eng-disable directive only on the flagged line itself.)
  const win = new BrowserWindow({ /* eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK */
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#101216',
    title: 'Receptive',
    webPreferences: secureWebPreferences(join(here, 'preload.cjs'), { devTools: !app.isPackaged }),
  });
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => { if (mainWindow === win) mainWindow = null; });
  void win.loadURL(APP_URL);
}

app.on('web-contents-created', (_e, contents) => lockDown(contents));

app.on('second-instance', () => {
  if (mainWindow) { if (mainWindow.isMinimized()) mainWindow.restore(); mainWindow.focus(); }
});

app.whenReady().then(() => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    // The CSP is built by security/csp.ts (a strict policy pinned by tests); Electronegativity cannot
    // parse a computed value and says so at LOW severity.
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }); /* eng-disable CSP_GLOBAL_CHECK */
  });
  protocol.handle(APP_SCHEME, serveAppFile);
  ipcMain.handle(INVOKE_CHANNEL, onInvoke);
  createWindow();
  app.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) createWindow(); });
}).catch((e: unknown) => {
  dialog.showErrorBox('Receptive could not start', (e as Error).message ?? String(e));
  app.quit();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => { void service.close(); });
