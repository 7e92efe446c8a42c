#!/usr/bin/env bash
# Builds kube-apiserver, etcd and kubectl for the Kubernetes tests into $KUBE_TEST_ENV_BIN (default
# ~/.cache/crossgate/kube-<version>/bin), once: a later call with the binaries there does nothing.
# Pure Go, no cgo; the module cache (~/go/pkg/mod) and build cache (~/.cache/go-build) make a rebuild cheap.
set -euo pipefail
cd "$(dirname "$0")"
version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2}' go.mod)
[ -n "$version" ] || { echo "no k8s.io/kubernetes version in go.mod" >&2; exit 1; }
bin=${KUBE_TEST_ENV_BIN:-$HOME/.cache/crossgate/kube-$version/bin}
if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ] && [ -x "$bin/kubectl" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$bin"
building=$(mktemp -d "$bin/../build.XXXXXX")
trap 'rm -rf "$building"' EXIT
for tool in kube-apiserver etcd kubectl; do
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$building/$tool" "./cmd/$tool" >&2
done
mv "$building"/* "$bin/"   # only whole binaries land in bin/
echo "$bin"
