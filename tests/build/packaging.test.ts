// The packaging config cannot be built into installers here (no Electron binary, no network for
// electron-builder's tool downloads), so it is checked against electron-builder's own schema and
// for the properties the product depends on.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const config = require('../../build/electron-builder.config.cjs') as Record<string, unknown> & { pruneOtherArchs: (c: unknown) => void };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration: (c: unknown, log: unknown) => Promise<void> };
// validateConfiguration only asks its logger whether it is enabled and, if so, adds lines.
const quietLogger = { isEnabled: false, add: () => undefined };

describe('electron-builder configuration', () => {
  it('passes electron-builder\'s schema validation', async () => {
    const { pruneOtherArchs: _, ...cfg } = config;
    await expect(validateConfiguration(cfg, quietLogger)).resolves.toBeUndefined();
    // The validator does reject a wrong config (so the pass above means something).
    await expect(validateConfiguration({ ...cfg, notAnElectronBuilderOption: true }, quietLogger)).rejects.toThrow();
  });
  it('targets AppImage + deb, NSIS and dmg', () => {
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((config.win as { target: string[] }).target).toEqual(['nsis']);
    expect((config.mac as { target: string[] }).target).toEqual(['dmg']);
  });
  it('unpacks native modules from the asar and ships models as extra resources', () => {
    const unpack = config.asarUnpack as string[];
    for (const m of ['onnxruntime-node', 'sharp', 'better-sqlite3']) expect(unpack.some((p) => p.includes(m))).toBe(true);
    expect(JSON.stringify(config.extraResources)).toContain('resources/models');
  });
  it('sets the Electron fuses that close Node entry points', () => {
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true, grantFileProtocolExtraPrivileges: false });
  });
  it('ships only the target platform\'s onnxruntime binaries', () => {
    const linux = (config.linux as { files: string[] }).files;
    expect(linux.some((f) => f.includes('/win32/'))).toBe(true);
    expect(linux.some((f) => f.includes('/darwin/'))).toBe(true);
    expect(linux.some((f) => f.includes('/linux/'))).toBe(false);
    // After packing, other architectures are pruned.
    const out = mkdtempSync(join(tmpdir(), 'receptive-pack-'));
    const bin = join(out, 'resources/app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6/linux');
    for (const a of ['x64', 'arm64']) { mkdirSync(join(bin, a), { recursive: true }); writeFileSync(join(bin, a, 'onnxruntime_binding.node'), ''); }
    config.pruneOtherArchs({ arch: 1, appOutDir: out, packager: { platform: { name: 'linux' }, appInfo: { productFilename: 'Receptive' } } });
    expect(readdirSync(bin)).toEqual(['x64']);
    rmSync(out, { recursive: true, force: true });
  });
});
