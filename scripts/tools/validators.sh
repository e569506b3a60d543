#!/usr/bin/env bash
# The level-4 component validators (docs/conformance.md "Component validators"): two Go binaries
# built from the pinned components' own modules through the Go module proxy into the tool cache:
#   bin/kserve                KServe v0.20.0's InferenceService webhooks + predictor reconciler
#                             (module scripts/parsers/validators/kserve/, on KServe's own pins:
#                             controller-runtime v0.22, k8s.io v0.34, KEDA API v2.18)
#   bin/keda-knative-kuberay  KEDA v2.20.2's ScaledObject webhook + scaler builder, Knative Serving
#                             v0.47.0's Service webhook, KubeRay ray-operator v1.6.0's validation
#                             (module scripts/parsers/validators/keda-knative-kuberay/, on KEDA's
#                             pins: controller-runtime v0.23, k8s.io v0.35)
# Two modules because KServe v0.20.0 and KEDA v2.20.2 need incompatible controller-runtime releases.
# Prints the directory holding both binaries.
#
#   scripts/tools/validators.sh          build if missing, print the bin directory
#   scripts/tools/validators.sh --path   print it only if already built (exit 1 otherwise)
#
# The cache key is a hash of both modules (go.mod, go.sum, *.go): any change rebuilds.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../e2e/tools.sh
source "$HERE/../e2e/tools.sh"

SRC="$(cd "$HERE/../parsers/validators" && pwd)"
MODULES=(kserve keda-knative-kuberay)
HASH="$(cd "$SRC" && for m in "${MODULES[@]}"; do echo "== $m"; cat "$m/go.mod" "$m/go.sum" $(ls "$m"/*.go | sort); done | sha256sum | cut -c1-12)"
TOOL="$E2E_CACHE/tools/validators-$HASH"
BIN="$TOOL/bin"

if [ "${1:-}" = "--path" ]; then
  [ -f "$TOOL/.complete" ] || exit 1
  echo "$BIN"
  exit 0
fi
if [ -f "$TOOL/.complete" ]; then echo "$BIN"; exit 0; fi

e2e_go_env
# -mod=readonly: the committed go.mod/go.sum must be complete; nothing in the source tree is rewritten.
export GOFLAGS=-mod=readonly
start=$(date +%s)
mkdir -p "$BIN"
for m in "${MODULES[@]}"; do
  e2e_log "validators ($HASH): building $m from $SRC/$m (cold: many minutes on 2 cores; KEDA's scalers and KServe pull cloud SDKs)"
  t=$(date +%s)
  # One build at a time, niced: the machine is shared.
  if ! (cd "$SRC/$m" && nice -n 10 go build -trimpath -ldflags "-s -w" -o "$BIN/$m.tmp" .) >"$TOOL/build-$m.log" 2>&1; then
    e2e_log "go build of $m failed; last lines of $TOOL/build-$m.log:"
    tail -n 40 "$TOOL/build-$m.log" >&2
    e2e_die "validators build failed"
  fi
  mv "$BIN/$m.tmp" "$BIN/$m"
  echo "$(( $(date +%s) - t ))" >"$TOOL/build-seconds-$m"
done
e2e_done "$TOOL" "$start"
echo "$BIN"
