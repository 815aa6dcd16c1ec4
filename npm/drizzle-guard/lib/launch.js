'use strict';

// The launcher behind `npx drizzle-guard`: finds the native binary for this machine and runs it with
// the same arguments, standard streams, exit code and signals. The binary comes from the platform
// package that npm installed as an optional dependency (its `os`, `cpu` and `libc` fields make every
// other platform's package skip), or from the DRIZZLE_GUARD_BINARY environment variable.
//
// Every function takes what it depends on as parameters (with the real values as defaults), so the
// tests can run it for any platform.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { SCOPE, PLATFORMS, describe } = require('./platforms');
const manifest = require('../package.json');

const ENV_BINARY = 'DRIZZLE_GUARD_BINARY';
// The binary's own exit code for usage, configuration and I/O errors.
const EXIT_ERROR = 2;

function readLdd() {
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8');
  } catch {
    return null;
  }
}

// Node's diagnostic report: its header names the glibc version when Node runs on glibc, and its
// shared objects list the loader. Null when this runtime has none.
function processReport() {
  try {
    if (!process.report || typeof process.report.getReport !== 'function') return null;
    // Network interfaces are not needed, and listing them can be slow.
    if ('excludeNetwork' in process.report) process.report.excludeNetwork = true;
    return process.report.getReport();
  } catch {
    return null;
  }
}

// "glibc" or "musl" on Linux (npm's names, as in the platform packages' `libc` field), null elsewhere.
// The system's ldd script names its libc, and reading it is quick; without one (slim container
// images), Node's report says which libc Node itself runs on (getting it takes some 15 ms).
function detectLibc(platform = process.platform, ldd = readLdd, report = processReport) {
  if (platform !== 'linux') return null;
  const text = ldd();
  if (text !== null && text.includes('musl')) return 'musl';
  if (text !== null && /GNU C Library|GLIBC/.test(text)) return 'glibc';
  const r = report();
  const header = r && r.header;
  if (header && header.glibcVersionRuntime) return 'glibc';
  const loaded = r && Array.isArray(r.sharedObjects) ? r.sharedObjects : [];
  if (loaded.some((file) => /ld-musl-|libc\.musl-/.test(String(file)))) return 'musl';
  // A report without glibc is Node on musl; no report at all: glibc, by far the more common.
  return header ? 'musl' : 'glibc';
}

// The platform table's entry for this platform, or undefined when there is no prebuilt binary.
function platformFor(platform, arch, libc) {
  const wanted = platform === 'linux' ? libc : null;
  return PLATFORMS.find((p) => p.os === platform && p.cpu === arch && p.libc === wanted);
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function repositoryUrl() {
  const repo = manifest.repository;
  const url = typeof repo === 'string' ? repo : (repo && repo.url) || '';
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

function overrideMissing(value) {
  return [
    `${ENV_BINARY} is set to "${value}", but there is no file there.`,
    'Set it to the path of a drizzle-guard executable, or unset it to use the binary of the',
    `${SCOPE}/<platform> package installed with drizzle-guard.`,
  ].join('\n');
}

function unsupported(platform, arch, libc) {
  const prebuilt = PLATFORMS.map((p) => describe(p.os, p.cpu, p.libc)).join(', ');
  return [
    `there is no prebuilt drizzle-guard binary for ${describe(platform, arch, libc)}.`,
    `Prebuilt binaries exist for: ${prebuilt}.`,
    'Build one from source with Rust (https://rustup.rs):',
    `  cargo install --locked --git ${repositoryUrl()} drizzle-guard`,
    `then set ${ENV_BINARY} to the path of the built binary (e.g. ~/.cargo/bin/drizzle-guard).`,
  ].join('\n');
}

function packageMissing(entry, version, elsewhere) {
  const lines = [
    `the package ${entry.pkg}, which carries the drizzle-guard binary for`,
    `${describe(entry.os, entry.cpu, entry.libc)}, is not installed.`,
    'It is an optional dependency of drizzle-guard, and optional dependencies were skipped: installed',
    'with --omit=optional / --no-optional (npm, pnpm) or --ignore-optional (yarn), or node_modules or',
    'the lockfile was made on another platform.',
  ];
  if (elsewhere.length > 0) {
    const names = elsewhere.map((p) => `${p.pkg} (${describe(p.os, p.cpu, p.libc)})`).join(', ');
    lines.push(`Installed instead: ${names}: node_modules comes from another machine.`);
  }
  lines.push(
    'To fix it, reinstall on this machine with optional dependencies, e.g.',
    '  rm -rf node_modules && npm install',
    'and if the package is still missing, delete the lockfile too and reinstall (a lockfile written',
    'on another platform can lack it: https://github.com/npm/cli/issues/4828), or add it directly:',
    `  npm install -D ${entry.pkg}@${version}`,
    `Or set ${ENV_BINARY} to the path of a drizzle-guard binary.`,
  );
  return lines.join('\n');
}

// Where the binary is: `{ binary }`, or `{ message }` saying why there is none.
function locateBinary({
  env = process.env,
  platform = process.platform,
  arch = process.arch,
  libc,
  resolve = require.resolve,
  exists = isFile,
  version = manifest.version,
} = {}) {
  const override = env[ENV_BINARY];
  if (override) {
    const file = path.resolve(override);
    return exists(file) ? { binary: file } : { message: overrideMissing(override) };
  }
  const family = platform === 'linux' ? libc || detectLibc(platform) : null;
  const entry = platformFor(platform, arch, family);
  if (!entry) return { message: unsupported(platform, arch, family) };
  const find = (p) => {
    try {
      return resolve(`${p.pkg}/${p.bin}`);
    } catch {
      return null;
    }
  };
  const binary = find(entry);
  if (binary) return { binary };
  const elsewhere = PLATFORMS.filter((p) => p !== entry && find(p) !== null);
  return { message: packageMissing(entry, version, elsewhere) };
}

// Runs the binary; the launcher then exits as it did: with its exit code, or killed by its signal.
function run(binary, args) {
  // A signal sent to the launcher alone (a CI timeout, `kill`) goes on to the binary. On Windows a
  // Ctrl+C reaches every process of the console: the launcher only has to wait for the binary.
  // The handlers are in place before the binary starts: a signal arriving in between would
  // otherwise end the launcher by its default action and leave the binary running. (Node runs them
  // from its event loop, so none runs before `child` is set below.)
  let child = null;
  const signals = process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const handlers = signals.map((signal) => {
    const handler = () => {
      if (process.platform !== 'win32') child.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler];
  });
  const detach = () => handlers.forEach(([signal, handler]) => process.removeListener(signal, handler));

  child = spawn(binary, args, { stdio: 'inherit' });
  let settled = false;
  child.on('error', (err) => {
    if (settled) return;
    settled = true;
    detach();
    process.stderr.write(`drizzle-guard: error: could not run ${binary}: ${err.message}\n`);
    process.exitCode = EXIT_ERROR;
  });
  child.on('close', (code, signal) => {
    if (settled) return;
    settled = true;
    detach();
    if (signal) {
      // Die of the same signal (the handlers are gone, so its default action applies); should it
      // not arrive in time, exit the way a shell reports a death by signal.
      process.kill(process.pid, signal);
      process.exit(128 + (os.constants.signals[signal] || 0));
    }
    process.exitCode = code;
  });
}

function main(argv = process.argv.slice(2)) {
  const found = locateBinary();
  if (!found.binary) {
    process.stderr.write(`drizzle-guard: error: ${found.message}\n`);
    process.exitCode = EXIT_ERROR;
    return;
  }
  run(found.binary, argv);
}

module.exports = { ENV_BINARY, EXIT_ERROR, detectLibc, platformFor, locateBinary, run, main };
