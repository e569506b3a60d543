#!/usr/bin/env bash
# Builds the EPP checker (scripts/parsers/epp-checker) from the pinned llm-d inference scheduler Go
# module into the shared tool cache: the scheduler's own flag validation and plugin-config loader,
# run offline by test/parsers/epp.test.ts on every EndpointPickerConfig and EPP command line the
# project generates.
#
#   scripts/tools/epp-checker.sh          # build if missing, print the binary path
#   scripts/tools/epp-checker.sh --path   # print the path only if already built (exit 1 otherwise)
#
# github.com/llm-d/llm-d-kv-cache (required by the scheduler) is refused by the Go module proxy: the
# wrapper replaces it with the empty module in scripts/parsers/epp-checker/kvcache-stub, and a
# build overlay leaves out the one scorer file that imports it (precise_prefix_cache.go). The
# checker reports configs using the three plugins that need it as unchecked.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../e2e/tools.sh
source "$repo/scripts/e2e/tools.sh"

# Must equal images.llmdInferenceScheduler.tag in components/versions.ts (test/parsers/epp.test.ts checks).
EPP_SCHEDULER_VERSION="v0.7.1"
SCHEDULER_MODULE="github.com/llm-d/llm-d-inference-scheduler"
GAIE_MODULE="sigs.k8s.io/gateway-api-inference-extension"

src="$repo/scripts/parsers/epp-checker"
hash="$(cat "$src/main.go" "$src/kvcache-stub/go.mod" "$here/epp-checker.sh" | sha256sum | cut -c1-12)"
tool="$E2E_CACHE/tools/epp-checker-$EPP_SCHEDULER_VERSION-$hash"
bin="$tool/bin/epp-checker"

if [ "${1:-}" = "--path" ]; then
  [ -f "$tool/.complete" ] && [ -x "$bin" ] || exit 1
  echo "$bin"
  exit 0
fi

if [ -f "$tool/.complete" ] && [ -x "$bin" ]; then
  e2e_log "epp-checker $EPP_SCHEDULER_VERSION: cached"
  echo "$bin"
  exit 0
fi

e2e_go_env
start=$(date +%s)
e2e_log "epp-checker $EPP_SCHEDULER_VERSION: building from $SCHEDULER_MODULE@$EPP_SCHEDULER_VERSION (cold: several minutes on 2 cores)"
wrapper="$E2E_CACHE/wrappers/epp-checker-$EPP_SCHEDULER_VERSION-$hash"
rm -rf "$wrapper"
mkdir -p "$wrapper" "$tool/bin"
cp "$src/main.go" "$wrapper/"
cp -r "$src/kvcache-stub" "$wrapper/kvcache-stub"
cd "$wrapper"
cat >go.mod <<MOD
module inference-platform/epp-checker

go 1.25.7

replace github.com/llm-d/llm-d-kv-cache => ./kvcache-stub
MOD
e2e_go_quiet get "$SCHEDULER_MODULE@$EPP_SCHEDULER_VERSION"
e2e_go_quiet mod download "$SCHEDULER_MODULE" "$GAIE_MODULE"
sched_dir="$(go list -m -f '{{.Dir}}' "$SCHEDULER_MODULE")"
gaie_dir="$(go list -m -f '{{.Dir}}' "$GAIE_MODULE")"
[ -n "$sched_dir" ] && [ -n "$gaie_dir" ] || e2e_die "cannot locate the scheduler / GAIE module sources"

# The registrations the checker copies must be upstream's, line for line (compared by the last
# identifier of each argument, so import aliases do not matter).
registrations() { # FILE FUNC: "Type,Factory" per Register( call in FUNC, in order
  awk -v f="$2" '$0 ~ "^func .*" f "\\(" { on = 1 } on { print } on && /^}/ { exit }' "$1" | grep -o 'Register([^)]*)' |
    sed -E 's/Register\(([^,]*),[[:space:]]*([^)]*)\)/\1,\2/; s/[A-Za-z_]+\.//g'
}
kv='^(TokenizerPluginType|PrecisePrefixCachePluginType|ContextLengthAwareType),'
diff <(registrations "$gaie_dir/cmd/epp/runner/runner.go" registerInTreePlugins) <(registrations main.go registerInTreePlugins) >&2 ||
  e2e_die "GAIE registerInTreePlugins differs from the checker's copy (scripts/parsers/epp-checker/main.go); update it"
diff <(registrations "$sched_dir/pkg/plugins/register.go" RegisterAllPlugins | grep -Ev "$kv") <(registrations main.go registerLlmdPlugins) >&2 ||
  e2e_die "llm-d RegisterAllPlugins (minus the kv-cache plugins) differs from the checker's copy; update it"

# Leave out the only scorer file that imports llm-d-kv-cache (the rest of the scorer package is
# needed). Go refuses build overlays of files in GOMODCACHE, so the wrapper builds against a copy of
# the published module (made here, in the cache; nothing of it is committed) minus that file.
cp -r "$sched_dir" scheduler
chmod -R u+w scheduler
rm scheduler/pkg/plugins/scorer/precise_prefix_cache.go
e2e_go_quiet mod edit -replace "$SCHEDULER_MODULE=./scheduler"
e2e_go_quiet build -trimpath -ldflags "-s -w" -o "$bin" .
[ -x "$bin" ] || e2e_die "expected binary missing after build: $bin"
echo "$(( $(date +%s) - start ))" >"$tool/build-seconds"
touch "$tool/.complete"
e2e_log "epp-checker $EPP_SCHEDULER_VERSION: built in $(cat "$tool/build-seconds")s"
echo "$bin"
