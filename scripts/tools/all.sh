#!/usr/bin/env bash
# `npm run tools`: builds every Go-built tool the project uses into the shared tool cache
# ($E2E_CACHE, see scripts/e2e/tools.sh), building what is missing and reusing what is there:
#   1. the e2e tools (scripts/e2e/tools.sh): etcd, kube-apiserver, the Pulumi CLI, the Node.js
#      language host, the Kubernetes provider;
#   2. every other recipe scripts/tools/<tool>.sh (each prints its binary path on stdout).
# Prints each tool's build time in this run (0 s when cached) and, for the e2e tools, the time
# recorded when they were built cold. Exits non-zero naming the first recipe that failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../e2e/tools.sh
source "$here/../e2e/tools.sh"

say() { printf '[tools] %s\n' "$*" >&2; }
declare -a rows=()
t_all=$(date +%s)

start=$(date +%s)
say "e2e tools (scripts/e2e/tools.sh)"
e2e_tools_build
rows+=("$(printf '%-36s %6ss' "e2e tools (5 binaries)" "$(( $(date +%s) - start ))")")
for t in "etcd-$E2E_ETCD_VERSION" "kube-apiserver-$E2E_KUBE_VERSION" "pulumi-v$E2E_PULUMI_VERSION" \
  "pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION"; do
  rows+=("$(printf '  %-34s cold build %ss' "$t" "$(cat "$E2E_CACHE/tools/$t/build-seconds" 2>/dev/null || echo '?')")")
done
rows+=("$(printf '  %-34s cold build %ss' "pulumi-language-nodejs-v$E2E_PULUMI_VERSION" \
  "$(cat "$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION/build-seconds-language-nodejs" 2>/dev/null || echo '?')")")

for recipe in "$here"/*.sh; do
  name="$(basename "$recipe" .sh)"
  [ "$name" = "all" ] && continue
  say "$name (scripts/tools/$name.sh)"
  start=$(date +%s)
  if ! bin="$(bash "$recipe")"; then
    say "FAILED: scripts/tools/$name.sh"
    exit 1
  fi
  rows+=("$(printf '%-36s %6ss  %s' "$name" "$(( $(date +%s) - start ))" "$bin")")
done

say "build times, this run (cache: $E2E_CACHE):"
for row in "${rows[@]}"; do say "  $row"; done
say "all tools ready in $(( $(date +%s) - t_all ))s"
