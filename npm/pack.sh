#!/usr/bin/env bash
# npm/pack.sh OUT_DIR
#
# Builds this machine's release binary and writes two npm tarballs to OUT_DIR, at Cargo.toml's
# version: the `drizzle-guard` launcher and this platform's @drizzle-guard/<platform> package
# carrying the stripped binary. Prints the two tarballs' paths on standard output, one a line
# (launcher first); everything else goes to standard error. Needs cargo, node and npm.
# (The release workflow builds the other platforms' binaries and stages them with npm/stage.js.)
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: npm/pack.sh OUT_DIR" >&2
  exit 2
fi
for tool in cargo node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "npm/pack.sh: $tool is required" >&2
    exit 2
  fi
done

root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
platform="$(node "$root/npm/stage.js" host)"

# The release profile as benchmarks use it (with line tables); the packed copy is stripped below.
# Cargo reports where it wrote the executable (target dir, .exe) in its JSON messages.
exe="$(
  cd "$root" &&
    cargo build --release --locked --bin drizzle-guard --message-format=json-render-diagnostics |
    node -e '
      let exe = "";
      require("readline").createInterface({ input: process.stdin }).on("line", (line) => {
        const m = JSON.parse(line);
        if (m.reason === "compiler-artifact" && m.executable && m.target.name === "drizzle-guard") exe = m.executable;
      }).on("close", () => { if (!exe) process.exit(1); console.log(exe); });'
)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
bin="$work/bin/$(basename "$exe")"
cp "$exe" "$bin"
case "$platform" in
  win32-*) ;; # MSVC writes the debug information to a separate .pdb: the .exe carries none.
  *)
    if command -v strip >/dev/null 2>&1; then
      strip "$bin"
    else
      echo "npm/pack.sh: warning: no strip command; packing the binary unstripped" >&2
    fi
    ;;
esac

node "$root/npm/stage.js" launcher "$work/drizzle-guard"
node "$root/npm/stage.js" platform "$platform" "$bin" "$work/$platform"

for dir in "$work/drizzle-guard" "$work/$platform"; do
  file="$(
    npm pack "$dir" --pack-destination "$out" --json --loglevel=error |
      node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)[0].filename));'
  )"
  echo "$out/$file"
done
