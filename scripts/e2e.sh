#!/usr/bin/env bash
# Real-engine end to end (`npm run e2e`): real Pulumi CLI + Kubernetes provider against a real
# kube-apiserver on loopback. Steps:
#   1. tools    build (or reuse) etcd, kube-apiserver, the Pulumi CLI and the Kubernetes provider
#               from Go modules (scripts/e2e/tools.sh; cache: ~/.cache/inference-platform)
#   2. cluster  start etcd + kube-apiserver on 127.0.0.1 with a throwaway PKI (scripts/e2e/cluster.sh)
#   3. api      check the API server answers /version with the built version, as the admin user
#   4. pulumi   isolated PULUMI_HOME, provider plugin installed from the built binary, file backend
#   5. stack    e2e_stack_steps below, on stacks/e2e/e2e.yaml through scripts/e2e/stack.ts (Automation
#               API, inline program = stacks/program.ts): preview with the policy pack, up, objects
#               checked through the API, up again without changes, a violating variant the pack
#               must block, destroy (see docs/e2e.md for what is and is not covered)
# `bash scripts/e2e.sh --cache-ready` only tells whether all tools are cached (exit 0) or not (1).
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

# `--cache-ready`: exit 0 when every tool binary is already built in $E2E_CACHE (so a run builds
# nothing), 1 otherwise, naming what is missing on stderr. Starts nothing. Used by .ci/run.
case "${1:-}" in
  "") ;;
  --cache-ready)
    missing=()
    for t in "etcd-$E2E_ETCD_VERSION/bin/etcd" "kube-apiserver-$E2E_KUBE_VERSION/bin/kube-apiserver" \
      "pulumi-v$E2E_PULUMI_VERSION/bin/pulumi" \
      "pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION/bin/pulumi-resource-kubernetes"; do
      d="$E2E_CACHE/tools/${t%%/bin/*}"
      if [ ! -f "$d/.complete" ] || [ ! -x "$E2E_CACHE/tools/$t" ]; then missing+=("$t"); fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
      printf '[e2e] tool cache %s not ready; missing: %s\n' "$E2E_CACHE" "${missing[*]}" >&2
      exit 1
    fi
    exit 0 ;;
  *) printf 'usage: bash scripts/e2e.sh [--cache-ready]\n' >&2; exit 2 ;;
esac

# Host tools the steps use. Debian's packages on a fresh machine (root, the package registry is
# reachable); elsewhere, say what to install.
missing_cmds=()
for c in go jq openssl curl; do command -v "$c" >/dev/null 2>&1 || missing_cmds+=("$c"); done
if [ "${#missing_cmds[@]}" -gt 0 ]; then
  pkgs=(); for c in "${missing_cmds[@]}"; do case "$c" in go) pkgs+=(golang-go) ;; *) pkgs+=("$c") ;; esac; done
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    printf '[e2e] installing %s with apt-get\n' "${pkgs[*]}" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null \
      || { printf '[e2e] FAILED in step "setup": apt-get install %s failed\n' "${pkgs[*]}" >&2; exit 1; }
  else
    printf '[e2e] FAILED in step "setup": missing %s; install them (Debian: apt-get install %s)\n' "${missing_cmds[*]}" "${pkgs[*]}" >&2
    exit 1
  fi
fi

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
# Returns CMD's exit status. Times are kept in milliseconds and printed in seconds.
timed() {
  local name="$1" s rc=0; shift
  s=$(date +%s%N)
  "$@" || rc=$?
  E2E_TIMES[$name]=$(( ($(date +%s%N) - s) / 1000000 ))
  return "$rc"
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
E2E_STACK_CONFIG="$ROOT/stacks/e2e/e2e.yaml"
E2E_POLICY_PACK="$ROOT/policies"

# The CrossGuard pack runs from its own folder with its own node_modules (policies/package.json;
# ts-node bundled in @pulumi/pulumi compiles it with the pack's typescript). Installed from the npm
# registry (npm ci) only when missing or older than policies/package-lock.json.
e2e_policy_deps() {
  local hidden="$E2E_POLICY_PACK/node_modules/.package-lock.json"
  if [ -f "$hidden" ] && [ ! "$E2E_POLICY_PACK/package-lock.json" -nt "$hidden" ] \
    && [ -d "$E2E_POLICY_PACK/node_modules/@pulumi/policy" ] && [ -d "$E2E_POLICY_PACK/node_modules/typescript" ]; then
    log "  policies/node_modules: up to date"
  else
    log "  policies/node_modules: npm ci --prefix policies"
    npm ci --prefix "$E2E_POLICY_PACK" --no-audit --no-fund >&2 || fail "npm ci in policies/ failed"
  fi
}

# e2e_stack RESULT OP STACK [ARGS...]: one Automation API operation (scripts/e2e/stack.ts) on STACK;
# its JSON result goes to $E2E_WORK/results/RESULT.json, the CLI output to the terminal and to
# $E2E_WORK/logs/RESULT.log. Returns the driver's exit code (0 ok, 2 the CLI failed).
e2e_stack() {
  local result="$1" op="$2" stack="$3"; shift 3
  mkdir -p "$E2E_WORK/results" "$E2E_WORK/logs"
  (cd "$ROOT" && ./node_modules/.bin/tsx scripts/e2e/stack.ts "$op" --stack "$stack" --config "$E2E_STACK_CONFIG" "$@") \
    >"$E2E_WORK/results/$result.json" 2> >(tee "$E2E_WORK/logs/$result.log" | sed 's/^/    | /' >&2)
}

# r RESULT [JQ ARGS...] FILTER: reads the result of an e2e_stack run.
r() { local f="$1"; shift; jq -r "$@" "$E2E_WORK/results/$f.json"; }

# Checks on what `pulumi up` created, read back from the API server as the admin user.
e2e_check_objects() {
  local ns="$1" obj
  obj="$(e2e_api "/api/v1/namespaces/$ns")" || fail "namespace $ns not found"
  [ "$(jq -r .status.phase <<<"$obj")" = "Active" ] || fail "namespace $ns is not Active"
  [ "$(jq -r '.metadata.labels["app.kubernetes.io/managed-by"]' <<<"$obj")" = "pulumi" ] || fail "namespace $ns lacks the managed-by label"
  log "  namespace $ns: Active, managed-by pulumi"

  # The Secret holds exactly the token this run set (compared, never printed).
  obj="$(e2e_api "/api/v1/namespaces/$ns/secrets/hf-token")" || fail "Secret $ns/hf-token not found"
  [ "$(jq -r .type <<<"$obj")" = "Opaque" ] || fail "Secret hf-token is not Opaque"
  [ "$(jq -r '.data.HF_TOKEN // ""' <<<"$obj" | base64 -d)" = "$E2E_HF_TOKEN" ] || fail "Secret hf-token: data.HF_TOKEN is not the configured token"
  log "  Secret $ns/hf-token: key HF_TOKEN holds the configured token (value not shown)"

  # vLLM StatefulSet: engine args from the placement, GPU limit, token from the Secret, cache claim.
  obj="$(e2e_api "/apis/apps/v1/namespaces/$ns/statefulsets/qwen3-0-6b")" || fail "StatefulSet qwen3-0-6b not found"
  jq -e '.spec.template.spec.containers[0] as $c
    | ($c.command == ["vllm","serve"])
    and ($c.args[0] == "Qwen/Qwen3-0.6B")
    and ($c.args | index("--tensor-parallel-size") as $i | $c.args[$i+1] == "1")
    and ($c.args | index("--max-model-len") as $i | $c.args[$i+1] == "8192")
    and ($c.resources.limits["nvidia.com/gpu"] == "1")
    and any($c.env[]; .name == "HF_TOKEN" and .valueFrom.secretKeyRef.name == "hf-token" and .value == null)
    and (.spec.volumeClaimTemplates[0].spec.resources.requests.storage == "20Gi")
    and (.spec.template.spec.nodeSelector["nvidia.com/gpu.product"] == "NVIDIA-L4")
    and (.metadata.annotations["pulumi.com/skipAwait"] == "true")' <<<"$obj" >/dev/null \
    || fail "StatefulSet qwen3-0-6b differs from the expectation: $(jq -c '{command: .spec.template.spec.containers[0].command, args: .spec.template.spec.containers[0].args, limits: .spec.template.spec.containers[0].resources.limits}' <<<"$obj")"
  log "  StatefulSet $ns/qwen3-0-6b: vllm serve Qwen/Qwen3-0.6B --tensor-parallel-size 1 --max-model-len 8192, nvidia.com/gpu 1, HF_TOKEN from Secret, 20Gi cache claim"

  # SGLang Deployment.
  obj="$(e2e_api "/apis/apps/v1/namespaces/$ns/deployments/opt-125m-sglang")" || fail "Deployment opt-125m-sglang not found"
  jq -e '.spec.template.spec.containers[0] as $c
    | ($c.args | index("--model-path") as $i | $c.args[$i+1] == "facebook/opt-125m")
    and ($c.args | index("--tp-size") as $i | $c.args[$i+1] == "1")
    and ($c.resources.limits["nvidia.com/gpu"] == "1")' <<<"$obj" >/dev/null \
    || fail "Deployment opt-125m-sglang differs from the expectation: $(jq -c '.spec.template.spec.containers[0] | {command, args}' <<<"$obj")"
  log "  Deployment $ns/opt-125m-sglang: --model-path facebook/opt-125m --tp-size 1, nvidia.com/gpu 1"

  # Triton + TensorRT-LLM StatefulSet: it writes the LLM API model repository (TP 1) before Triton
  # starts, and its HF cache claim template asks for 30Gi.
  obj="$(e2e_api "/apis/apps/v1/namespaces/$ns/statefulsets/llama-3-2-3b-trtllm")" || fail "StatefulSet llama-3-2-3b-trtllm not found"
  jq -e '(.spec.volumeClaimTemplates[0].spec.resources.requests.storage == "30Gi")
    and (.spec.template.spec.containers[0].command[2] | contains("cp -R /app/all_models/llmapi/tensorrt_llm /models/tensorrt_llm") and contains("\"tensor_parallel_size\":1"))' <<<"$obj" >/dev/null \
    || fail "StatefulSet llama-3-2-3b-trtllm differs from the expectation: $(jq -c '.spec.template.spec.containers[0].command' <<<"$obj")"
  log "  StatefulSet $ns/llama-3-2-3b-trtllm: LLM API model repository (TP 1) written before launch_triton_server.py, 30Gi cache claim"

  # One Service per model, with a cluster IP allocated by the API server.
  for obj in qwen3-0-6b:8000 opt-125m-sglang:30000 llama-3-2-3b-trtllm; do
    local svc="${obj%%:*}" port="${obj#*:}" s
    s="$(e2e_api "/api/v1/namespaces/$ns/services/$svc")" || fail "Service $svc not found"
    [ -n "$(jq -r '.spec.clusterIP // ""' <<<"$s")" ] || fail "Service $svc has no cluster IP"
    if [ "$port" != "$svc" ]; then
      jq -e --argjson p "$port" 'any(.spec.ports[]; .port == $p)' <<<"$s" >/dev/null || fail "Service $svc does not expose port $port"
    fi
    log "  Service $ns/$svc: clusterIP $(jq -r .spec.clusterIP <<<"$s"), ports $(jq -c '[.spec.ports[].port]' <<<"$s")"
  done
}

# Only `same` in a resourceChanges map (e.g. {"same": 17}).
e2e_only_same() { jq -e 'del(.same) | length == 0' >/dev/null <<<"$1"; }

e2e_stack_steps() {
  local ns changes err
  e2e_policy_deps
  # A fake Hugging Face token, fresh per run; the checks compare it and never print it.
  E2E_HF_TOKEN="hf_$(openssl rand -hex 20)"
  export E2E_HF_TOKEN E2E_WORK

  say "5a preview --policy-pack policies (stack e2e, $E2E_STACK_CONFIG)"
  timed preview e2e_stack preview preview e2e --policy-pack "$E2E_POLICY_PACK" \
    || fail "preview failed: $(r preview .error)"
  changes="$(r preview -c .changes)"
  log "  preview: changes $changes; policy findings: $(r preview '[.policyViolations[] | "\(.level) \(.policy)"] | group_by(.) | map("\(.[0]) ×\(length)") | join(", ")')"
  jq -e '.create > 0 and (del(.create) | length == 0)' <<<"$changes" >/dev/null || fail "preview of an empty stack should only create, got $changes"
  [ "$(r preview '[.policyViolations[] | select(.level == "mandatory")] | length')" = "0" ] \
    || fail "mandatory policy violations on the e2e stack: $(r preview -c '[.policyViolations[] | select(.level == "mandatory")]')"
  # The pack really ran: the e2e stack has no PodMonitors, so its advisory scrape rule fires.
  [ "$(r preview '[.policyViolations[] | select(.policy == "engines-scraped")] | length')" -gt 0 ] \
    || fail "no finding of the advisory rule engines-scraped: did the policy pack run?"

  say "5b up (stack e2e)"
  timed up e2e_stack up up e2e --policy-pack "$E2E_POLICY_PACK" || fail "up failed: $(r up .error)"
  log "  up: changes $(r up -c .changes), outputs $(r up -c .outputs)"
  [ "$(r up .changes.create)" = "$(r preview .changes.create)" ] || fail "up created $(r up .changes.create) resources, preview planned $(r preview .changes.create)"
  ns="$(r up .outputs.namespace)"
  [ "$ns" = "inference-e2e" ] || fail "output namespace is '$ns', expected inference-e2e"

  say "5c objects in the API server"
  e2e_check_objects "$ns"

  say "5d up again: no changes"
  timed up-again e2e_stack up-again up e2e --policy-pack "$E2E_POLICY_PACK" || fail "second up failed: $(r up-again .error)"
  changes="$(r up-again -c .changes)"
  log "  second up: changes $changes"
  e2e_only_same "$changes" || fail "second up changed something: $changes"

  say "5e the policy pack blocks a bad change (stack e2e-violation: models[0] with --tensor-parallel-size 2 on a 1-GPU pod)"
  if timed violation e2e_stack violation preview e2e-violation --policy-pack "$E2E_POLICY_PACK" --violate tensor-parallel; then
    fail "preview of the violating stack succeeded; the pack should have blocked it"
  fi
  err="$(r violation .error)"
  [ "$(r violation .ok)" = "false" ] || fail "violation run did not report a CLI failure"
  grep -q "parallelism-matches-topology" <<<"$err" || fail "the failure does not name the rule parallelism-matches-topology: $err"
  grep -q "mandatory" <<<"$err" || fail "the failure does not say the rule is mandatory"
  grep -q "preview failed" <<<"$err" || fail "the CLI failure is not 'preview failed': $err"
  # The rule's own message, both in the CLI output and in the policy event.
  local msg="StatefulSet inference-e2e/qwen3-0-6b: pod container \"vllm\" (spec.template.spec) sets --tensor-parallel-size 1 --tensor-parallel-size 2, i.e. 2 GPUs, but one replica has 1 GPUs"
  grep -qF "$msg" <<<"$err" || fail "the CLI output does not carry the rule's message ($msg): $err"
  r violation -e --arg m "$msg" 'any(.policyViolations[]; .level == "mandatory" and .policy == "parallelism-matches-topology" and (.message | contains($m)))' >/dev/null \
    || fail "no mandatory parallelism-matches-topology policy event with the rule's message"
  log "  blocked by [mandatory] parallelism-matches-topology: $msg ..."
  log "  mandatory findings: $(r violation '[.policyViolations[] | select(.level == "mandatory") | .policy] | join(", ")')"
  e2e_api "/apis/apps/v1/namespaces/$ns/statefulsets/qwen3-0-6b" \
    | jq -e '.spec.template.spec.containers[0].args | index("2") == null' >/dev/null || fail "the blocked change reached the cluster"

  say "5f destroy (stack e2e)"
  timed destroy e2e_stack destroy destroy e2e || fail "destroy failed: $(r destroy .error)"
  log "  destroy: changes $(r destroy -c .changes)"
  e2e_destroyed_check "$ns"
}

# After destroy: the workload objects are gone; the namespace is gone or Terminating (namespace
# finalization is done by kube-controller-manager, which this control plane does not run).
e2e_destroyed_check() {
  local ns="$1" code phase path
  for path in "/apis/apps/v1/namespaces/$ns/statefulsets/qwen3-0-6b" "/apis/apps/v1/namespaces/$ns/deployments/opt-125m-sglang" \
    "/api/v1/namespaces/$ns/secrets/hf-token" "/api/v1/namespaces/$ns/services/qwen3-0-6b"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --cacert "$E2E_CA" --cert "$E2E_CLIENT_CERT" --key "$E2E_CLIENT_KEY" "$E2E_API_URL$path")"
    [ "$code" = "404" ] || fail "$path still exists after destroy (HTTP $code)"
  done
  log "  StatefulSet, Deployment, Secret, Service: 404"
  code="$(curl -s -o "$E2E_WORK/ns.json" -w '%{http_code}' --cacert "$E2E_CA" --cert "$E2E_CLIENT_CERT" --key "$E2E_CLIENT_KEY" "$E2E_API_URL/api/v1/namespaces/$ns")"
  if [ "$code" = "404" ]; then
    log "  namespace $ns: gone"
  else
    phase="$(jq -r .status.phase "$E2E_WORK/ns.json")"
    [ "$phase" = "Terminating" ] || fail "namespace $ns is '$phase' after destroy, expected gone or Terminating"
    jq -e '.metadata.deletionTimestamp != null' "$E2E_WORK/ns.json" >/dev/null || fail "namespace $ns has no deletionTimestamp"
    log "  namespace $ns: Terminating (deletionTimestamp set; no kube-controller-manager runs here to finalize it)"
  fi
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
for k in tools cluster preview up up-again violation destroy stack; do
  [ -n "${E2E_TIMES[$k]:-}" ] || continue
  log "  this run, $(printf '%-9s' "$k"): $(awk -v ms="${E2E_TIMES[$k]}" 'BEGIN { printf "%.1f", ms / 1000 }')"
done
