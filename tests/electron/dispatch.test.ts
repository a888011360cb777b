import { afterAll, describe, expect, it } from 'vitest';
import { dispatch, payloadSize, MAX_PLAIN_PAYLOAD } from '../../electron/api/dispatch.ts';
import { createService, type ApiService } from '../../electron/api/service.ts';
import { ApiFailure } from '../../electron/api/errors.ts';
import { PathGrants } from '../../electron/security/grants.ts';

const grants = new PathGrants();
const service = createService({ host: 'browser', grants, version: '9.9.9' });
afterAll(() => service.close());

async function err(method: unknown, params: unknown, svc: ApiService = service) {
  const r = await dispatch(svc, method, params);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.result)}`);
  return r.error;
}

describe('dispatch', () => {
  it('rejects unknown and inherited method names', async () => {
    for (const m of ['nope', 'close', 'toString', '__proto__', 'constructor', 'hasOwnProperty', '', 7, null, undefined, { m: 1 }]) {
      const e = await err(m, {});
      expect(e.code, String(m)).toBe('invalid-request');
      expect(e.message).toMatch(/unknown method/);
    }
  });

  it('rejects wrong types, missing and extra keys, and malformed params', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['getSummary', {}, /modelId/],
      ['getSummary', { modelId: 5 }, /modelId/],
      ['getSummary', { modelId: 'a b' }, /modelId/],
      ['getSummary', { modelId: 'x'.repeat(65) }, /modelId/],
      ['getInfo', { extra: 1 }, /extra|unrecognized/i],
      ['getInfo', [], /params/],
      ['getInfo', 'str', /params/],
      ['getInfo', 42, /params/],
      ['openModel', { source: { kind: 'zoo', name: 'LeNet!' } }, /source\.name/],
      ['openModel', { source: { kind: 'zoo', name: 'lenet5', extra: true } }, /source/],
      ['openModel', { source: { kind: 'nfs', path: '/x' } }, /source\.kind/],
      ['openModel', { source: { kind: 'bytes', name: 'a.onnx', data: [1, 2, 3] } }, /source\.data/],
      ['openModel', { source: { kind: 'zoo', name: 'lenet5' }, provider: 'tpu' }, /provider/],
      ['openModel', { source: { kind: 'zoo', name: 'lenet5' }, jobId: '../x' }, /jobId/],
      ['cancel', { jobId: null }, /jobId/],
    ];
    for (const [m, p, re] of cases) {
      const e = await err(m, p);
      expect(e.code, `${m} ${JSON.stringify(p)}`).toBe('invalid-request');
      expect(e.message, `${m} ${JSON.stringify(p)}`).toMatch(re);
    }
  });

  it('rejects oversized and over-nested payloads before validation', async () => {
    const e1 = await err('getSummary', { modelId: 'x'.repeat(MAX_PLAIN_PAYLOAD) });
    expect(e1.message).toMatch(/too large/);
    const e2 = await err('getInfo', { a: new Uint8Array(MAX_PLAIN_PAYLOAD + 1) });
    expect(e2.message).toMatch(/too large/);
    let deep: unknown = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect((await err('getInfo', deep)).message).toMatch(/too large or too deeply nested/);
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect((await err('getInfo', wide)).message).toMatch(/too large/);
    // The size walk stops early: a 10-million-element array costs next to nothing.
    const huge = new Array(10_000_000).fill('x');
    const t0 = performance.now();
    expect((await err('closeModel', { modelId: huge })).message).toMatch(/too large/);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('measures payloads: strings 2 bytes a char, typed arrays by their bytes', () => {
    expect(payloadSize({ a: 'xyz' }, 1e9)).toBe(2 + 6);
    expect(payloadSize({ d: new Float32Array(10) }, 1e9)).toBe(2 + 40);
    expect(payloadSize([1, 2], 1e9)).toBe(8 + 16);
  });

  it('turns a throw inside the service into an error envelope, never a crash', async () => {
    const broken: ApiService = {
      ...service,
      getInfo: async () => { throw new Error('boom'); },
      listZoo: async () => { throw new ApiFailure('not-found', 'nothing here'); },
      getSummary: () => { throw new TypeError('sync throw'); },
      cancel: async () => { throw 'a string'; },
    };
    expect(await err('getInfo', {}, broken)).toEqual({ code: 'internal', message: 'internal error: boom' });
    expect(await err('listZoo', {}, broken)).toEqual({ code: 'not-found', message: 'nothing here' });
    expect(await err('getSummary', { modelId: 'm1' }, broken)).toEqual({ code: 'internal', message: 'internal error: sync throw' });
    expect(await err('cancel', { jobId: 'j1' }, broken)).toEqual({ code: 'internal', message: 'internal error: a string' });
    const named = Object.assign(new Error('not an onnx file'), { name: 'ModelError' });
    expect(await err('getInfo', {}, { ...service, getInfo: async () => { throw named; } })).toEqual({ code: 'bad-model', message: 'not an onnx file' });
  });

  it('keeps serving after bad requests', async () => {
    for (let i = 0; i < 20; i++) await dispatch(service, 'getSummary', { modelId: i });
    const r = await dispatch(service, 'chooseModelFile', {});
    expect(r).toEqual({ ok: true, result: null }); // no dialog in the browser host
    expect(await dispatch(service, 'cancel', { jobId: 'nojob' })).toEqual({ ok: true, result: { cancelled: false } });
    expect(await dispatch(service, 'closeModel', { modelId: 'm_unknown' })).toEqual({ ok: true, result: { closed: false } });
    const nf = await err('getSummary', { modelId: 'm_unknown' });
    expect(nf.code).toBe('not-found');
    const info = await dispatch(service, 'getInfo', {});
    expect(info.ok).toBe(true);
    if (info.ok) expect(info.result).toMatchObject({ version: '9.9.9', host: 'browser' });
  });

  it('refuses paths that were not granted through the dialog', async () => {
    const e = await err('openModel', { source: { kind: 'path', path: '/etc/passwd' } });
    expect(e.code).toBe('forbidden');
    expect(e.message).toMatch(/file dialog/);
    grants.grant('/tmp/granted-but-missing.onnx');
    const e2 = await err('openModel', { source: { kind: 'path', path: '/tmp/../etc/passwd' } });
    expect(e2.code).toBe('forbidden');
  });

  it('grants the path the host dialog returns', async () => {
    const g = new PathGrants();
    const svc = createService({ host: 'electron', grants: g, chooseModelFile: async () => '/models/x/../net.onnx' });
    const r = await dispatch(svc, 'chooseModelFile', {});
    expect(r).toEqual({ ok: true, result: { path: '/models/net.onnx' } });
    expect(g.isGranted('/models/net.onnx')).toBe(true);
    const none = createService({ host: 'electron', chooseModelFile: async () => null });
    expect(await dispatch(none, 'chooseModelFile', {})).toEqual({ ok: true, result: null });
    await svc.close();
    await none.close();
  });
});
