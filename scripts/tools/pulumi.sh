#!/usr/bin/env bash
# The real-engine toolchain of scripts/e2e/tools.sh — Pulumi CLI + Node.js language host, Kubernetes
# provider, etcd, kube-apiserver — as a tool recipe, so `npm run tools` (and CI) builds it for the
# tests that run the real CLI (test/package/: `pulumi package get-schema`, the YAML example on a
# throwaway API server). Builds nothing that is already in the cache.
#
#   scripts/tools/pulumi.sh          # build what is missing, print the pulumi binary path
#   scripts/tools/pulumi.sh --path   # print it only if the whole toolchain is built (exit 1 otherwise)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../e2e/tools.sh
source "$here/../e2e/tools.sh"

bin="$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION/bin/pulumi"

if [ "${1:-}" = "--path" ]; then
  for t in "pulumi-v$E2E_PULUMI_VERSION/bin/pulumi" "pulumi-v$E2E_PULUMI_VERSION/bin/pulumi-language-nodejs" \
    "pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION/bin/pulumi-resource-kubernetes" \
    "etcd-$E2E_ETCD_VERSION/bin/etcd" "kube-apiserver-$E2E_KUBE_VERSION/bin/kube-apiserver"; do
    [ -f "$E2E_CACHE/tools/${t%%/bin/*}/.complete" ] && [ -x "$E2E_CACHE/tools/$t" ] || exit 1
  done
  [ -f "$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION/.complete-language-nodejs" ] || exit 1
  echo "$bin"
  exit 0
fi

e2e_tools_build
echo "$bin"
