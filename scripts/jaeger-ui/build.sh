#!/usr/bin/env bash
# Builds the Jaeger UI (v1.74.0) from its source release archive into <out>/build, for the local
# Jaeger to serve (extensions.jaeger_query.ui.assets_path). Called by scripts/infra.sh.
#
#   bash scripts/jaeger-ui/build.sh <out-dir> <log-file>
#
# Source: JAEGER_UI_SOURCE=/path/to/jaeger-ui-v1.74.0.tar.gz, else the project's GitHub release
# archive. Either way the archive must carry the tag's commit id (git get-tar-commit-id): copies of
# the same tag differ in their gzip bytes, never in that id.
# Exit 0: built. Exit 3: no source could be had (the caller runs Jaeger without the UI). Other: failed.
set -euo pipefail

VERSION=1.74.0
COMMIT=4606e0e7aba353224c0a7d1d2588366da3993f24
URL=https://github.com/jaegertracing/jaeger-ui/archive/refs/tags/v$VERSION.tar.gz
OUT=$1
LOG=$2

say() { printf 'infra: %s\n' "$*" >&2; }
step() { printf '\n== %s\n' "$*" >>"$LOG"; }

mkdir -p "$OUT"
work=$OUT/work
rm -rf "$work" "$OUT/build.tmp"
mkdir -p "$work"
: >"$LOG"

archive=$work/source.tar.gz
if [ -n "${JAEGER_UI_SOURCE:-}" ]; then
  if [ ! -f "$JAEGER_UI_SOURCE" ]; then
    say "JAEGER_UI_SOURCE=$JAEGER_UI_SOURCE: no such file"
    exit 3
  fi
  archive=$JAEGER_UI_SOURCE
else
  step "download $URL"
  if ! curl -fsSL --retry 2 --connect-timeout 15 --max-time 300 -o "$archive" "$URL" >>"$LOG" 2>&1; then
    say "could not download the Jaeger UI source ($URL)"
    exit 3
  fi
fi

step "verify $archive"
got=$(gzip -dc "$archive" | git get-tar-commit-id 2>>"$LOG" || true)
if [ "$got" != "$COMMIT" ]; then
  say "$archive is not the source of Jaeger UI v$VERSION: its commit id is '${got:-none}', expected $COMMIT"
  exit 3
fi

step "extract"
tar -xzf "$archive" -C "$work" >>"$LOG" 2>&1
src=$work/jaeger-ui-$VERSION
[ -d "$src" ] || { say "the archive has no jaeger-ui-$VERSION/ folder"; exit 1; }

# The recipe checked in INFRA.md: its lock file is out of sync for newer npm, so `npm install`, not
# `npm ci`; --ignore-scripts skips husky, which wants a git checkout; plexus is a workspace the UI
# imports from its built output.
cd "$src"
step "npm install"
npm install --no-audit --no-fund --ignore-scripts >>"$LOG" 2>&1
step "build plexus"
npm run --workspace @jaegertracing/plexus prepublishOnly >>"$LOG" 2>&1
step "vite build"
(cd packages/jaeger-ui && NODE_ENV=production npx --no-install vite build) >>"$LOG" 2>&1
[ -f packages/jaeger-ui/build/index.html ] || { say "vite build produced no index.html"; exit 1; }

# Keep only the built assets: the source tree with its node_modules is large and not needed again.
cd "$OUT"
mv "$src/packages/jaeger-ui/build" "$OUT/build.tmp"
rm -rf "$OUT/build" "$work"
mv "$OUT/build.tmp" "$OUT/build"
echo "$COMMIT" >"$OUT/build/.commit"
