// The browser host: the same UI and API as the Electron window, served on 127.0.0.1 only.
// Static files over HTTP; the API over one WebSocket (/ws?token=…) carrying wire.ts frames.
// Defences: loopback bind, a random per-run token, exact Origin and Host checks (the Host check
// stops DNS-rebinding pages), strict CSP, traversal-proof static paths, bounded frames.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, existsSync } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { decodeFrame, encodeFrame, MAX_FRAME_BYTES, type Frame } from './api/wire.ts';
import { dispatch } from './api/dispatch.ts';
import { WS_PATH, type Envelope } from './api/methods.ts';
import type { ApiService, CallContext } from './api/service.ts';
import { contentSecurityPolicy } from './security/csp.ts';
import { mimeOf, resolveStaticPath } from './security/static-path.ts';

export interface BrowserHostOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  service: ApiService;
  /** Largest WebSocket frame accepted (default: wire.ts MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
  /** Requests one connection may have in flight before further ones are refused. */
  maxInFlight?: number;
}

export interface BrowserHost {
  /** The page URL including the token: what the user opens. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** id used in a response to a frame that could not be read (its own id is unknown). */
export const UNREADABLE_FRAME_ID = -1;

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const maxFrame = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  const maxInFlight = opts.maxInFlight ?? 16;
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const csp = () => contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] });

  const server = createServer((req, res) => serveStatic(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrame, perMessageDeflate: false });

  function securityHeaders(res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', csp());
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The page URL carries the token: never leak it in a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  }

  function plain(res: ServerResponse, status: number, text: string): void {
    securityHeaders(res);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${text}\n`);
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse): void {
    try {
      if (!allowedHosts().has(req.headers.host ?? '')) {
        plain(res, 421, 'This server answers only to 127.0.0.1 and localhost on its own port (DNS-rebinding protection).');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.setHeader('Allow', 'GET, HEAD'); plain(res, 405, 'Only GET and HEAD are served.'); return; }
      const pathname = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
      if (pathname === WS_PATH) { plain(res, 426, 'The API is a WebSocket at this path.'); return; }
      const file = resolveStaticPath(opts.rendererDir, pathname);
      if (!file) {
        if (!existsSync(join(opts.rendererDir, 'index.html'))) {
          plain(res, 503, 'The renderer is not built. Run `npm run build:renderer` (or `npm start`, which builds it), then reload.');
        } else plain(res, 404, 'Not found.');
        return;
      }
      securityHeaders(res);
      const html = file.endsWith('.html');
      res.writeHead(200, { 'Content-Type': mimeOf(file), 'Cache-Control': html ? 'no-store' : 'no-cache' });
      if (req.method === 'HEAD') { res.end(); return; }
      const s = createReadStream(file);
      s.on('error', () => res.destroy());
      s.pipe(res);
    } catch {
      if (!res.headersSent) plain(res, 500, 'Internal error.'); else res.destroy();
    }
  }

  function refuse(socket: Duplex, status: number, reason: string): void {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  }

  function tokenMatches(given: string | null): boolean {
    if (!given) return false;
    const g = Buffer.from(given);
    return g.length === tokenBytes.length && timingSafeEqual(g, tokenBytes);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(socket, 421, 'Misdirected Request');
    // Browsers always send Origin on WebSocket handshakes; requiring the exact page origin
    // shuts out every other site the user has open, even on another loopback port.
    if (!allowedOrigins().has(req.headers.origin ?? '')) return refuse(socket, 403, 'Forbidden origin');
    let url: URL;
    try { url = new URL(req.url ?? '/', 'http://127.0.0.1'); } catch { return refuse(socket, 400, 'Bad Request'); }
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!tokenMatches(url.searchParams.get('token'))) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws));
  });

  function serveConnection(ws: WebSocket): void {
    let inFlight = 0;
    const send = (f: Frame): void => {
      if (ws.readyState !== ws.OPEN) return;
      let bytes: Uint8Array;
      try { bytes = encodeFrame(f); } catch (e) {
        if (f.kind !== 'response') return;
        bytes = encodeFrame({ kind: 'response', id: f.id, ok: false, error: { code: 'internal', message: `the result could not be sent: ${(e as Error).message}` } });
      }
      ws.send(bytes, { binary: true });
    };
    const reply = (id: number, env: Envelope): void => send(env.ok
      ? { kind: 'response', id, ok: true, result: env.result }
      : { kind: 'response', id, ok: false, error: env.error });
    // Closing the tab stops the work it started (a VGG16 build is 17 s of CPU).
    const gone = new AbortController();
    const ctx: CallContext = { emit: (event, payload) => send({ kind: 'event', event, payload }), signal: gone.signal };

    // Models and workspaces a page opened are released when its connection goes (a reload or a
    // closed tab would otherwise hold them until the host's limit refuses new ones).
    const owned = { models: new Set<string>(), workspaces: new Set<string>() };
    const track = (method: unknown, params: unknown, env: Envelope): void => {
      if (!env.ok) return;
      const r = env.result as { modelId?: unknown; workspaceId?: unknown } | null;
      const p = params as { modelId?: unknown; workspaceId?: unknown } | null;
      if (method === 'openModel' && typeof r?.modelId === 'string') owned.models.add(r.modelId);
      if (method === 'closeModel' && typeof p?.modelId === 'string') owned.models.delete(p.modelId);
      if ((method === 'openWorkspace' || method === 'createWorkspace') && typeof r?.workspaceId === 'string') owned.workspaces.add(r.workspaceId);
      if (method === 'closeWorkspace' && typeof p?.workspaceId === 'string') owned.workspaces.delete(p.workspaceId);
    };
    ws.on('close', () => {
      gone.abort();
      for (const modelId of owned.models) void dispatch(opts.service, 'closeModel', { modelId }, {});
      for (const workspaceId of owned.workspaces) void dispatch(opts.service, 'closeWorkspace', { workspaceId }, {});
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) return reply(UNREADABLE_FRAME_ID, { ok: false, error: { code: 'invalid-request', message: 'text messages are not understood; send binary wire frames' } });
      let frame: Frame;
      try { frame = decodeFrame(toBytes(data)); } catch (e) {
        return reply(UNREADABLE_FRAME_ID, { ok: false, error: { code: 'invalid-request', message: `unreadable frame: ${(e as Error).message}` } });
      }
      const id = (frame as { id?: unknown }).id;
      if (frame.kind !== 'request' || !Number.isSafeInteger(id) || (id as number) < 0) {
        return reply(Number.isSafeInteger(id) ? (id as number) : UNREADABLE_FRAME_ID, { ok: false, error: { code: 'invalid-request', message: 'expected a request frame with a non-negative integer id' } });
      }
      if (inFlight >= maxInFlight) {
        return reply(frame.id, { ok: false, error: { code: 'invalid-request', message: `too many requests in flight (${maxInFlight}); wait for answers before sending more` } });
      }
      inFlight++;
      void dispatch(opts.service, frame.method, frame.params, ctx)
        .then((env) => { track(frame.method, frame.params, env); reply(frame.id, env); })
        .finally(() => { inFlight--; });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
