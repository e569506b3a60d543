#!/usr/bin/env bash
# Builds helm v3 from Go modules (go install, no replace directives) into the shared tool cache.
#
#   scripts/tools/helm.sh          # build if missing, print the binary path
#   scripts/tools/helm.sh --path   # print the path only if already built (exit 1 otherwise)
#
# Used by `npm run plan` (helm template of every release) and the rendered-object tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../e2e/tools.sh
source "$here/../e2e/tools.sh"

tool="$E2E_CACHE/tools/helm-$E2E_HELM_VERSION"
bin="$tool/bin/helm"

if [ "${1:-}" = "--path" ]; then
  [ -f "$tool/.complete" ] && [ -x "$bin" ] || exit 1
  echo "$bin"
  exit 0
fi

if [ -f "$tool/.complete" ] && [ -x "$bin" ]; then
  e2e_log "helm $E2E_HELM_VERSION: cached"
else
  e2e_go_env
  e2e_log "helm $E2E_HELM_VERSION: building helm.sh/helm/v3/cmd/helm (cold: a few minutes on 2 cores)"
  start=$(date +%s)
  mkdir -p "$tool/bin"
  # go install pkg@version builds the module exactly as published (its go.mod has no replace
  # directives); -mod=mod from e2e_go_env does not apply outside a main module.
  GOFLAGS= GOBIN="$tool/bin" e2e_go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$E2E_HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
    "helm.sh/helm/v3/cmd/helm@$E2E_HELM_VERSION" || e2e_die "helm build failed"
  [ -x "$bin" ] || e2e_die "expected binary missing after build: $bin"
  e2e_done "$tool" "$start"
fi
echo "$bin"
