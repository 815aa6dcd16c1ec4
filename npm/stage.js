#!/usr/bin/env node
'use strict';

// Writes a publishable npm package directory, at the version of Cargo.toml:
//
//   node npm/stage.js launcher OUT_DIR
//     the `drizzle-guard` launcher: npm/drizzle-guard plus the JSON Schema, its optionalDependencies
//     pinned to this version;
//   node npm/stage.js platform NAME BINARY OUT_DIR
//     the platform package NAME (a name from npm/drizzle-guard/lib/platforms.js, e.g. linux-x64-gnu)
//     carrying BINARY; its package.json is generated from the platform table.
//   node npm/stage.js host
//     prints the platform NAME of this machine (the one the launcher would look for here);
//   node npm/stage.js version
//     prints the version.
//
// OUT_DIR must not exist yet. `npm pack OUT_DIR` or `npm publish OUT_DIR` takes it from there.

const fs = require('fs');
const path = require('path');
const { PLATFORMS, describe } = require('./drizzle-guard/lib/platforms');
const { detectLibc, platformFor } = require('./drizzle-guard/lib/launch');

const ROOT = path.resolve(__dirname, '..');
const LAUNCHER = path.join(__dirname, 'drizzle-guard');
const SCHEMA = 'drizzle-guard.schema.json';

function fail(message) {
  process.stderr.write(`stage.js: ${message}\n`);
  process.exit(2);
}

// The [package] version of Cargo.toml: the binary's own `--version`.
function cargoVersion() {
  const toml = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
  const section = toml.split(/^\[/m).find((s) => s.startsWith('package]'));
  const match = section && section.match(/^version\s*=\s*"([^"]+)"/m);
  if (!match) fail('no version in the [package] section of Cargo.toml');
  return match[1];
}

function createDir(dir) {
  if (fs.existsSync(dir)) fail(`${dir} already exists`);
  fs.mkdirSync(dir, { recursive: true });
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function stageLauncher(out) {
  const version = cargoVersion();
  const manifest = JSON.parse(fs.readFileSync(path.join(LAUNCHER, 'package.json'), 'utf8'));
  const listed = Object.keys(manifest.optionalDependencies || {}).sort();
  const table = PLATFORMS.map((p) => p.pkg).sort();
  if (listed.join() !== table.join()) {
    fail(`npm/drizzle-guard/package.json's optionalDependencies (${listed.join(', ')}) are not the platform table's packages (${table.join(', ')})`);
  }
  manifest.version = version;
  for (const name of listed) manifest.optionalDependencies[name] = version;

  createDir(out);
  writeJson(path.join(out, 'package.json'), manifest);
  fs.copyFileSync(path.join(LAUNCHER, 'README.md'), path.join(out, 'README.md'));
  for (const dir of ['bin', 'lib']) {
    fs.cpSync(path.join(LAUNCHER, dir), path.join(out, dir), { recursive: true });
  }
  fs.chmodSync(path.join(out, manifest.bin['drizzle-guard']), 0o755);
  fs.copyFileSync(path.join(ROOT, SCHEMA), path.join(out, SCHEMA));
}

function stagePlatform(name, binary, out) {
  const entry = PLATFORMS.find((p) => p.name === name);
  if (!entry) fail(`unknown platform "${name}"; known: ${PLATFORMS.map((p) => p.name).join(', ')}`);
  if (!fs.existsSync(binary) || !fs.statSync(binary).isFile()) fail(`binary ${binary} does not exist`);
  const version = cargoVersion();
  const launcher = JSON.parse(fs.readFileSync(path.join(LAUNCHER, 'package.json'), 'utf8'));
  const platform = describe(entry.os, entry.cpu, entry.libc);

  createDir(out);
  const manifest = {
    name: entry.pkg,
    version,
    description: `The drizzle-guard binary for ${platform}. Install drizzle-guard, which uses it.`,
    license: launcher.license,
    repository: { ...launcher.repository, directory: 'npm' },
    homepage: launcher.homepage,
    os: [entry.os],
    cpu: [entry.cpu],
    ...(entry.libc ? { libc: [entry.libc] } : {}),
    files: [entry.bin],
    // Yarn Plug'n'Play: keep the package on disk so that the binary can be executed.
    preferUnplugged: true,
  };
  writeJson(path.join(out, 'package.json'), manifest);
  fs.writeFileSync(
    path.join(out, 'README.md'),
    `# ${entry.pkg}\n\nThe \`drizzle-guard\` binary for ${platform}. Do not install this package directly:\n` +
      'install [`drizzle-guard`](https://www.npmjs.com/package/drizzle-guard), which depends on it\n' +
      'when it runs on this platform.\n',
  );
  fs.copyFileSync(binary, path.join(out, entry.bin));
  fs.chmodSync(path.join(out, entry.bin), 0o755);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'launcher' && args.length === 1) {
  stageLauncher(path.resolve(args[0]));
} else if (command === 'platform' && args.length === 3) {
  stagePlatform(args[0], path.resolve(args[1]), path.resolve(args[2]));
} else if (command === 'host' && args.length === 0) {
  const libc = detectLibc();
  const entry = platformFor(process.platform, process.arch, libc);
  if (!entry) fail(`no platform package for ${describe(process.platform, process.arch, libc)}`);
  process.stdout.write(`${entry.name}\n`);
} else if (command === 'version' && args.length === 0) {
  process.stdout.write(`${cargoVersion()}\n`);
} else {
  fail('usage: stage.js launcher OUT_DIR | platform NAME BINARY OUT_DIR | host | version');
}
