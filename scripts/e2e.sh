#!/usr/bin/env bash
# Real-engine end to end (`npm run e2e`): the real Pulumi CLI runs this project (Pulumi.yaml,
# index.ts) through the Node.js language host, with the real Kubernetes provider and the CrossGuard
# pack, against a real kube-apiserver on loopback. Steps:
#   1. tools    build (or reuse) etcd, kube-apiserver, the Pulumi CLI, the Node.js language host and
#               the Kubernetes provider (scripts/e2e/tools.sh; cache: ~/.cache/inference-platform)
#   2. cluster  start etcd + kube-apiserver on 127.0.0.1 with a throwaway PKI (scripts/e2e/cluster.sh)
#   3. api      check the API server answers /version with the built version, as the admin user
#   4. pulumi   isolated PULUMI_HOME, provider plugin installed from the built binary, file backend,
#               a throwaway copy of the repository to run in (no stack file lands at the root)
#   5. stack e2e (stacks/e2e/e2e.yaml, the engines): preview with the policy pack, up, objects
#               checked through the API, up again without changes, a violating variant the pack
#               must block, destroy
#   6. stack e2e-platform (stacks/e2e/platform.yaml, every chart from ../shared/charts): preview,
#               up, every CRD Established, every object and custom resource of the state in the
#               API server as set, every Helm release deployed, up again without changes, destroy
#               leaving what is retained (docs/e2e.md says what this cannot cover and why)
# Secrets (kubeconfig, hfToken, ngcApiKey) are set with `pulumi config set --secret`.
# E2E_STACKS="engine" (or "platform") runs only those stacks.
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
declare -A E2E_COUNTS=()
# Which stacks to run, in order (both by default; CI runs both).
E2E_STACKS="${E2E_STACKS:-engine platform}"

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
      "pulumi-v$E2E_PULUMI_VERSION/bin/pulumi" "pulumi-v$E2E_PULUMI_VERSION/bin/pulumi-language-nodejs" \
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
E2E_PROJECT="$E2E_WORK/project"
E2E_HOOKS_PID=""

e2e_on_exit() {
  local rc=$?
  trap - EXIT
  e2e_hooks_stop || true
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
E2E_POLICY_PACK="$E2E_PROJECT/policies"

# The CrossGuard pack runs from its own folder with its own node_modules (policies/package.json;
# ts-node bundled in @pulumi/pulumi compiles it with the pack's typescript). Installed in the
# repository from the npm registry (npm ci) only when missing or older than
# policies/package-lock.json; the throwaway copy links to it.
e2e_policy_deps() {
  local pack="$ROOT/policies" hidden="$ROOT/policies/node_modules/.package-lock.json"
  if [ -f "$hidden" ] && [ ! "$pack/package-lock.json" -nt "$hidden" ] \
    && [ -d "$pack/node_modules/@pulumi/policy" ] && [ -d "$pack/node_modules/typescript" ]; then
    log "  policies/node_modules: up to date"
  else
    log "  policies/node_modules: npm ci --prefix policies"
    npm ci --prefix "$pack" --no-audit --no-fund >&2 || fail "npm ci in policies/ failed"
  fi
}

# The throwaway copy of the repository the CLI runs in: the files git knows (tracked, and untracked
# ones that are not ignored) copied, node_modules linked. Pulumi.<stack>.yaml files land there,
# never at the repository root. Relative platform.sources paths are made absolute when a stack
# file is written (scripts/e2e/stackfile.ts), so ../shared resolves as from the repository.
e2e_project_copy() {
  mkdir -p "$E2E_PROJECT"
  if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c 'for f; do [ ! -e "$f" ] || printf "%s\0" "$f"; done' sh \
      | tar --null -T - -cf -) | tar -xf - -C "$E2E_PROJECT" || fail "copying the repository to $E2E_PROJECT failed"
  else
    (cd "$ROOT" && tar --exclude=./node_modules --exclude=./policies/node_modules --exclude=./out -cf - .) | tar -xf - -C "$E2E_PROJECT" \
      || fail "copying the repository to $E2E_PROJECT failed"
  fi
  rm -f "$E2E_PROJECT"/Pulumi.*.yaml
  ln -s "$ROOT/node_modules" "$E2E_PROJECT/node_modules"
  ln -s "$ROOT/policies/node_modules" "$E2E_PROJECT/policies/node_modules"
  log "  project: $E2E_PROJECT ($(find "$E2E_PROJECT" -type f | wc -l) files; node_modules linked)"
}

# e2e_stack_init STACK CONFIG [stackfile.ts ARGS...]: `pulumi stack init` in the throwaway project
# (passphrase secrets), the config of CONFIG written next to its encryptionsalt, the secrets set with
# `pulumi config set --secret`: kubeconfig (the throwaway admin kubeconfig), hfToken, and ngcApiKey
# when the stack serves NIM. The policy pack's config lands in $E2E_WORK/policy-config.STACK.json.
e2e_stack_init() {
  local stack="$1" config="$2"; shift 2
  (cd "$E2E_PROJECT" && pulumi stack init "$stack" --secrets-provider passphrase --non-interactive) >&2 \
    || fail "pulumi stack init $stack failed"
  (cd "$ROOT" && ./node_modules/.bin/tsx scripts/e2e/stackfile.ts --config "$config" --project "$E2E_PROJECT" --stack "$stack" \
    --policy-config "$E2E_WORK/policy-config.$stack.json" "$@") || fail "writing Pulumi.$stack.yaml from $config failed"
  (
    cd "$E2E_PROJECT"
    pulumi config set --stack "$stack" --secret kubeconfig -- "$(cat "$E2E_KUBECONFIG")" >/dev/null
    pulumi config set --stack "$stack" --secret hfToken -- "$E2E_HF_TOKEN" >/dev/null
    if grep -q 'serving: nim' "$ROOT/$config"; then pulumi config set --stack "$stack" --secret ngcApiKey -- "$E2E_NGC_API_KEY" >/dev/null; fi
  ) || fail "pulumi config set --secret on $stack failed"
  # The secrets are in the stack file only as ciphertext.
  if grep -qF "$E2E_HF_TOKEN" "$E2E_PROJECT/Pulumi.$stack.yaml"; then fail "Pulumi.$stack.yaml holds the hfToken in clear text"; fi
  log "  stack $stack: config from $config; secrets kubeconfig, hfToken$(grep -q 'serving: nim' "$ROOT/$config" && echo ', ngcApiKey') set with pulumi config set --secret"
}

# e2e_pulumi RESULT OP STACK [CLI ARGS...]: `pulumi OP` (preview | up | destroy) on STACK in the
# throwaway project, through the Node.js language host, with an event log. The CLI output goes to
# the terminal (indented) and $E2E_WORK/logs/RESULT.log; $E2E_WORK/results/RESULT.json gets
# {op, stack, ok, changes, outputs?, policyViolations, error?}. Returns 0 when the CLI succeeded.
e2e_pulumi() {
  local result="$1" op="$2" stack="$3" rc=0 pid; shift 3
  local events="$E2E_WORK/events/$result.jsonl" log="$E2E_WORK/logs/$result.log" args=()
  mkdir -p "$E2E_WORK/results" "$E2E_WORK/logs" "$E2E_WORK/events"
  case "$op" in
    preview) args=(preview) ;;
    up) args=(up --yes --skip-preview) ;;
    destroy) args=(destroy --yes --skip-preview) ;;
    *) fail "e2e_pulumi: unknown operation $op" ;;
  esac
  : >"$log"
  # E2E_PULUMI_VERBOSE=N adds the engine's and providers' logs at verbosity N (--logflow) to the log.
  (cd "$E2E_PROJECT" && exec pulumi "${args[@]}" --stack "$stack" --non-interactive --color never --event-log "$events" \
    ${E2E_PULUMI_VERBOSE:+--logtostderr --logflow -v="$E2E_PULUMI_VERBOSE"} "$@") >"$log" 2>&1 &
  pid=$!
  tail -n +1 -f --pid="$pid" "$log" | sed 's/^/    | /' >&2
  wait "$pid" || rc=$?
  local outputs='null'
  if [ "$op" = "up" ] && [ "$rc" = "0" ]; then
    outputs="$(cd "$E2E_PROJECT" && pulumi stack output --stack "$stack" --json 2>/dev/null)" || outputs='null'
  fi
  [ -s "$events" ] || echo '{}' >"$events"
  jq -s --arg op "$op" --arg stack "$stack" --argjson ok "$([ "$rc" = 0 ] && echo true || echo false)" \
    --argjson outputs "$outputs" --rawfile log "$log" '
    {op: $op, stack: $stack, ok: $ok,
     changes: ([.[] | select(.summaryEvent) | .summaryEvent.resourceChanges] | last // {}),
     outputs: $outputs,
     policyViolations: [.[] | select(.policyEvent) | .policyEvent | {policy: .policyName, level: .enforcementLevel, message}],
     error: (if $ok then null else ($log | split("\n") | .[-200:] | join("\n")) end)}' "$events" >"$E2E_WORK/results/$result.json" \
    || fail "reading the event log $events failed"
  return "$rc"
}

# r RESULT [JQ ARGS...] FILTER: reads the result of an e2e_pulumi run.
r() { local f="$1"; shift; jq -r "$@" "$E2E_WORK/results/$f.json"; }

# e2e_export STACK FILE: the stack's state (pulumi stack export) for scripts/e2e/check.ts.
e2e_export() { (cd "$E2E_PROJECT" && pulumi stack export --stack "$1" --file "$2") >&2 || fail "pulumi stack export $1 failed"; }

# e2e_check MODE STATE NAME: scripts/e2e/check.ts MODE against the API server; its JSON summary in
# $E2E_WORK/results/NAME.json.
e2e_check() {
  (cd "$ROOT" && ./node_modules/.bin/tsx scripts/e2e/check.ts "$1" --state "$2") >"$E2E_WORK/results/$3.json" \
    || fail "check $1 found problems (above); summary: $(cat "$E2E_WORK/results/$3.json" 2>/dev/null)"
}

# --- chart hooks -----------------------------------------------------------------------------------
# Helm runs a chart's hook Jobs (pre/post-install, pre/post-delete) and waits for each to complete;
# no Job controller or kubelet runs here, so they never would. While a stack with charts is being
# installed or destroyed, this loop plays the Job controller for Helm hook Jobs only: a Job with a
# helm.sh/hook annotation and no final condition gets the status the Job controller writes when
# its one pod succeeded (startTime, completionTime, succeeded, SuccessCriteriaMet + Complete). The
# Jobs themselves were admitted by the API server like any object; their pods never run.
e2e_hooks_start() {
  local list="$E2E_WORK/hooks.completed"
  : >"$list"
  (
    trap 'exit 0' TERM
    while :; do
      e2e_api "/apis/batch/v1/jobs" 2>/dev/null | jq -r '.items[]
        | select(.metadata.annotations["helm.sh/hook"] != null)
        | select([.status.conditions[]? | select((.type == "Complete" or .type == "Failed") and .status == "True")] | length == 0)
        | "\(.metadata.namespace) \(.metadata.name) \(.spec.completions // 1)"' 2>/dev/null \
        | while read -r ns name completions; do
            now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
            body="$(jq -nc --arg t "$now" --argjson n "$completions" '{status: {startTime: $t, completionTime: $t, succeeded: $n, active: 0, ready: 0,
              conditions: [{type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods", lastProbeTime: $t, lastTransitionTime: $t},
                           {type: "Complete", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods", lastProbeTime: $t, lastTransitionTime: $t}]}}')"
            if e2e_api "/apis/batch/v1/namespaces/$ns/jobs/$name/status" -X PATCH -H 'Content-Type: application/merge-patch+json' -d "$body" >/dev/null 2>"$E2E_WORK/hooks.err"; then
              printf '%s/%s\n' "$ns" "$name" >>"$list"
            else
              printf '[e2e] hook Job %s/%s: status patch refused: %s\n' "$ns" "$name" "$(head -c 400 "$E2E_WORK/hooks.err")" >&2
            fi
          done
      sleep 1
    done
  ) &
  E2E_HOOKS_PID=$!
}
e2e_hooks_stop() {
  [ -n "${E2E_HOOKS_PID:-}" ] || return 0
  kill -TERM "$E2E_HOOKS_PID" 2>/dev/null || true
  wait "$E2E_HOOKS_PID" 2>/dev/null || true
  E2E_HOOKS_PID=""
}
e2e_hooks_done() { sort -u "$E2E_WORK/hooks.completed" 2>/dev/null | paste -sd' ' -; }

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

E2E_ENGINE_CONFIG="stacks/e2e/e2e.yaml"
E2E_PLATFORM_CONFIG="stacks/e2e/platform.yaml"

# Stack e2e: the engines on their own (stacks/e2e/e2e.yaml).
e2e_engine_steps() {
  local ns changes err
  e2e_stack_init e2e "$E2E_ENGINE_CONFIG"

  say "5a preview --policy-pack policies (stack e2e, $E2E_ENGINE_CONFIG)"
  timed engine:preview e2e_pulumi preview preview e2e --policy-pack "$E2E_POLICY_PACK" --policy-pack-config "$E2E_WORK/policy-config.e2e.json" \
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
  timed engine:up e2e_pulumi up up e2e --policy-pack "$E2E_POLICY_PACK" --policy-pack-config "$E2E_WORK/policy-config.e2e.json" \
    || fail "up failed: $(r up .error)"
  log "  up: changes $(r up -c .changes), outputs $(r up -c .outputs)"
  [ "$(r up .changes.create)" = "$(r preview .changes.create)" ] || fail "up created $(r up .changes.create) resources, preview planned $(r preview .changes.create)"
  E2E_COUNTS[e2e]="$(r up .changes.create)"
  ns="$(r up .outputs.namespace)"
  [ "$ns" = "inference-e2e" ] || fail "output namespace is '$ns', expected inference-e2e"

  say "5c objects in the API server"
  e2e_check_objects "$ns"
  e2e_export e2e "$E2E_WORK/state.e2e.json"
  timed engine:check e2e_check installed "$E2E_WORK/state.e2e.json" check-e2e
  log "  every object of the state is in the API server: $(r check-e2e -c .objectsByKind)"

  say "5d up again: no changes"
  timed engine:up-again e2e_pulumi up-again up e2e --policy-pack "$E2E_POLICY_PACK" --policy-pack-config "$E2E_WORK/policy-config.e2e.json" \
    || fail "second up failed: $(r up-again .error)"
  changes="$(r up-again -c .changes)"
  log "  second up: changes $changes"
  e2e_only_same "$changes" || fail "second up changed something: $changes"

  say "5e the policy pack blocks a bad change (stack e2e-violation: models[0] with --tensor-parallel-size 2 on a 1-GPU pod)"
  e2e_stack_init e2e-violation "$E2E_ENGINE_CONFIG" --violate tensor-parallel
  if timed engine:violation e2e_pulumi violation preview e2e-violation --policy-pack "$E2E_POLICY_PACK" --policy-pack-config "$E2E_WORK/policy-config.e2e-violation.json"; then
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
  timed engine:destroy e2e_pulumi destroy destroy e2e || fail "destroy failed: $(r destroy .error)"
  log "  destroy: changes $(r destroy -c .changes)"
  e2e_destroyed_check "$ns"
}

# The offline stand-ins for the two CRD release bundles the program applies from URLs
# (components/versions.ts `manifests`): the same CRDs, at the same tags, from ../shared/upstream/crds
# (see its SOURCES.tsv). The bundles' other objects (Gateway API's safe-upgrades
# ValidatingAdmissionPolicy, the experimental CRDs) are not in ../shared and not installed here.
e2e_crd_bundles() {
  local up="$ROOT/../shared/upstream/crds" out="$E2E_WORK/manifests" f
  [ -d "$up" ] || fail "../shared/upstream/crds not found at $up (the Gateway API and GAIE CRDs come from there)"
  mkdir -p "$out"
  : >"$out/gateway-api.yaml"; : >"$out/gateway-api-inference-extension.yaml"
  for f in "$up"/gateway.networking.k8s.io_*.yaml; do { echo "---"; cat "$f"; } >>"$out/gateway-api.yaml"; done
  for f in "$up"/inference.networking.k8s.io_*.yaml "$up"/inference.networking.x-k8s.io_*.yaml; do { echo "---"; cat "$f"; } >>"$out/gateway-api-inference-extension.yaml"; done
  log "  CRD bundles from ../shared/upstream/crds: gateway-api.yaml ($(grep -c '^kind: CustomResourceDefinition' "$out/gateway-api.yaml") CRDs), gateway-api-inference-extension.yaml ($(grep -c '^kind: CustomResourceDefinition' "$out/gateway-api-inference-extension.yaml") CRDs)"
}

# Stack e2e-platform: every chart-based component (stacks/e2e/platform.yaml).
e2e_platform_steps() {
  local changes
  log "  left out: Dynamo (dynamo-crds/dynamo-platform 0.7.1: not in ../shared/charts, $(grep -o 'ai-dynamo/dynamo snapshot is [^;]*' "$ROOT/../shared/charts/SKIPPED.txt" 2>/dev/null || echo 'not packaged'))"
  log "  left out: Intel Gaudi operator (habana-ai-operator: published only in Habana's own Helm repository, not in ../shared/charts)"
  e2e_crd_bundles
  e2e_stack_init e2e-platform "$E2E_PLATFORM_CONFIG" \
    --manifest "gatewayApi=$E2E_WORK/manifests/gateway-api.yaml" --manifest "gatewayApiInferenceExtension=$E2E_WORK/manifests/gateway-api-inference-extension.yaml"
  local pp=(--policy-pack "$E2E_POLICY_PACK" --policy-pack-config "$E2E_WORK/policy-config.e2e-platform.json")

  say "6a preview --policy-pack policies (stack e2e-platform, $E2E_PLATFORM_CONFIG)"
  timed platform:preview e2e_pulumi p-preview preview e2e-platform "${pp[@]}" || fail "preview failed: $(r p-preview .error)"
  changes="$(r p-preview -c .changes)"
  log "  preview: changes $changes; policy findings: $(r p-preview '[.policyViolations[] | "\(.level) \(.policy)"] | group_by(.) | map("\(.[0]) ×\(length)") | join(", ")')"
  [ "$(r p-preview '[.policyViolations[] | select(.level == "mandatory")] | length')" = "0" ] \
    || fail "mandatory policy violations on the platform stack: $(r p-preview -c '[.policyViolations[] | select(.level == "mandatory")]')"

  say "6b up (stack e2e-platform): every chart from ../shared/charts, the CRs, the models"
  e2e_hooks_start
  timed platform:up e2e_pulumi p-up up e2e-platform "${pp[@]}" || { e2e_hooks_stop; fail "up failed: $(r p-up .error)"; }
  e2e_hooks_stop
  log "  up: changes $(r p-up -c .changes)"
  log "  chart hook Jobs completed by the e2e: $(e2e_hooks_done)"
  [ "$(r p-up .changes.create)" = "$(r p-preview .changes.create)" ] || fail "up created $(r p-up .changes.create) resources, preview planned $(r p-preview .changes.create)"
  E2E_COUNTS[e2e-platform]="$(r p-up .changes.create)"

  say "6c what the API server holds"
  e2e_export e2e-platform "$E2E_WORK/state.e2e-platform.json"
  timed platform:check e2e_check installed "$E2E_WORK/state.e2e-platform.json" check-platform
  log "  CRDs: $(r check-platform .crdsEstablished) of $(r check-platform .crds) Established"
  log "  objects of the state in the API server: $(r check-platform .objects) ($(r check-platform -c .objectsByKind))"
  log "  custom resources admitted (schema + CEL), fields as set: $(r check-platform .customResources) ($(r check-platform -c .customResourcesByKind))"
  log "  Helm releases deployed: $(r check-platform '.releases | length') ($(r check-platform '.releases | keys | join(", ")'))"

  say "6d up again: no changes"
  e2e_hooks_start
  timed platform:up-again e2e_pulumi p-up-again up e2e-platform "${pp[@]}" || { e2e_hooks_stop; fail "second up failed: $(r p-up-again .error)"; }
  e2e_hooks_stop
  changes="$(r p-up-again -c .changes)"
  log "  second up: changes $changes"
  e2e_only_same "$changes" || fail "second up changed something: $changes"

  say "6e destroy (stack e2e-platform)"
  e2e_hooks_start
  timed platform:destroy e2e_pulumi p-destroy destroy e2e-platform || { e2e_hooks_stop; fail "destroy failed: $(r p-destroy .error)"; }
  e2e_hooks_stop
  log "  destroy: changes $(r p-destroy -c .changes)"
  log "  chart hook Jobs completed by the e2e (all steps): $(e2e_hooks_done)"
  timed platform:check-destroyed e2e_check destroyed "$E2E_WORK/state.e2e-platform.json" check-platform-destroyed
  log "  retained (retainOnDelete): $(r check-platform-destroyed '.retained | length') ($(r check-platform-destroyed '.retained | join(", ")'))"
  log "  gone: $(r check-platform-destroyed .gone); namespaces Terminating (no kube-controller-manager): $(r check-platform-destroyed '.namespacesTerminating | join(", ")')"
  log "  Helm releases: $(r check-platform-destroyed -c .releases)"
  log "  CRDs left: $(r check-platform-destroyed .crdsLeft), Established: $(r check-platform-destroyed .crdsLeftEstablished)"
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
say "1/6 tools: build or reuse from $E2E_CACHE"
timed tools e2e_tools_build || fail "tool build failed"
for b in "$E2E_ETCD" "$E2E_KUBE_APISERVER" "$E2E_PULUMI" "$E2E_LANGUAGE_NODEJS" "$E2E_K8S_PROVIDER"; do log "  $b"; done

E2E_STEP="cluster"
say "2/6 cluster: etcd + kube-apiserver on loopback (admission plugins off: $E2E_DISABLED_ADMISSION_PLUGINS)"
timed cluster e2e_cluster_start "$E2E_WORK/cluster" || fail "control plane did not start"
export KUBECONFIG="$E2E_KUBECONFIG"

E2E_STEP="api"
say "3/6 api: $E2E_API_URL answers as the admin user"
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
say "4/6 pulumi: CLI + Node.js language host, provider plugin, file backend, throwaway project"
export PULUMI_HOME="$E2E_WORK/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# `--event-log` (the machine-readable change summary and policy events the checks read) is
# registered only when PULUMI_DEBUG_COMMANDS is set (pkg/cmd/pulumi/operations/preview.go@v3.248.0).
export PULUMI_DEBUG_COMMANDS=true
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-inference-platform-e2e}"
mkdir -p "$PULUMI_HOME" "$E2E_WORK/state"
# The language host sits next to `pulumi` (the CLI looks there first), so no PATH entry is needed
# for it; no other pulumi-* binary may shadow it.
export PATH="$(dirname "$E2E_PULUMI"):$PATH"
pulumi_version="$(pulumi version)" || fail "pulumi version failed"
log "  pulumi version: $pulumi_version"
[ "$pulumi_version" = "v$E2E_PULUMI_VERSION" ] || fail "pulumi reports $pulumi_version, expected v$E2E_PULUMI_VERSION"
[ "$(command -v pulumi-language-nodejs)" = "$E2E_LANGUAGE_NODEJS" ] || fail "pulumi-language-nodejs on PATH is $(command -v pulumi-language-nodejs), expected $E2E_LANGUAGE_NODEJS"
log "  language host: $E2E_LANGUAGE_NODEJS"
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
e2e_policy_deps
timed project e2e_project_copy
# Fake secrets, fresh per run; the checks compare them and never print them.
E2E_HF_TOKEN="hf_$(openssl rand -hex 20)"
E2E_NGC_API_KEY="nvapi-$(openssl rand -hex 24)"
export E2E_HF_TOKEN E2E_WORK

for s in $E2E_STACKS; do
  case "$s" in
    engine) E2E_STEP="stack e2e"; say "5/6 stack e2e (engines)"; timed engine e2e_engine_steps; log "stack e2e: PASSED" ;;
    platform) E2E_STEP="stack e2e-platform"; say "6/6 stack e2e-platform (every chart)"; timed platform e2e_platform_steps; log "stack e2e-platform: PASSED" ;;
    *) fail "E2E_STACKS: got '$s'; allowed: engine, platform" ;;
  esac
done
# The repository root never gets a stack file.
if ls "$ROOT"/Pulumi.e2e*.yaml >/dev/null 2>&1; then fail "a Pulumi.e2e*.yaml landed at the repository root"; fi

E2E_STEP="summary"
say "resources created per stack"
for k in "${!E2E_COUNTS[@]}"; do log "  $k: ${E2E_COUNTS[$k]}"; done
say "times (seconds)"
for t in etcd-"$E2E_ETCD_VERSION" kube-apiserver-"$E2E_KUBE_VERSION" pulumi-v"$E2E_PULUMI_VERSION" \
  pulumi-resource-kubernetes-"$E2E_K8S_PROVIDER_MODULE_VERSION"; do
  log "  cold build (recorded when built) $t: $(cat "$E2E_CACHE/tools/$t/build-seconds" 2>/dev/null || echo '?')"
done
log "  cold build (recorded when built) pulumi-language-nodejs-v$E2E_PULUMI_VERSION: $(cat "$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION/build-seconds-language-nodejs" 2>/dev/null || echo '?')"
for k in tools cluster project engine engine:preview engine:up engine:check engine:up-again engine:violation engine:destroy \
  platform platform:preview platform:up platform:check platform:up-again platform:destroy platform:check-destroyed; do
  [ -n "${E2E_TIMES[$k]:-}" ] || continue
  log "  this run, $(printf '%-24s' "$k"): $(awk -v ms="${E2E_TIMES[$k]}" 'BEGIN { printf "%.1f", ms / 1000 }')"
done
