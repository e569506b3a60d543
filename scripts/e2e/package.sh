#!/usr/bin/env bash
# The multi-language Pulumi package (PulumiPlugin.yaml, components/package.ts) through the real CLI,
# offline, with the e2e tool cache (scripts/e2e/tools.sh; never builds anything here):
#
#   bash scripts/e2e/package.sh schema OUT.json
#       `pulumi package get-schema <repository>`: the CLI starts the Node.js language host, which
#       runs @pulumi/pulumi's component provider host on package.json `main`; the schema it infers
#       goes to OUT.json, and the CLI binds it (every kubernetes resource reference resolved
#       against the Kubernetes provider's schema).
#   bash scripts/e2e/package.sh yaml OUT.json
#       examples/package-yaml (a Pulumi YAML program using two components) on a throwaway
#       kube-apiserver (scripts/e2e/cluster.sh): `preview`, `up`, then the state rewritten to the
#       components' old type tokens (inference-platform:platform:<Class>, what stacks created before
#       the package hold) and `preview` again, which must find nothing to change (the aliases).
#       OUT.json: {"preview": <changes>, "up": <changes>, "aliased": <changes>, "outputs": {...},
#       "types": [component types in the state], "steps": ["start|done <type>::<name>", ... in the
#       order the up ran them], "cluster": {"crds": [Gateway API CRDs], "gateways": [{name, className}]}}.
#
# Exit 3 when a tool is not in the cache (the caller skips or, on CI, fails), 1 on any other failure.
# Package commands run from a temp dir: the CLI refuses them in a directory holding both Pulumi.yaml
# and PulumiPlugin.yaml (this repository's root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tools.sh
source "$ROOT/scripts/e2e/tools.sh"
# shellcheck source=cluster.sh
source "$ROOT/scripts/e2e/cluster.sh"

log() { printf '[package] %s\n' "$*" >&2; }
die() { printf '[package] FAILED: %s\n' "$*" >&2; exit 1; }

cmd="${1:-}"; out="${2:-}"
case "$cmd" in schema|yaml) [ -n "$out" ] || die "usage: $0 (schema|yaml) OUT.json" ;; *) printf 'usage: %s (schema|yaml) OUT.json\n' "$0" >&2; exit 2 ;; esac
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

PULUMI_BIN="$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION/bin"
K8S_PROVIDER="$E2E_CACHE/tools/pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION/bin/pulumi-resource-kubernetes"
need=("$PULUMI_BIN/pulumi" "$PULUMI_BIN/pulumi-language-nodejs" "$K8S_PROVIDER")
if [ "$cmd" = yaml ]; then
  export E2E_ETCD="$E2E_CACHE/tools/etcd-$E2E_ETCD_VERSION/bin/etcd"
  export E2E_KUBE_APISERVER="$E2E_CACHE/tools/kube-apiserver-$E2E_KUBE_VERSION/bin/kube-apiserver"
  YAML_HOST="$(bash "$ROOT/scripts/tools/pulumi-language-yaml.sh" --path || true)"
  need+=("$E2E_ETCD" "$E2E_KUBE_APISERVER" "${YAML_HOST:-pulumi-language-yaml (scripts/tools/pulumi-language-yaml.sh)}")
fi
for b in "${need[@]}"; do
  [ -x "$b" ] || { printf '[package] tool not built: %s (bash scripts/e2e/tools.sh; bash scripts/tools/pulumi-language-yaml.sh)\n' "$b" >&2; exit 3; }
done
command -v jq >/dev/null 2>&1 || die "jq is not on PATH"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/inference-platform-package.XXXXXX")"
on_exit() {
  local rc=$?
  trap - EXIT
  e2e_cluster_stop || true
  if [ "${E2E_KEEP:-0}" = "1" ]; then log "keeping $WORK (E2E_KEEP=1)"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap on_exit EXIT

export PULUMI_HOME="$WORK/pulumi-home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_CONFIG_PASSPHRASE="inference-platform-package-test"
export PATH="$PULUMI_BIN:${YAML_HOST:+$(dirname "$YAML_HOST"):}$PATH"
mkdir -p "$PULUMI_HOME" "$WORK/cwd"
if [ "$cmd" = yaml ]; then
  # The YAML host (pulumi-yaml v1.25.0, built on pulumi v3.206.0: the newest the Go module proxy
  # serves, and it does not compile against v3.248.0) loads the package's schema itself, starting
  # the Node.js host the pre-v3.2xx way: `-root=<dir>` and the runtime options as flags before the
  # engine address. The v3.248.0 Node.js host takes both from the RunPlugin request instead and
  # rejects the flags. This adapter, first on PATH, drops those flags and runs the real host; the
  # CLI itself starts hosts without them, so for its own launches it only passes through.
  mkdir -p "$WORK/bin"
  cat >"$WORK/bin/pulumi-language-nodejs" <<ADAPTER
#!/usr/bin/env bash
args=()
for a in "\$@"; do
  case "\$a" in -tracing=*|-runtime=*) args+=("\$a") ;; -*=*) ;; *) args+=("\$a") ;; esac
done
exec "$PULUMI_BIN/pulumi-language-nodejs" "\${args[@]}"
ADAPTER
  chmod +x "$WORK/bin/pulumi-language-nodejs"
  export PATH="$WORK/bin:$PATH"
fi

log "kubernetes provider plugin v$E2E_K8S_PROVIDER_VERSION from $K8S_PROVIDER"
pulumi plugin install resource kubernetes "v$E2E_K8S_PROVIDER_VERSION" --file "$K8S_PROVIDER" >&2 || die "plugin install failed"
# @pulumi/random is in package.json (the project's fixed package set) but no component uses it; the
# CLI still installs the provider plugin of every Pulumi package package.json names before it loads
# this package, and the Go module proxy refuses github.com/pulumi/pulumi-random (403), so it cannot
# be built here. A placeholder that refuses to run stands in for it in the throwaway PULUMI_HOME:
# should anything ever start the random provider, the command fails with this message.
RANDOM_VERSION="$(node -p 'require(process.argv[1]).version' "$ROOT/node_modules/@pulumi/random/package.json" 2>/dev/null || true)"
if [ -n "$RANDOM_VERSION" ]; then
  mkdir -p "$WORK/placeholder"
  printf '#!/bin/sh\necho "pulumi-resource-random: placeholder (the Go module proxy refuses github.com/pulumi/pulumi-random; inference-platform uses no random resource)" >&2\nexit 1\n' \
    >"$WORK/placeholder/pulumi-resource-random"
  chmod +x "$WORK/placeholder/pulumi-resource-random"
  pulumi plugin install resource random "v$RANDOM_VERSION" --file "$WORK/placeholder/pulumi-resource-random" >&2 \
    || die "placeholder random plugin install failed"
  log "random provider plugin v$RANDOM_VERSION: placeholder that refuses to run (not built: the Go proxy refuses it; unused)"
fi
# The provider is built from the only revision of provider/v4 the Go module proxy serves, so the
# schema it embeds says version 4.0.0-<date>-<commit>, while it is installed as (and @pulumi/kubernetes
# references) 4.34.2; binding our schema's kubernetes references would stop at that mismatch. Put
# the provider's own schema, stamped 4.34.2, in the schema caches: the CLI's ($PULUMI_HOME/schemas,
# pulumi v3.248.0) and the one the YAML host's plugin code reads ($PULUMI_HOME/plugins/schema-<name>-<version>-.json,
# pulumi v3.206.0; valid while newer than the plugin's directory).
(cd "$WORK/cwd" && pulumi package get-schema "kubernetes@$E2E_K8S_PROVIDER_VERSION") >"$WORK/kubernetes.json" 2>"$WORK/kubernetes.err" \
  || die "get-schema kubernetes failed: $(tail -3 "$WORK/kubernetes.err")"
mkdir -p "$PULUMI_HOME/schemas"
jq -c --arg v "$E2E_K8S_PROVIDER_VERSION" '.version = $v' "$WORK/kubernetes.json" >"$PULUMI_HOME/schemas/kubernetes-$E2E_K8S_PROVIDER_VERSION.json"
cp "$PULUMI_HOME/schemas/kubernetes-$E2E_K8S_PROVIDER_VERSION.json" \
  "$PULUMI_HOME/plugins/schema-kubernetes-$E2E_K8S_PROVIDER_VERSION-.json"

if [ "$cmd" = schema ]; then
  log "pulumi package get-schema $ROOT"
  s=$(date +%s)
  (cd "$WORK/cwd" && pulumi package get-schema "$ROOT") >"$out" 2>"$WORK/schema.err" \
    || die "get-schema failed: $(grep -v '^\s*$' "$WORK/schema.err" | tail -5)"
  log "schema: $(jq '.resources | length' "$out") resources, $(jq '.types | length' "$out") types ($(( $(date +%s) - s ))s)"
  exit 0
fi

# --- yaml ------------------------------------------------------------------------------------------
e2e_cluster_start "$WORK/cluster" || die "control plane did not start"
export KUBECONFIG="$E2E_KUBECONFIG"
export PULUMI_BACKEND_URL="file://$WORK/state"
mkdir -p "$WORK/state"
pulumi login "$PULUMI_BACKEND_URL" >&2 || die "pulumi login failed"

# The program as committed, with `packages:` pointing at this checkout.
proj="$WORK/project"
mkdir -p "$proj"
sed "s#^  inference-platform: \.\./\.\.\$#  inference-platform: $ROOT#" "$ROOT/examples/package-yaml/Pulumi.yaml" >"$proj/Pulumi.yaml"
grep -q "inference-platform: $ROOT\$" "$proj/Pulumi.yaml" || die "examples/package-yaml/Pulumi.yaml has no 'packages: inference-platform: ../..' line"
# The Gateway API CRDs of the pinned release are not reachable offline: the same CRDs from
# ../shared/upstream/crds, as one local manifest (what an air-gapped stack does with a mirror).
for f in "$ROOT"/../shared/upstream/crds/gateway.networking.k8s.io_*.yaml; do printf -- "---\n"; cat "$f"; done >"$WORK/gateway-api-crds.yaml"

cd "$proj"
pulumi stack init package-yaml >&2 || die "stack init failed"
pulumi config set gatewayApiManifest "$WORK/gateway-api-crds.yaml" >&2

# preview NAME: `pulumi preview --json`; its change summary ({"create": 7, ...}) → $WORK/NAME.json.
preview() {
  log "pulumi preview ($1)"
  pulumi preview --json --non-interactive >"$WORK/$1.out" 2>"$WORK/$1.err" \
    || { tail -30 "$WORK/$1.err" >&2; jq -r '.diagnostics[]?.message' "$WORK/$1.out" >&2 2>/dev/null || true; die "pulumi preview ($1) failed"; }
  jq '.changeSummary // {}' "$WORK/$1.out" >"$WORK/$1.json"
}

preview preview
log "pulumi up"
PULUMI_DEBUG_COMMANDS=true pulumi up --yes --skip-preview --non-interactive --event-log "$WORK/up-events.jsonl" >"$WORK/up.log" 2>&1 \
  || { grep -v 'updating\.*$' "$WORK/up.log" | tail -30 >&2; die "pulumi up failed"; }
pulumi stack history --json | jq '.[0].resourceChanges // {}' >"$WORK/up.json"
outputs="$(pulumi stack output --json)"
# The order the engine ran the up's steps in, from its event log (`--event-log`, a flag the CLI shows
# only with PULUMI_DEBUG_COMMANDS) by sequence number: "start <type>::<name>" when a resource's step
# began, "done <type>::<name>" when it completed. The Gateway must start only after its CRDs are done.
jq -s '[sort_by(.sequence)[] | (.resourcePreEvent.metadata | select(. != null) | "start \(.type)::\(.urn | split("::")[3])"),
        (.resOutputsEvent.metadata | select(. != null) | "done \(.type)::\(.urn | split("::")[3])")]' \
  "$WORK/up-events.jsonl" >"$WORK/steps.json"
# What the API server holds afterwards: the Gateway API CRDs, and the Gateways and StatefulSets in the workload namespace.
cluster="$(jq -n --argjson crds "$(e2e_api /apis/apiextensions.k8s.io/v1/customresourcedefinitions | jq '[.items[].metadata.name | select(endswith(".gateway.networking.k8s.io"))] | sort')" \
  --argjson gateways "$(e2e_api /apis/gateway.networking.k8s.io/v1/namespaces/inference/gateways | jq '[.items[] | {name: .metadata.name, className: .spec.gatewayClassName}]')" \
  --argjson statefulSets "$(e2e_api /apis/apps/v1/namespaces/inference/statefulsets | jq '[.items[] | {name: .metadata.name, gpus: .spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"], image: .spec.template.spec.containers[0].image}]')" \
  '{crds: $crds, gateways: $gateways, statefulSets: $statefulSets}')" || die "reading the API server failed"

# A stack created before the package: the same state under the old type tokens.
pulumi stack export --file "$WORK/state.json"
# Identities only (URNs, types, parents, dependencies): each resource's inputs and outputs stay as
# written. A stack from before the package stored no component inputs at all (its first up records
# them, docs/package.md), so there is no old form of them; rewriting them too would turn the resource
# reference InferenceGateway keeps in its inputs (gatewayApiCrds, by URN) into a diff of its own.
# Each component's old token names its layer (inference-platform:<platform|engine|serving>:<Class>),
# read from the directory components/package.ts exports it from. A token ends at the end of a type
# string, at `$` (a child's type in a URN) or at `::`, so LlmD does not rewrite LlmDInfra.
old_tokens="$(sed -nE 's#^export \{ ([A-Za-z]+) \} from "\./(platform|engine|serving)/.*#\1 \2#p' "$ROOT/components/package.ts" \
  | jq -R -s '[split("\n")[] | select(. != "") | split(" ") | {key: ("inference-platform:index:" + .[0]), value: ("inference-platform:" + .[1] + ":" + .[0])}] | from_entries')"
[ "$(jq length <<<"$old_tokens")" -gt 0 ] || die "no components found in components/package.ts"
jq --argjson old "$old_tokens" '(.. | strings) |= (reduce ($old | to_entries[]) as $t (.; gsub($t.key + "(?<end>[$]|::|$)"; $t.value + .end)))' "$WORK/state.json" \
  | jq --slurpfile orig "$WORK/state.json" '.deployment.resources |= [range(0; length) as $i
      | .[$i] + ($orig[0].deployment.resources[$i] | {inputs, outputs} | with_entries(select(.value != null)))]' >"$WORK/state-old.json"
grep -q 'inference-platform:platform:WorkloadNamespace' "$WORK/state-old.json" || die "rewritten state has no old-token WorkloadNamespace"
grep -q 'inference-platform:engine:VllmServer' "$WORK/state-old.json" || die "rewritten state has no old-token VllmServer"
left="$(jq '[.deployment.resources[] | .urn, .type, .parent | select(. != null and contains("inference-platform:index:"))] | length' "$WORK/state-old.json")"
[ "$left" = 0 ] || die "rewritten state still has $left identities with inference-platform:index: tokens"
pulumi stack import --file "$WORK/state-old.json" >&2
preview aliased

jq -n --slurpfile preview "$WORK/preview.json" --slurpfile up "$WORK/up.json" --slurpfile aliased "$WORK/aliased.json" \
  --argjson outputs "$outputs" --argjson types "$(jq '[.deployment.resources[].type | select(startswith("inference-platform:"))]' "$WORK/state.json")" \
  --slurpfile steps "$WORK/steps.json" --argjson cluster "$cluster" \
  '{preview: $preview[0], up: $up[0], aliased: $aliased[0], outputs: $outputs, types: $types, steps: $steps[0], cluster: $cluster}' >"$out"
log "preview $(jq -c . "$WORK/preview.json"), up $(jq -c . "$WORK/up.json"), after the token rewrite $(jq -c . "$WORK/aliased.json")"
