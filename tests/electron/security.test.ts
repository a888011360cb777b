import { afterAll, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { secureWebPreferences } from '../../electron/security/web-preferences.ts';
import { isAppUrl, isTrustedSender } from '../../electron/security/sender.ts';
import { resolveStaticPath, mimeOf } from '../../electron/security/static-path.ts';
import { appFileForUrl } from '../../electron/security/app-protocol.ts';
import { PathGrants } from '../../electron/security/grants.ts';
import { contentSecurityPolicy } from '../../electron/security/csp.ts';
import { API_METHODS, isApiMethod } from '../../electron/api/methods.ts';
import { requestSchemas } from '../../electron/api/contract.ts';
import { makeRendererFixture } from './fixtures.ts';

const fx = makeRendererFixture();
afterAll(() => fx.cleanup());
const real = (p: string) => realpathSync(p);

describe('secureWebPreferences', () => {
  it('pins every security-relevant option', () => {
    const p = secureWebPreferences('/app/preload.cjs');
    expect(p).toEqual({
      preload: '/app/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false,
      nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true,
      allowRunningInsecureContent: false, webviewTag: false, experimentalFeatures: false,
      enableBlinkFeatures: '', navigateOnDragDrop: false, spellcheck: false, safeDialogs: true, devTools: false,
    });
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });
});

describe('IPC sender validation', () => {
  it('accepts only the app origin in the main frame', () => {
    expect(isTrustedSender({ frameUrl: 'receptive://app/index.html', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ frameUrl: 'receptive://app/', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ frameUrl: 'receptive://app/index.html', isMainFrame: false })).toBe(false);
    for (const url of [
      'https://evil.example/', 'file:///etc/passwd', 'receptive://evil/index.html', 'receptive://app.evil/index.html',
      'receptive://user:pw@app/index.html', 'receptive://app:8080/index.html', 'http://127.0.0.1/', 'about:blank',
      'devtools://devtools/bundled/inspector.html', 'data:text/html,<p>x', 'not a url', '',
    ]) expect(isTrustedSender({ frameUrl: url, isMainFrame: true }), url).toBe(false);
    expect(isTrustedSender({ frameUrl: null, isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ frameUrl: undefined, isMainFrame: true })).toBe(false);
    expect(isAppUrl('receptive://app/index.html#/graph')).toBe(true);
    expect(isAppUrl('https://receptive.app/')).toBe(false);
  });
});

describe('static path resolution', () => {
  it('serves files inside the root, index.html for /', () => {
    expect(resolveStaticPath(fx.root, '/')).toBe(real(join(fx.root, 'index.html')));
    expect(resolveStaticPath(fx.root, '/assets/app.js')).toBe(real(join(fx.root, 'assets', 'app.js')));
    expect(resolveStaticPath(fx.root, '/assets//app.js')).toBe(real(join(fx.root, 'assets', 'app.js')));
  });
  it('refuses traversal in every spelling, symlinks out, directories and missing files', () => {
    for (const p of [
      '/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/..%2fsecret.txt',
      '/..%2Fsecret.txt', '/..%5csecret.txt', '/..\\secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
      '/../renderer-evil/x.txt', '/assets/link.txt', '/assets', '/assets/', '/missing.js', '/index.html%00.js',
      '/%', '/%zz', 'assets/app.js', '', `/${'a/'.repeat(1100)}`, '/C:/Windows/win.ini', '/./index.html',
    ]) expect(resolveStaticPath(fx.root, p), p).toBeNull();
  });
  it('returns null for a missing root', () => {
    expect(resolveStaticPath(join(fx.base, 'nope'), '/index.html')).toBeNull();
  });
  it('knows the types the renderer needs', () => {
    expect(mimeOf('a.js')).toMatch(/^text\/javascript/);
    expect(mimeOf('a.CSS')).toMatch(/^text\/css/);
    expect(mimeOf('a.wasm')).toBe('application/wasm');
    expect(mimeOf('a.unknown')).toBe('application/octet-stream');
  });
});

describe('receptive:// protocol resolution', () => {
  it('maps app URLs into the renderer dir and refuses everything else', () => {
    expect(appFileForUrl(fx.root, 'receptive://app/index.html')).toBe(real(join(fx.root, 'index.html')));
    expect(appFileForUrl(fx.root, 'receptive://app/assets/app.js?v=1#x')).toBe(real(join(fx.root, 'assets', 'app.js')));
    for (const u of [
      'receptive://app/../secret.txt', 'receptive://app/%2e%2e/secret.txt', 'receptive://app/..%2fsecret.txt',
      'receptive://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt', 'receptive://app/assets/link.txt', 'receptive://other/index.html',
      'file:///etc/passwd', `receptive://app/${encodeURIComponent(fx.secretPath)}`, 'receptive://x@app/index.html', 'nonsense',
    ]) expect(appFileForUrl(fx.root, u), u).toBeNull();
  });
});

describe('path grants', () => {
  it('grants exactly the chosen file after normalisation', () => {
    const g = new PathGrants();
    const p = g.grant('/models/a/../a/net.onnx');
    expect(p).toBe(resolve('/models/a/net.onnx'));
    expect(g.isGranted('/models/a/net.onnx')).toBe(true);
    expect(g.isGranted('/models/a/./net.onnx')).toBe(true);
    expect(g.isGranted('/models/a/other.onnx')).toBe(false);
    expect(g.isGranted('/models/a')).toBe(false);
    expect(g.isGranted('/models/a/net.onnx\0x')).toBe(false);
    expect(g.isGranted('')).toBe(false);
  });
  it('keeps a bounded number of grants, forgetting the oldest', () => {
    const g = new PathGrants(3);
    for (const n of ['1', '2', '3', '4']) g.grant(`/m/${n}.onnx`);
    expect(['1', '2', '3', '4'].map((n) => g.isGranted(`/m/${n}.onnx`))).toEqual([false, true, true, true]);
  });
});

describe('CSP', () => {
  it('allows only self scripts and the given sockets', () => {
    const csp = contentSecurityPolicy({ connect: ['ws://127.0.0.1:5000'] });
    const d = Object.fromEntries(csp.split('; ').map((s) => { const [k, ...v] = s.split(' '); return [k, v.join(' ')]; }));
    expect(d['default-src']).toBe("'self'");
    expect(d['script-src']).toBe("'self'");
    expect(d['connect-src']).toBe("'self' ws://127.0.0.1:5000");
    expect(d['object-src']).toBe("'none'");
    expect(d['frame-ancestors']).toBe("'none'");
    expect(d['worker-src']).toBe("'self' blob:");
    expect(csp).not.toMatch(/unsafe-eval/);
  });
});

describe('method list', () => {
  it('matches the contract exactly', () => {
    expect([...API_METHODS].sort()).toEqual(Object.keys(requestSchemas).sort());
    expect(isApiMethod('getInfo')).toBe(true);
    for (const m of ['close', 'toString', '__proto__', 'constructor', 'hasOwnProperty', '', 42, null]) expect(isApiMethod(m)).toBe(false);
  });
});
