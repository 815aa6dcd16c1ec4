#!/bin/sh
# Seeds fuzz/corpus/pipeline with the example app and the rule fixtures (TypeScript only).
set -e
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/pipeline
find fixtures -name '*.ts' -o -name '*.tsx' | while read -r f; do
  cp "$f" "fuzz/corpus/pipeline/$(echo "$f" | tr '/' '_')"
done
