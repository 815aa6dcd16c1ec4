#!/usr/bin/env bash
# The npm packages as a user gets them (run by .ci/run; needs cargo, node and npm):
# the launcher's unit tests, then npm/pack.sh's two tarballs installed with npm into an empty
# project, run through `npx drizzle-guard` with no Rust toolchain on PATH, must give the binary's
# own output and exit codes; without the platform package the launcher must say so and exit 2.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fail() {
  echo "npm/ci-check.sh: $*" >&2
  exit 1
}

node --test npm/drizzle-guard/test/*.test.js

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

paths="$(bash npm/pack.sh "$tmp/tarballs")"
mapfile -t tarballs <<<"$paths"
[ "${#tarballs[@]}" = 2 ] || fail "npm/pack.sh printed ${#tarballs[@]} paths, not 2"
for tgz in "${tarballs[@]}"; do
  echo "$(basename "$tgz"): $(wc -c <"$tgz") bytes" >&2
done
# The binary the platform package was made from (before stripping), to compare with.
target_dir="$(cargo metadata --format-version 1 --no-deps --locked | node -e \
  'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
binary="$target_dir/release/drizzle-guard"
[ -x "$binary" ] || fail "no release binary at $binary"

project="$tmp/project"
mkdir "$project"
echo '{ "name": "scratch", "version": "1.0.0", "private": true }' >"$project/package.json"
started=$(date +%s%N)
# From the two files alone: the other platforms' optional dependencies are skipped offline.
(cd "$project" && npm install --offline --no-audit --no-fund --loglevel=error "${tarballs[@]}" >&2)
echo "npm install: $((($(date +%s%N) - started) / 1000000)) ms" >&2
platform="$(node npm/stage.js host)"
[ -x "$project/node_modules/@drizzle-guard/$platform/drizzle-guard" ] || fail "@drizzle-guard/$platform was not installed"
cmp drizzle-guard.schema.json "$project/node_modules/drizzle-guard/drizzle-guard.schema.json" ||
  fail "the JSON Schema is not in node_modules/drizzle-guard"

# Node's directory and the system's, without cargo or rustc.
plain_path="$(dirname "$(command -v node)"):/usr/bin:/bin"
for tool in cargo rustc; do
  if found="$(PATH="$plain_path" command -v "$tool")"; then
    fail "$tool is on $plain_path ($found): cannot check the packages without Rust"
  fi
done

# run NAME COMMAND...: runs COMMAND in the project with that PATH; NAME.out, NAME.err, NAME.code.
run() {
  local name="$1" code=0
  shift
  (cd "$project" && env PATH="$plain_path" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err") || code=$?
  echo "$code" >"$tmp/$name.code"
}
# same NAME EXPECTED_CODE ARGS...: `npx drizzle-guard ARGS` and the binary itself give EXPECTED_CODE
# and byte-identical standard output and error.
same() {
  local name="$1" expected="$2"
  shift 2
  # --no: run the project's drizzle-guard, never download one.
  run "$name-npx" npx --no drizzle-guard "$@"
  run "$name-binary" "$binary" "$@"
  for via in npx binary; do
    [ "$(cat "$tmp/$name-$via.code")" = "$expected" ] ||
      fail "$name: exit $(cat "$tmp/$name-$via.code") through $via, expected $expected: $(head -c 2000 "$tmp/$name-$via.err")"
  done
  cmp "$tmp/$name-binary.out" "$tmp/$name-npx.out" || fail "$name: npx's standard output differs from the binary's"
  cmp "$tmp/$name-binary.err" "$tmp/$name-npx.err" || fail "$name: npx's standard error differs from the binary's"
}

app="$root/fixtures/example-app"
same findings-json 1 check "$app" --format json
[ "$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).diagnostics.length' "$tmp/findings-json-npx.out")" -gt 0 ] || fail "the example app gave no findings"
same findings-human 1 check "$app" --color never --no-timing
same fail-on-never 0 check "$app" --fail-on never --format json
same bad-flag 2 check "$app" --no-such-flag
grep -q -- "--no-such-flag" "$tmp/bad-flag-npx.err" || fail "bad-flag: the message does not name the flag"

# Without the platform package (as after `npm install --omit=optional`).
mv "$project/node_modules/@drizzle-guard/$platform" "$tmp/$platform"
run missing npx --no drizzle-guard check "$app"
[ "$(cat "$tmp/missing.code")" = 2 ] || fail "missing: exit $(cat "$tmp/missing.code") without the platform package, expected 2"
for text in "drizzle-guard: error: the package @drizzle-guard/$platform," "--omit=optional" "DRIZZLE_GUARD_BINARY"; do
  grep -qF -- "$text" "$tmp/missing.err" || fail "missing: the message lacks \"$text\": $(cat "$tmp/missing.err")"
done
[ ! -s "$tmp/missing.out" ] || fail "missing: the launcher wrote to standard output"
# ... and with DRIZZLE_GUARD_BINARY pointing to the binary instead.
run override env DRIZZLE_GUARD_BINARY="$tmp/$platform/drizzle-guard" npx --no drizzle-guard check "$app" --format json
[ "$(cat "$tmp/override.code")" = 1 ] || fail "override: exit $(cat "$tmp/override.code"), expected 1"
cmp "$tmp/findings-json-binary.out" "$tmp/override.out" || fail "override: the output differs from the binary's"

echo "npm packages checked: $(basename "${tarballs[0]}") and $(basename "${tarballs[1]}") installed with npm give the binary's output and exit codes without Rust on PATH" >&2
