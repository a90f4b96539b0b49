#!/usr/bin/env bash
# Builds promtool (Prometheus' rule checker and rule unit-test runner) for the alert tests
# (test/helm/alerts-promtool.test.ts) from the Go module proxy, into the git-ignored
# .cache/tools/promtool-<version>/. The module version is pinned; the Go toolchain checks every
# module against the checksum database. A finished build is reused.
#
# Prints the path of the promtool binary on stdout (messages go to stderr); exits non-zero when it
# cannot build one (no Go, no module proxy), so a caller can fall back to skipping:
#   PROMTOOL="$(bash helm/tools/build-promtool.sh)" && export PROMTOOL
set -euo pipefail

VERSION="v0.316.0" # github.com/prometheus/prometheus module version (Prometheus 3.16)
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${PROMTOOL_CACHE_DIR:-$ROOT/.cache/tools}/promtool-$VERSION"
BIN="$DIR/promtool"

if [ ! -x "$BIN" ] || ! "$BIN" --version >/dev/null 2>&1; then
  if ! command -v go >/dev/null 2>&1; then
    echo "build-promtool: no go toolchain on PATH" >&2
    exit 1
  fi
  echo "build-promtool: building promtool $VERSION into $DIR (a few minutes the first time)" >&2
  mkdir -p "$DIR"
  # Outside any module, so that the repository's own files play no part in the build.
  (cd "$DIR" && GOBIN="$DIR" go install "github.com/prometheus/prometheus/cmd/promtool@$VERSION") >&2
fi

"$BIN" --version 2>&1 | head -n 1 >&2
echo "$BIN"
