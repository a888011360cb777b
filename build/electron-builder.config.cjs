// electron-builder configuration: Linux AppImage + deb, Windows NSIS, macOS dmg.
// Native modules (onnxruntime-node, sharp, better-sqlite3) and the DICOM codecs' WebAssembly are
// unpacked from the asar (they are loaded by path); only the target platform's onnxruntime
// binaries ship (other platforms excluded here, other architectures pruned after packing).
const path = require('node:path');
const fs = require('node:fs');

const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v*';
const otherPlatforms = {
  linux: ['win32', 'darwin'],
  win: ['linux', 'darwin'],
  mac: ['linux', 'win32'],
};
const exclude = (platforms) => platforms.map((p) => `!${ORT_BIN}/${p}/**`);

/** Remove onnxruntime binaries of the architectures we are not packing for. */
function pruneOtherArchs(context) {
  const archName = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' }[context.arch] ?? 'x64';
  if (archName === 'universal') return;
  const unpacked = path.join(context.appOutDir, context.packager.platform.name === 'mac'
    ? `${context.packager.appInfo.productFilename}.app/Contents/Resources/app.asar.unpacked`
    : 'resources/app.asar.unpacked');
  const binRoot = path.join(unpacked, 'node_modules', 'onnxruntime-node', 'bin');
  if (!fs.existsSync(binRoot)) return;
  for (const napi of fs.readdirSync(binRoot)) {
    for (const plat of fs.readdirSync(path.join(binRoot, napi))) {
      for (const arch of fs.readdirSync(path.join(binRoot, napi, plat))) {
        if (arch !== archName) fs.rmSync(path.join(binRoot, napi, plat, arch), { recursive: true, force: true });
      }
    }
  }
}

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.receptive.workbench',
  productName: 'Receptive',
  directories: { output: 'dist/packages', buildResources: 'build/resources' },
  files: [
    'package.json',
    'dist/electron/**',
    'dist/renderer/**',
    'node_modules/**',
    '!node_modules/electron/**',
    '!node_modules/**/{test,tests,__tests__,docs,example,examples}/**',
    '!**/*.{map,md,ts}',
    '!node_modules/**/*.d.ts',
  ],
  extraResources: [
    { from: 'resources/models', to: 'models', filter: ['**/*.onnx', '**/*.json'] },
    { from: 'resources/samples', to: 'samples' },
  ],
  asar: true,
  asarUnpack: [
    'node_modules/onnxruntime-node/**',
    'node_modules/sharp/**',
    'node_modules/@img/**',
    'node_modules/better-sqlite3/**',
    'node_modules/dcmjs-codecs/build/*.wasm',
  ],
  npmRebuild: true,
  // Electron fuses (https://www.electronjs.org/docs/latest/tutorial/fuses): no Node from the
  // environment or CLI, no file:// privileges, app code only from a validated asar.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  afterPack: pruneOtherArchs,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Science',
    files: exclude(otherPlatforms.linux),
  },
  deb: { depends: ['libnss3', 'libgtk-3-0', 'libxss1'] },
  win: { target: ['nsis'], files: exclude(otherPlatforms.win) },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', files: exclude(otherPlatforms.mac) },
};
module.exports.pruneOtherArchs = pruneOtherArchs;
