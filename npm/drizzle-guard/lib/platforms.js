'use strict';

// The platforms drizzle-guard ships a prebuilt binary for: one npm package each. The launcher looks
// the running platform up here, and npm/stage.js writes every platform package's package.json (its
// `os`, `cpu` and `libc` fields) and the launcher's optionalDependencies from this same table.
// `libc` uses npm's names: "glibc" or "musl" (Linux only).

const SCOPE = '@drizzle-guard';

const PLATFORMS = [
  { name: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  { name: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { name: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
  { name: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
  { name: 'darwin-x64', os: 'darwin', cpu: 'x64' },
  { name: 'darwin-arm64', os: 'darwin', cpu: 'arm64' },
  { name: 'win32-x64', os: 'win32', cpu: 'x64' },
  { name: 'win32-arm64', os: 'win32', cpu: 'arm64' },
].map((p) => ({
  ...p,
  libc: p.libc || null,
  // The npm package carrying the binary, and the binary's file name inside it.
  pkg: `${SCOPE}/${p.name}`,
  bin: p.os === 'win32' ? 'drizzle-guard.exe' : 'drizzle-guard',
}));

// "linux x64 (glibc)", "darwin arm64": how a platform is named in messages.
function describe(os, cpu, libc) {
  return `${os} ${cpu}${libc ? ` (${libc})` : ''}`;
}

module.exports = { SCOPE, PLATFORMS, describe };
