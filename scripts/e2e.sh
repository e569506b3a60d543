#!/usr/bin/env bash
# Real-engine end to end (`npm run e2e`): real Pulumi CLI + Kubernetes provider against a real
# kube-apiserver on loopback. Steps:
#   1. tools    build (or reuse) etcd, kube-apiserver, the Pulumi CLI and the Kubernetes provider
#               from Go modules (scripts/e2e/tools.sh; cache: ~/.cache/inference-platform)
#   2. cluster  start etcd + kube-apiserver on 127.0.0.1 with a throwaway PKI (scripts/e2e/cluster.sh)
#   3. api      check the API server answers /version with the built version, as the admin user
#   4. pulumi   isolated PULUMI_HOME, provider plugin installed from the built binary, file backend
#   5. stack    e2e_stack_steps below (preview/up/destroy of the e2e stack)
# Whatever happens, an EXIT trap stops etcd and the API server and removes the temp dir
# (E2E_KEEP=1 keeps the temp dir for debugging). Exits non-zero with the reason on failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=e2e/tools.sh
source "$ROOT/scripts/e2e/tools.sh"
# shellcheck source=e2e/cluster.sh
source "$ROOT/scripts/e2e/cluster.sh"

E2E_STEP="setup"
E2E_T0=$(date +%s)
declare -A E2E_TIMES=()

say() { printf '\n[e2e] == %s\n' "$*" >&2; }
log() { printf '[e2e] %s\n' "$*" >&2; }
fail() { printf '[e2e] FAILED in step "%s": %s\n' "$E2E_STEP" "$*" >&2; exit 1; }

E2E_WORK="$(mktemp -d "${TMPDIR:-/tmp}/inference-platform-e2e.XXXXXX")"

e2e_on_exit() {
  local rc=$?
  trap - EXIT
  e2e_cluster_stop || true
  if [ "${E2E_KEEP:-0}" = "1" ]; then
    log "keeping $E2E_WORK (E2E_KEEP=1)"
  else
    rm -rf "$E2E_WORK"
  fi
  if [ "$rc" -eq 0 ]; then
    log "PASSED in $(( $(date +%s) - E2E_T0 ))s"
  else
    log "FAILED (exit $rc) in step \"$E2E_STEP\"; see the messages above"
  fi
  exit "$rc"
}
trap e2e_on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM

# timed NAME CMD...: runs CMD, records its wall time under NAME.
timed() {
  local name="$1" s; shift
  s=$(date +%s)
  "$@"
  E2E_TIMES[$name]=$(( $(date +%s) - s ))
}

# -------------------------------------------------------------------------------------------------
# 5. Stack steps: HOOK for the e2e stack (preview with the policy pack, up, checks, re-up without
# changes, destroy, policy violation). Runs with the cluster up and this environment:
#   ROOT               repository root
#   E2E_WORK           temp dir removed at exit (state backend in $E2E_WORK/state)
#   E2E_PULUMI         built pulumi CLI (also first on PATH as `pulumi`)
#   PULUMI_HOME, PULUMI_BACKEND_URL (file://$E2E_WORK/state), PULUMI_CONFIG_PASSPHRASE,
#   PULUMI_SKIP_UPDATE_CHECK, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION
#   E2E_KUBECONFIG     admin kubeconfig for the loopback API server (also KUBECONFIG)
#   E2E_API_URL        https://127.0.0.1:<port>; `e2e_api PATH [curl args]` queries it as admin
# Fail with `fail "reason"`. Time sub-steps with `timed NAME cmd...` to get them in the summary.
# -------------------------------------------------------------------------------------------------
e2e_stack_steps() {
  log "no stack steps defined yet (scripts/e2e.sh: e2e_stack_steps)"
}

# -------------------------------------------------------------------------------------------------
E2E_STEP="tools"
say "1/5 tools: build or reuse from $E2E_CACHE"
timed tools e2e_tools_build || fail "tool build failed"
for b in "$E2E_ETCD" "$E2E_KUBE_APISERVER" "$E2E_PULUMI" "$E2E_K8S_PROVIDER"; do log "  $b"; done

E2E_STEP="cluster"
say "2/5 cluster: etcd + kube-apiserver on loopback"
timed cluster e2e_cluster_start "$E2E_WORK/cluster" || fail "control plane did not start"
export KUBECONFIG="$E2E_KUBECONFIG"

E2E_STEP="api"
say "3/5 api: $E2E_API_URL answers as the admin user"
version_json="$(e2e_api /version)" || fail "GET /version failed"
git_version="$(jq -r .gitVersion <<<"$version_json")"
log "  /version: gitVersion=$git_version"
[ "$git_version" = "$E2E_KUBE_VERSION" ] || fail "API server reports $git_version, expected $E2E_KUBE_VERSION (version ldflags missing?)"
ns_phase="$(e2e_api /api/v1/namespaces/default | jq -r .status.phase)" || fail "GET namespace default failed"
[ "$ns_phase" = "Active" ] || fail "namespace default is '$ns_phase', expected Active"
log "  namespace default: $ns_phase"
whoami="$(e2e_api /apis/authentication.k8s.io/v1/selfsubjectreviews -X POST -H 'Content-Type: application/json' \
  -d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' | jq -c '.status.userInfo | {username, groups}')" \
  || fail "SelfSubjectReview failed"
log "  authenticated as $whoami"

E2E_STEP="pulumi"
say "4/5 pulumi: CLI, provider plugin, file backend"
export PULUMI_HOME="$E2E_WORK/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-inference-platform-e2e}"
mkdir -p "$PULUMI_HOME" "$E2E_WORK/state" "$E2E_WORK/bin"
# The Node.js language host (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is
# not served by the Go module proxy reachable here (403 for every version), so it is not built.
# Consequences: programs run through the Automation API's in-process language server (the CLI's
# --client flag), and the CLI falls back to its documented pre-language-host way of booting Node.js
# policy packs: an executable `pulumi-analyzer-policy-nodejs` on PATH, started in the policy pack's
# directory with <engine-address> <pack-dir>, which runs @pulumi/pulumi's run-policy-pack there.
cat >"$E2E_WORK/bin/pulumi-analyzer-policy-nodejs" <<'SHIM'
#!/bin/sh
exec node ./node_modules/@pulumi/pulumi/cmd/run-policy-pack "$@"
SHIM
chmod +x "$E2E_WORK/bin/pulumi-analyzer-policy-nodejs"
export PATH="$(dirname "$E2E_PULUMI"):$E2E_WORK/bin:$PATH"
pulumi_version="$(pulumi version)" || fail "pulumi version failed"
log "  pulumi version: $pulumi_version"
[ "$pulumi_version" = "v$E2E_PULUMI_VERSION" ] || fail "pulumi reports $pulumi_version, expected v$E2E_PULUMI_VERSION"
pulumi plugin install resource kubernetes "v$E2E_K8S_PROVIDER_VERSION" --file "$E2E_K8S_PROVIDER" >&2 \
  || fail "installing the kubernetes provider plugin from $E2E_K8S_PROVIDER failed"
plugins="$(pulumi plugin ls --json)" || fail "pulumi plugin ls failed"
jq -e --arg v "$E2E_K8S_PROVIDER_VERSION" \
  'any(.[]; .name == "kubernetes" and .kind == "resource" and .version == $v)' <<<"$plugins" >/dev/null \
  || fail "kubernetes $E2E_K8S_PROVIDER_VERSION not in 'pulumi plugin ls': $plugins"
log "  plugin: resource kubernetes $E2E_K8S_PROVIDER_VERSION (built from provider/v4@$E2E_K8S_PROVIDER_MODULE_VERSION)"
export PULUMI_BACKEND_URL="file://$E2E_WORK/state"
pulumi login "$PULUMI_BACKEND_URL" >&2 || fail "pulumi login $PULUMI_BACKEND_URL failed"
backend="$(pulumi whoami --verbose 2>&1 | sed -n 's/^Backend URL: //p')"
[ "$backend" = "$PULUMI_BACKEND_URL" ] || fail "pulumi whoami reports backend '$backend', expected $PULUMI_BACKEND_URL"
log "  backend: $backend"

E2E_STEP="stack"
say "5/5 stack"
timed stack e2e_stack_steps

E2E_STEP="summary"
say "times (seconds)"
for t in etcd-"$E2E_ETCD_VERSION" kube-apiserver-"$E2E_KUBE_VERSION" pulumi-v"$E2E_PULUMI_VERSION" \
  pulumi-resource-kubernetes-"$E2E_K8S_PROVIDER_MODULE_VERSION"; do
  log "  cold build (recorded when built) $t: $(cat "$E2E_CACHE/tools/$t/build-seconds" 2>/dev/null || echo '?')"
done
for k in "${!E2E_TIMES[@]}"; do log "  this run, $k: ${E2E_TIMES[$k]}"; done
