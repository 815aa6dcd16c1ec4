'use strict';

// node --test npm/drizzle-guard/test/*.test.js

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { PLATFORMS } = require('../lib/platforms');
const { detectLibc, platformFor, locateBinary, ENV_BINARY, EXIT_ERROR } = require('../lib/launch');

const BIN = path.join(__dirname, '..', 'bin', 'drizzle-guard.js');
const posix = process.platform !== 'win32';

// What the launcher must look for where: [process.platform, process.arch, libc, package, file].
const EXPECTED = [
  ['linux', 'x64', 'glibc', '@drizzle-guard/linux-x64-gnu', 'drizzle-guard'],
  ['linux', 'arm64', 'glibc', '@drizzle-guard/linux-arm64-gnu', 'drizzle-guard'],
  ['linux', 'x64', 'musl', '@drizzle-guard/linux-x64-musl', 'drizzle-guard'],
  ['linux', 'arm64', 'musl', '@drizzle-guard/linux-arm64-musl', 'drizzle-guard'],
  ['darwin', 'x64', null, '@drizzle-guard/darwin-x64', 'drizzle-guard'],
  ['darwin', 'arm64', null, '@drizzle-guard/darwin-arm64', 'drizzle-guard'],
  ['win32', 'x64', null, '@drizzle-guard/win32-x64', 'drizzle-guard.exe'],
  ['win32', 'arm64', null, '@drizzle-guard/win32-arm64', 'drizzle-guard.exe'],
];

const notFound = (request) => {
  const err = new Error(`Cannot find module '${request}'`);
  err.code = 'MODULE_NOT_FOUND';
  throw err;
};

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'drizzle-guard-launcher-'));
}

function script(dir, name, body) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('each platform, arch and libc resolves its own package', () => {
  for (const [platform, arch, libc, pkg, file] of EXPECTED) {
    const requests = [];
    const found = locateBinary({
      env: {},
      platform,
      arch,
      libc: libc || undefined,
      resolve: (request) => {
        requests.push(request);
        return `/nm/${request}`;
      },
    });
    assert.deepStrictEqual(requests, [`${pkg}/${file}`], `${platform} ${arch} ${libc}`);
    assert.strictEqual(found.binary, `/nm/${pkg}/${file}`);
  }
});

test('the platform table, the expectations and the launcher package agree', () => {
  assert.deepStrictEqual(
    PLATFORMS.map((p) => [p.os, p.cpu, p.libc, p.pkg, p.bin]),
    EXPECTED,
  );
  const manifest = require('../package.json');
  assert.deepStrictEqual(Object.keys(manifest.optionalDependencies).sort(), EXPECTED.map((e) => e[3]).sort());
  assert.strictEqual(manifest.scripts, undefined, 'no install scripts');
  assert.strictEqual(platformFor('linux', 'x64', 'glibc').name, 'linux-x64-gnu');
  assert.strictEqual(platformFor('darwin', 'arm64', null).name, 'darwin-arm64');
});

test('libc detection: ldd first, then the report of Node itself', () => {
  const none = () => null;
  const alpineLdd = () => '#!/bin/sh\nexec /lib/ld-musl-x86_64.so.1 --list "$@"\n';
  const debianLdd = () => "# This file is part of the GNU C Library.\necho 'ldd (Debian GLIBC 2.36-9) 2.36'\n";
  const glibcReport = () => ({ header: { glibcVersionRuntime: '2.36' }, sharedObjects: ['/lib/x86_64-linux-gnu/libc.so.6'] });
  const muslReport = () => ({ header: {}, sharedObjects: ['/lib/ld-musl-aarch64.so.1'] });
  const unreachable = () => assert.fail('the report is not needed when ldd names the libc');

  assert.strictEqual(detectLibc('linux', alpineLdd, unreachable), 'musl');
  assert.strictEqual(detectLibc('linux', debianLdd, unreachable), 'glibc');
  assert.strictEqual(detectLibc('linux', none, glibcReport), 'glibc');
  assert.strictEqual(detectLibc('linux', none, muslReport), 'musl');
  assert.strictEqual(detectLibc('linux', () => 'an ldd naming no libc', () => ({ header: {} })), 'musl');
  assert.strictEqual(detectLibc('linux', none, none), 'glibc');
  assert.strictEqual(detectLibc('darwin', unreachable, unreachable), null);
  assert.strictEqual(detectLibc('win32', unreachable, unreachable), null);
  if (process.platform === 'linux') assert.ok(['glibc', 'musl'].includes(detectLibc()));
});

test('an unsupported platform gets a message naming it and the way out', () => {
  for (const [platform, arch, libc, named] of [
    ['freebsd', 'x64', undefined, 'freebsd x64'],
    ['linux', 'ia32', 'glibc', 'linux ia32 (glibc)'],
    ['linux', 's390x', 'musl', 'linux s390x (musl)'],
    ['win32', 'ia32', undefined, 'win32 ia32'],
  ]) {
    const found = locateBinary({ env: {}, platform, arch, libc, resolve: notFound });
    assert.strictEqual(found.binary, undefined);
    assert.match(found.message, new RegExp(`no prebuilt drizzle-guard binary for ${named.replace(/[()]/g, '\\$&')}\\.`));
    assert.match(found.message, /linux x64 \(glibc\), .*darwin arm64, .*win32 arm64/);
    assert.match(found.message, /cargo install --locked --git https:\/\/github\.com\/drizzle-guard\/drizzle-guard drizzle-guard/);
    assert.match(found.message, /set DRIZZLE_GUARD_BINARY to the path/);
  }
});

test('a skipped platform package gets a message naming it', () => {
  const found = locateBinary({ env: {}, platform: 'linux', arch: 'arm64', libc: 'musl', resolve: notFound, version: '1.2.3' });
  assert.strictEqual(found.binary, undefined);
  assert.match(found.message, /^the package @drizzle-guard\/linux-arm64-musl, which carries the drizzle-guard binary for\nlinux arm64 \(musl\), is not installed\./);
  assert.match(found.message, /--omit=optional \/ --no-optional/);
  assert.match(found.message, /npm install -D @drizzle-guard\/linux-arm64-musl@1\.2\.3/);
  assert.match(found.message, /DRIZZLE_GUARD_BINARY/);
  assert.doesNotMatch(found.message, /Installed instead/);

  // node_modules copied from a Mac into a Linux container.
  const fromMac = locateBinary({
    env: {},
    platform: 'linux',
    arch: 'x64',
    libc: 'glibc',
    resolve: (request) => (request.startsWith('@drizzle-guard/darwin-arm64/') ? `/nm/${request}` : notFound(request)),
  });
  assert.match(fromMac.message, /Installed instead: @drizzle-guard\/darwin-arm64 \(darwin arm64\): node_modules comes from another machine\./);
});

test('DRIZZLE_GUARD_BINARY overrides the platform package', () => {
  const dir = tempDir();
  try {
    const binary = path.join(dir, 'my-drizzle-guard');
    fs.writeFileSync(binary, '');
    const unused = () => assert.fail('no package is resolved when DRIZZLE_GUARD_BINARY is set');
    // Even where there is no prebuilt binary.
    assert.deepStrictEqual(
      locateBinary({ env: { [ENV_BINARY]: binary }, platform: 'freebsd', arch: 'x64', resolve: unused }),
      { binary },
    );
    assert.deepStrictEqual(
      locateBinary({ env: { [ENV_BINARY]: path.relative(process.cwd(), binary) }, platform: 'linux', arch: 'x64', libc: 'glibc', resolve: unused }),
      { binary },
    );
    const missing = path.join(dir, 'nothing-here');
    const found = locateBinary({ env: { [ENV_BINARY]: missing }, platform: 'linux', arch: 'x64', libc: 'glibc', resolve: unused });
    assert.strictEqual(found.message.split('\n')[0], `DRIZZLE_GUARD_BINARY is set to "${missing}", but there is no file there.`);
    // A directory is not a binary.
    assert.ok(locateBinary({ env: { [ENV_BINARY]: dir }, platform: 'linux', arch: 'x64', libc: 'glibc', resolve: unused }).message);
    // Set but empty: as if unset.
    assert.strictEqual(
      locateBinary({ env: { [ENV_BINARY]: '' }, platform: 'darwin', arch: 'x64', resolve: (r) => `/nm/${r}` }).binary,
      '/nm/@drizzle-guard/darwin-x64/drizzle-guard',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The launcher as a process: arguments, streams, exit codes and signals.

function launch(binary, args, options = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, [ENV_BINARY]: binary },
    ...options,
  });
}

test('the binary gets the arguments and standard streams, the launcher its exit code', { skip: !posix }, () => {
  const dir = tempDir();
  try {
    const binary = script(dir, 'bin', 'printf "%s|" "$@"; cat; echo to-stderr >&2; exit 3');
    const result = launch(binary, ['check', 'a b', '--format', 'json'], { input: 'from-stdin' });
    assert.strictEqual(result.stdout, 'check|a b|--format|json|from-stdin');
    assert.strictEqual(result.stderr, 'to-stderr\n');
    assert.strictEqual(result.status, 3);
    assert.strictEqual(launch(script(dir, 'ok', 'exit 0'), []).status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a binary killed by a signal kills the launcher with it', { skip: !posix }, () => {
  const dir = tempDir();
  try {
    const result = launch(script(dir, 'bin', 'kill -TERM $$'), []);
    assert.strictEqual(result.signal, 'SIGTERM');
    assert.strictEqual(result.status, null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a signal to the launcher goes on to the binary', { skip: !posix, timeout: 20000 }, async () => {
  const dir = tempDir();
  const pidFile = path.join(dir, 'pid');
  try {
    const binary = script(dir, 'bin', `echo $$ > '${pidFile}'\ntrap 'exit 42' TERM\necho ready\nwhile :; do sleep 0.05; done`);
    // Ten times: a signal that came before the launcher's handlers would end the launcher alone.
    for (let i = 0; i < 10; i++) {
      const child = spawn(process.execPath, [BIN], { env: { ...process.env, [ENV_BINARY]: binary }, stdio: ['ignore', 'pipe', 'inherit'] });
      const status = await new Promise((resolve, reject) => {
        child.on('error', reject);
        child.stdout.on('data', (data) => {
          if (String(data).includes('ready')) child.kill('SIGTERM');
        });
        child.on('exit', (code, signal) => resolve({ code, signal }));
      });
      assert.deepStrictEqual(status, { code: 42, signal: null });
    }
  } finally {
    // Should the binary have outlived the launcher, end it.
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // It ended with the launcher.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the launcher exits 2 with its message when there is no binary', () => {
  const dir = tempDir();
  try {
    const missing = launch(path.join(dir, 'nothing-here'), ['check']);
    assert.strictEqual(missing.status, EXIT_ERROR);
    assert.strictEqual(missing.stdout, '');
    assert.match(missing.stderr, /^drizzle-guard: error: DRIZZLE_GUARD_BINARY is set to ".*nothing-here", but there is no file there\./);

    // This source tree has no node_modules: the real resolution finds no platform package.
    const env = { ...process.env };
    delete env[ENV_BINARY];
    const skipped = spawnSync(process.execPath, [BIN, 'check'], { encoding: 'utf8', env, cwd: dir });
    assert.strictEqual(skipped.status, EXIT_ERROR);
    const host = platformFor(process.platform, process.arch, detectLibc());
    if (host) {
      assert.match(skipped.stderr, new RegExp(`^drizzle-guard: error: the package ${host.pkg}, which carries`));
    } else {
      assert.match(skipped.stderr, /^drizzle-guard: error: there is no prebuilt drizzle-guard binary for /);
    }

    // And where Node reports another platform.
    const ia32 = spawnSync(
      process.execPath,
      ['-e', `Object.defineProperty(process, 'arch', { value: 'ia32' }); require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'launch.js'))}).main()`],
      { encoding: 'utf8', env },
    );
    assert.strictEqual(ia32.status, EXIT_ERROR);
    assert.match(ia32.stderr, new RegExp(`^drizzle-guard: error: there is no prebuilt drizzle-guard binary for ${process.platform} ia32`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
