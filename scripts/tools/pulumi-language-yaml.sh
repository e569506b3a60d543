#!/usr/bin/env bash
# Builds the Pulumi YAML language host (github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml) from
# Go modules into the shared tool cache. The CLI runs YAML programs through it; the package test
# (test/package/yaml-preview.test.ts) previews a YAML program that uses this repository's
# components through the multi-language package.
#
#   scripts/tools/pulumi-language-yaml.sh          # build if missing, print the binary path
#   scripts/tools/pulumi-language-yaml.sh --path   # print the path only if already built (exit 1 otherwise)
#
# pulumi-yaml v1.25.0 is the newest release the Go module proxy serves. It is built exactly as
# published (`go install`; its go.mod has no replace directives), i.e. against pulumi pkg/sdk
# v3.206.0: it does not compile against the CLI's v3.248.0 (plugin.NewContext changed), and
# language hosts talk to the CLI over its versioned gRPC protocol, which v3.248.0 still serves.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../e2e/tools.sh
source "$here/../e2e/tools.sh"

version="v1.25.0"
tool="$E2E_CACHE/tools/pulumi-language-yaml-$version"
bin="$tool/bin/pulumi-language-yaml"

if [ "${1:-}" = "--path" ]; then
  [ -f "$tool/.complete" ] && [ -x "$bin" ] || exit 1
  echo "$bin"
  exit 0
fi

if [ -f "$tool/.complete" ] && [ -x "$bin" ]; then
  e2e_log "pulumi-language-yaml $version: cached"
else
  e2e_go_env
  e2e_log "pulumi-language-yaml $version: building github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml (cold: 10+ minutes on 2 cores)"
  start=$(date +%s)
  mkdir -p "$tool/bin"
  # -mod=mod from e2e_go_env does not apply outside a main module.
  GOFLAGS= GOBIN="$tool/bin" e2e_go install -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$version" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$version" || e2e_die "pulumi-language-yaml build failed"
  [ -x "$bin" ] || e2e_die "expected binary missing after build: $bin"
  e2e_done "$tool" "$start"
fi
echo "$bin"
