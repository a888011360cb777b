import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import WebSocket from 'ws';
import { startBrowserHost, UNREADABLE_FRAME_ID, type BrowserHost } from '../../electron/browser-host.ts';
import { createService } from '../../electron/api/service.ts';
import { decodeFrame, encodeFrame, type Frame, type ResponseFrame } from '../../electron/api/wire.ts';
import { makeRendererFixture, SECRET, INDEX_HTML } from './fixtures.ts';

const fx = makeRendererFixture();
const service = createService({ host: 'browser' });
let host: BrowserHost;
let origin: string;

beforeAll(async () => {
  host = await startBrowserHost({ port: 0, rendererDir: fx.root, service });
  origin = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  await host?.close();
  await service.close();
  fx.cleanup();
});

interface HttpResult { status: number; headers: Record<string, string | string[] | undefined>; body: string }
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open a socket; resolves with the open socket or the HTTP status that refused it. */
function open(opts: { token?: string | null; origin?: string | null; hostHeader?: string; path?: string } = {}): Promise<WebSocket | number> {
  const token = opts.token === undefined ? host.token : opts.token;
  const q = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const headers: Record<string, string> = {};
  if (opts.hostHeader) headers.host = opts.hostHeader;
  const o = opts.origin === undefined ? origin : opts.origin;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${opts.path ?? '/ws'}${q}`, { headers, ...(o === null ? {} : { origin: o }) });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.once('error', (e) => reject(e));
  });
}

/** Minimal client: request/response by id, events collected. */
class Client {
  private next = 1;
  private readonly waiting = new Map<number, (f: ResponseFrame) => void>();
  readonly events: Frame[] = [];
  readonly unattributed: ResponseFrame[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const f = decodeFrame(new Uint8Array(data));
      if (f.kind === 'event') { this.events.push(f); return; }
      if (f.kind !== 'response') return;
      const w = this.waiting.get(f.id);
      if (w) { this.waiting.delete(f.id); w(f); } else this.unattributed.push(f);
    });
  }
  call(method: string, params: unknown): Promise<ResponseFrame> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(encodeFrame({ kind: 'request', id, method, params }));
    });
  }
  sendRaw(data: Uint8Array | string): Promise<ResponseFrame> {
    return new Promise((resolve) => {
      const n = this.unattributed.length;
      const check = () => (this.unattributed.length > n ? resolve(this.unattributed[n]!) : setTimeout(check, 5));
      this.ws.send(data);
      check();
    });
  }
}

describe('browser host: HTTP', () => {
  it('binds to loopback and hands out a 256-bit token in the URL', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(Buffer.from(host.token, 'base64url').length).toBe(32);
  });

  it('serves the page with a strict CSP and no-referrer', async () => {
    const r = await get(`/?token=${host.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX_HTML);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const js = await get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toBe('console.log("app");\n');
  });

  it('answers localhost too, but not foreign Host headers (DNS rebinding)', async () => {
    expect((await get('/', { host: `localhost:${host.port}` })).status).toBe(200);
    for (const h of [`evil.example:${host.port}`, 'evil.example', `127.0.0.1:${host.port + 1}`, '127.0.0.1', `127.0.0.1.evil.example:${host.port}`]) {
      const r = await get('/', { host: h });
      expect(r.status, h).toBe(421);
      expect(r.body).not.toContain('receptive-test-page');
    }
  });

  it('refuses path traversal in every spelling', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%5c..%5csecret.txt', '/assets/link.txt', '/../renderer-evil/x.txt', `/${encodeURIComponent(fx.secretPath)}`, '//etc/passwd']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain(SECRET);
    }
    // A raw request line the http client would not send.
    const raw = await new Promise<string>((resolve) => {
      const s = connect(host.port, '127.0.0.1', () => s.write(`GET /../../secret.txt HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`));
      let out = '';
      s.on('data', (d) => (out += d.toString()));
      s.on('end', () => resolve(out));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 404/);
    expect(raw).not.toContain(SECRET);
  });

  it('serves only GET and HEAD', async () => {
    expect((await get('/', {}, 'POST')).status).toBe(405);
    expect((await get('/', {}, 'DELETE')).status).toBe(405);
    const head = await get('/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('browser host: WebSocket API', () => {
  it('refuses a socket without the token, with a wrong token, a wrong Origin or a foreign Host', async () => {
    expect(await open({ token: null })).toBe(401);
    expect(await open({ token: '' })).toBe(401);
    expect(await open({ token: host.token.slice(0, -1) })).toBe(401);
    expect(await open({ token: `${host.token}x` })).toBe(401);
    expect(await open({ token: 'A'.repeat(host.token.length) })).toBe(401);
    expect(await open({ origin: 'http://evil.example' })).toBe(403);
    expect(await open({ origin: `http://127.0.0.1:${host.port + 1}` })).toBe(403);
    expect(await open({ origin: `https://127.0.0.1:${host.port}` })).toBe(403);
    expect(await open({ origin: 'null' })).toBe(403);
    expect(await open({ origin: null })).toBe(403);
    expect(await open({ hostHeader: `evil.example:${host.port}` })).toBe(421);
    expect(await open({ path: '/other' })).toBe(404);
  });

  it('serves the API on the right socket, and stays usable after malformed frames', async () => {
    const ws = await open();
    expect(ws).toBeInstanceOf(WebSocket);
    const c = new Client(ws as WebSocket);
    const info = await c.call('getInfo', {});
    expect(info.ok).toBe(true);
    expect(info.result).toMatchObject({ version: '0.1.0', host: 'browser' });

    const junk = await c.sendRaw(new Uint8Array([1, 2, 3]));
    expect(junk).toMatchObject({ id: UNREADABLE_FRAME_ID, ok: false, error: { code: 'invalid-request' } });
    expect(junk.error?.message).toMatch(/unreadable frame/);
    const text = await c.sendRaw('{"method":"getInfo"}');
    expect(text.error?.message).toMatch(/text messages/);
    const notReq = await c.sendRaw(encodeFrame({ kind: 'response', id: 5000, ok: true }));
    expect(notReq).toMatchObject({ id: 5000, ok: false, error: { code: 'invalid-request' } });
    const negId = await c.sendRaw(encodeFrame({ kind: 'request', id: -3, method: 'getInfo', params: {} }));
    expect(negId).toMatchObject({ id: -3, ok: false, error: { code: 'invalid-request' } });
    const unknown = await c.call('deleteEverything', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const bad = await c.call('getSummary', { modelId: 7 });
    expect(bad.error?.code).toBe('invalid-request');
    const chooser = await c.call('chooseModelFile', {});
    expect(chooser).toMatchObject({ ok: true, result: null });
    const forbidden = await c.call('openModel', { source: { kind: 'path', path: '/etc/passwd' } });
    expect(forbidden.error?.code).toBe('forbidden');

    // Concurrent requests are answered by id.
    const many = await Promise.all(Array.from({ length: 10 }, () => c.call('cancel', { jobId: 'nothing' })));
    expect(many.every((r) => r.ok && (r.result as { cancelled: boolean }).cancelled === false)).toBe(true);
    const again = await c.call('getInfo', {});
    expect(again.ok).toBe(true);
    ws instanceof WebSocket && ws.close();
  });

  it('closes a socket that sends an oversized frame, and keeps serving others', async () => {
    const small = await startBrowserHost({ port: 0, rendererDir: fx.root, service, maxFrameBytes: 1024 });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${small.port}/ws?token=${small.token}`, { origin: `http://127.0.0.1:${small.port}` });
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.send(encodeFrame({ kind: 'request', id: 1, method: 'openModel', params: { source: { kind: 'bytes', name: 'a.onnx', data: new Uint8Array(4096) } } }));
      expect(await closed).toBe(1009); // "message too big"
      const ws2 = new WebSocket(`ws://127.0.0.1:${small.port}/ws?token=${small.token}`, { origin: `http://127.0.0.1:${small.port}` });
      await new Promise((r) => ws2.once('open', r));
      const c = new Client(ws2);
      expect((await c.call('getInfo', {})).ok).toBe(true);
      ws2.close();
    } finally {
      await small.close();
    }
  });

  it('bounds the requests in flight per connection', async () => {
    const tight = await startBrowserHost({ port: 0, rendererDir: fx.root, service, maxInFlight: 1 });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${tight.port}/ws?token=${tight.token}`, { origin: `http://127.0.0.1:${tight.port}` });
      await new Promise((r) => ws.once('open', r));
      const c = new Client(ws);
      const [slow, fast] = await Promise.all([c.call('listZoo', {}), c.call('getInfo', {})]);
      expect(slow.ok).toBe(true);
      expect(fast.error?.message).toMatch(/too many requests in flight/);
      expect((await c.call('getInfo', {})).ok).toBe(true);
      ws.close();
    } finally {
      await tight.close();
    }
  });

  it('says how to build the renderer when it is missing', async () => {
    const bare = await startBrowserHost({ port: 0, rendererDir: `${fx.base}/no-such-dir`, service });
    try {
      const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: bare.port, path: '/', headers: { host: `127.0.0.1:${bare.port}` } }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject).end();
      });
      expect(r.status).toBe(503);
      expect(r.body).toMatch(/npm run build:renderer/);
    } finally {
      await bare.close();
    }
  });

  const zooReady = existsSync(new URL('../../core/zoo/index.ts', import.meta.url)) && existsSync(new URL('../../core/analysis/summary.ts', import.meta.url));
  it.skipIf(!zooReady)('lists the zoo and opens lenet5 with progress events', async () => {
    const ws = await open();
    const c = new Client(ws as WebSocket);
    const zoo = await c.call('listZoo', {});
    expect(zoo.ok).toBe(true);
    const names = (zoo.result as { name: string }[]).map((z) => z.name);
    expect(names).toContain('lenet5');
    const r = await c.call('openModel', { source: { kind: 'zoo', name: 'lenet5' }, jobId: 'job1' });
    expect(r.error).toBeUndefined();
    const opened = r.result as { modelId: string; summary: { layers: { op: string }[]; totals: { layers: number; params: number } } };
    // LeNet-5: conv-relu-pool ×2, flatten, fc-relu-fc-relu-fc; 61,706 weights and biases.
    expect(opened.summary.layers.map((l) => l.op)).toEqual(['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(opened.summary.totals).toMatchObject({ layers: 12, params: 156 + 2416 + 48_120 + 10_164 + 850 });
    const again = await c.call('getSummary', { modelId: opened.modelId });
    expect(again.result).toEqual(opened.summary);
    expect(c.events.some((e) => e.kind === 'event' && (e.payload as { jobId: string }).jobId === 'job1')).toBe(true);
    (ws as WebSocket).close();
  });
});

describe('browser host: resources follow the page', () => {
  it('models a page opened are closed when its connection closes', async () => {
    const small = createService({ host: 'browser', maxOpenModels: 2 });
    const h = await startBrowserHost({ port: 0, rendererDir: fx.root, service: small });
    const connectTo = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws?token=${encodeURIComponent(h.token)}`, { origin: `http://127.0.0.1:${h.port}` });
      await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
      return new Client(ws);
    };
    try {
      const a = await connectTo();
      for (let i = 0; i < 2; i++) expect((await a.call('openModel', { source: { kind: 'zoo', name: 'lenet5' } })).ok).toBe(true);
      const refused = await a.call('openModel', { source: { kind: 'zoo', name: 'lenet5' } });
      expect(refused.ok).toBe(false);
      expect(refused.error?.message).toMatch(/2 models are open/);
      a.ws.close();
      await new Promise((r) => a.ws.once('close', r));
      const b = await connectTo();
      // The closed page's models were released: a new page can open models again.
      let opened = false;
      for (let t = 0; t < 50 && !opened; t++) {
        opened = (await b.call('openModel', { source: { kind: 'zoo', name: 'lenet5' } })).ok;
        if (!opened) await new Promise((r) => setTimeout(r, 20));
      }
      expect(opened).toBe(true);
      b.ws.close();
    } finally {
      await h.close();
      await small.close();
    }
  });
});
