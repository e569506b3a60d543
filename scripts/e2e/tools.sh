#!/usr/bin/env bash
# Builds (or reuses from cache) the tools the real-engine e2e needs, from Go modules fetched through
# the Go module proxy. Nothing here downloads a prebuilt binary.
#
#   bash scripts/e2e/tools.sh            # build what is missing, print the bin directory
#   source scripts/e2e/tools.sh; e2e_tools_build   # same, from another script
#
# Several modules carry `replace` directives, so `go install pkg@version` refuses them. Each tool is
# built from a throwaway wrapper module generated under the cache directory: it requires the module
# at a pinned version and pins every replaced module to a published version (a replace pointing at a
# local directory becomes a replace to the published module at the pinned version; a replace to
# another module is copied as is). Results are cached per version:
#
#   $E2E_CACHE/tools/<tool>-<version>/bin/...      binaries + build-seconds
#   $E2E_CACHE/wrappers/<tool>-<version>/          generated wrapper module
#   $E2E_CACHE/go/{mod,build}                      GOMODCACHE / GOCACHE (warm runs are fast)
#
# E2E_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/inference-platform. Never commit any of it.
set -euo pipefail

E2E_CACHE="${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/inference-platform}"

# --- pinned versions -------------------------------------------------------------------------------
# Pulumi CLI: must equal @pulumi/pulumi in package.json.
E2E_PULUMI_VERSION="3.248.0"
# Kubernetes provider: the npm SDK (@pulumi/kubernetes in package.json) asks the engine for this
# plugin version, so the binary is installed under it.
E2E_K8S_PROVIDER_VERSION="4.34.2"
# The provider module has no tags of its own; the Go module proxy reachable here serves exactly one
# revision of github.com/pulumi/pulumi-kubernetes/provider/v4 (the 4.34.2 release commit and the
# matching sdk/v4 tag are refused with 403). Build that revision and say so loudly.
E2E_K8S_PROVIDER_MODULE_VERSION="v4.0.0-20260115033456-f47bc2d6f199"
# Its go.mod replaces sdk/v4 with ../sdk and requires v4.24.0, which the proxy does not serve. The
# nearest served older release is pinned (the provider only compiles in its helm/v4, yaml/v2 and
# UntypedArgs types, present in both): a newer one (v4.29.0) drags github.com/pulumi/pulumi/sdk/v3 to
# v3.226.0, which no longer compiles with the provider's pkg/v3 v3.215.0.
E2E_K8S_PROVIDER_SDK_PIN="v4.22.2"
# kube-apiserver and the staging modules it replaces with ./staging/src/k8s.io/* (published as v0.X.Y).
E2E_KUBE_VERSION="v1.34.4"
# etcd server (its go.mod replaces api/client/pkg with ../*; all are published at the same version).
E2E_ETCD_VERSION="v3.6.16"
# helm (scripts/tools/helm.sh): built with `go install helm.sh/helm/v3/cmd/helm@<this>`, no replaces.
E2E_HELM_VERSION="v3.22.0"

e2e_log() { printf '[e2e:tools] %s\n' "$*" >&2; }
e2e_die() { printf '[e2e:tools] ERROR: %s\n' "$*" >&2; exit 1; }

e2e_go_env() {
  command -v go >/dev/null 2>&1 || e2e_die "go is not on PATH (needed to build the e2e tools)"
  export GOMODCACHE="$E2E_CACHE/go/mod" GOCACHE="$E2E_CACHE/go/build"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off GO111MODULE=on
  mkdir -p "$GOMODCACHE" "$GOCACHE"
}

# nice'd go: the machine is shared.
e2e_go() { nice -n 10 go "$@"; }

# e2e_go_quiet ARGS...: e2e_go with its output appended to ./build.log (in the wrapper); on failure
# the tail of that log is printed.
e2e_go_quiet() {
  printf '\n$ go %s\n' "$*" >>build.log
  if ! e2e_go "$@" >>build.log 2>&1; then
    e2e_log "go $* failed; last lines of $PWD/build.log:"
    tail -n 40 build.log >&2
    return 1
  fi
}

# Prints the replace directives of a go.mod, one per line: "OLD[ VER] => NEW[ VER]".
e2e_replaces() {
  awk '
    /^replace[ \t]*\(/ { inblock = 1; next }
    inblock && /^\)/   { inblock = 0; next }
    inblock            { sub(/\/\/.*/, ""); if ($0 ~ /=>/) print; next }
    /^replace[ \t]/    { sub(/^replace[ \t]+/, ""); sub(/\/\/.*/, ""); print }
  ' "$1"
}

# e2e_pin_replaces GOMOD PINFN: writes the pins into the wrapper (cwd). For each local-directory
# replace, PINFN OLD prints the published version to use; module-to-module replaces are copied.
e2e_pin_replaces() {
  local gomod="$1" pinfn="$2" line old new newver pin
  while IFS= read -r line; do
    [ -n "${line// /}" ] || continue
    old="$(awk '{print $1}' <<<"$line")"
    new="$(sed 's/.*=>[ \t]*//' <<<"$line" | awk '{print $1}')"
    newver="$(sed 's/.*=>[ \t]*//' <<<"$line" | awk '{print $2}')"
    case "$new" in
      .*|/*)
        pin="$("$pinfn" "$old")" || e2e_die "no published version known for replaced module $old"
        if [ "$pin" = "-" ]; then e2e_log "  skip $old => $new (not in the build graph)"; continue; fi
        e2e_log "  pin $old => $old@$pin (upstream: local $new)"
        e2e_go_quiet mod edit -replace "$old=$old@$pin" ;;
      *)
        e2e_log "  pin $old => $new@$newver (copied from upstream go.mod)"
        e2e_go_quiet mod edit -replace "$old=$new@$newver" ;;
    esac
  done < <(e2e_replaces "$gomod")
}

# e2e_gomod MODULE VERSION: downloads MODULE@VERSION's go.mod and prints its path.
e2e_gomod() {
  local json
  json="$(e2e_go mod download -json "$1@$2")" || e2e_die "cannot download $1@$2 from the Go module proxy: $json"
  sed -n 's/^[ \t]*"GoMod": "\(.*\)",$/\1/p' <<<"$json"
}

# e2e_wrapper NAME-VERSION: fresh wrapper module dir (cd into it).
e2e_wrapper() {
  local dir="$E2E_CACHE/wrappers/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  cd "$dir"
  e2e_go mod init "e2e.local/wrapper/${1%%-v*}" >/dev/null 2>&1
}

# e2e_done TOOLDIR START: record build time and mark the tool complete.
e2e_done() {
  local secs=$(( $(date +%s) - $2 ))
  echo "$secs" >"$1/build-seconds"
  touch "$1/.complete"
  e2e_log "  built in ${secs}s -> $1/bin"
}

# --- Pulumi CLI ------------------------------------------------------------------------------------
e2e_pin_pulumi() {
  case "$1" in
    github.com/pulumi/pulumi/sdk/v3) echo "v$E2E_PULUMI_VERSION" ;;
    *) return 1 ;;
  esac
}

e2e_build_pulumi() {
  local tool="$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION" start gomod
  [ -f "$tool/.complete" ] && { e2e_log "pulumi v$E2E_PULUMI_VERSION: cached"; return 0; }
  e2e_log "pulumi v$E2E_PULUMI_VERSION: building github.com/pulumi/pulumi/pkg/v3/cmd/pulumi (cold: ~15-25 min on 2 cores)"
  start=$(date +%s)
  gomod="$(e2e_gomod github.com/pulumi/pulumi/pkg/v3 "v$E2E_PULUMI_VERSION")"
  (
    e2e_wrapper "pulumi-v$E2E_PULUMI_VERSION"
    e2e_pin_replaces "$gomod" e2e_pin_pulumi
    e2e_go_quiet get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$E2E_PULUMI_VERSION"
    mkdir -p "$tool/bin"
    e2e_go_quiet build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$E2E_PULUMI_VERSION" \
      -o "$tool/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  ) || e2e_die "pulumi CLI build failed (wrapper: $E2E_CACHE/wrappers/pulumi-v$E2E_PULUMI_VERSION)"
  e2e_done "$tool" "$start"
}

# --- Node.js language host -------------------------------------------------------------------------
# The Go module proxy refuses github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, so
# it builds from the upstream package main kept in ../shared/third_party (see its PROVENANCE.md):
# upstream's go.mod with the two local replaces (sdk/v3 => ../../.., pkg/v3 => ../../../../pkg)
# dropped and both required at the CLI's version from the proxy. The binary goes next to `pulumi`
# (the CLI looks for its language hosts there first) with its own marker and build time.
E2E_LANGUAGE_NODEJS_SRC="${E2E_LANGUAGE_NODEJS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/third_party/pulumi-language-nodejs-v$E2E_PULUMI_VERSION}"

e2e_build_language_nodejs() {
  local tool="$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION" start wrapper
  local marker="$tool/.complete-language-nodejs"
  [ -f "$marker" ] && [ -x "$tool/bin/pulumi-language-nodejs" ] && { e2e_log "pulumi-language-nodejs v$E2E_PULUMI_VERSION: cached"; return 0; }
  [ -f "$E2E_LANGUAGE_NODEJS_SRC/go.mod" ] || e2e_die "language host source not found at $E2E_LANGUAGE_NODEJS_SRC (expected ../shared/third_party/pulumi-language-nodejs-v$E2E_PULUMI_VERSION)"
  e2e_log "pulumi-language-nodejs v$E2E_PULUMI_VERSION: building from $E2E_LANGUAGE_NODEJS_SRC"
  start=$(date +%s)
  wrapper="$E2E_CACHE/wrappers/pulumi-language-nodejs-v$E2E_PULUMI_VERSION"
  (
    rm -rf "$wrapper"; mkdir -p "$wrapper"; cd "$wrapper"
    cp "$E2E_LANGUAGE_NODEJS_SRC"/*.go "$E2E_LANGUAGE_NODEJS_SRC"/go.mod "$E2E_LANGUAGE_NODEJS_SRC"/go.sum .
    chmod u+w ./*
    e2e_go_quiet mod edit -dropreplace github.com/pulumi/pulumi/sdk/v3 -dropreplace github.com/pulumi/pulumi/pkg/v3 \
      -require "github.com/pulumi/pulumi/sdk/v3@v$E2E_PULUMI_VERSION" -require "github.com/pulumi/pulumi/pkg/v3@v$E2E_PULUMI_VERSION"
    e2e_go_quiet mod tidy
    mkdir -p "$tool/bin"
    e2e_go_quiet build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$E2E_PULUMI_VERSION" \
      -o "$tool/bin/pulumi-language-nodejs" .
  ) || e2e_die "language host build failed (wrapper: $wrapper)"
  local secs=$(( $(date +%s) - start ))
  echo "$secs" >"$tool/build-seconds-language-nodejs"
  touch "$marker"
  e2e_log "  built in ${secs}s -> $tool/bin/pulumi-language-nodejs"
}

# --- Kubernetes provider ---------------------------------------------------------------------------
e2e_pin_k8s_provider() {
  case "$1" in
    github.com/pulumi/pulumi-kubernetes/sdk/v4) echo "$E2E_K8S_PROVIDER_SDK_PIN" ;;
    *) return 1 ;;
  esac
}

e2e_build_k8s_provider() {
  local tool="$E2E_CACHE/tools/pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION" start gomod src
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4
  [ -f "$tool/.complete" ] && { e2e_log "pulumi-resource-kubernetes $E2E_K8S_PROVIDER_MODULE_VERSION: cached"; return 0; }
  e2e_log "pulumi-resource-kubernetes $E2E_K8S_PROVIDER_MODULE_VERSION: building $mod/cmd/pulumi-resource-kubernetes"
  start=$(date +%s)
  gomod="$(e2e_gomod "$mod" "$E2E_K8S_PROVIDER_MODULE_VERSION")"
  src="$GOMODCACHE/$mod@$E2E_K8S_PROVIDER_MODULE_VERSION/cmd/pulumi-resource-kubernetes"
  (
    e2e_wrapper "pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION"
    e2e_pin_replaces "$gomod" e2e_pin_k8s_provider
    e2e_go_quiet get "$mod@$E2E_K8S_PROVIDER_MODULE_VERSION"
    [ -d "$src" ] || e2e_die "module source not found at $src"
    # main.go embeds schema-embed.json and terraform-mapping-embed.json, which upstream generates at
    # release time (generate.go: schema.json with .version set, terraform-mapping.json re-serialised);
    # they are not in the module zip, so produce them the same way here.
    cp "$src/main.go" ./main.go
    chmod u+w ./main.go
    local schema_version="${E2E_K8S_PROVIDER_MODULE_VERSION#v}"
    jq -c --arg v "$schema_version" '.version = $v' "$src/schema.json" >schema-embed.json
    jq -c . "$src/terraform-mapping.json" >terraform-mapping-embed.json
    e2e_go_quiet mod tidy
    mkdir -p "$tool/bin"
    e2e_go_quiet build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$schema_version" \
      -o "$tool/bin/pulumi-resource-kubernetes" .
  ) || e2e_die "Kubernetes provider build failed (wrapper: $E2E_CACHE/wrappers/pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION)"
  e2e_done "$tool" "$start"
}

# --- kube-apiserver --------------------------------------------------------------------------------
e2e_pin_kube() {
  case "$1" in
    k8s.io/*) echo "v0.${E2E_KUBE_VERSION#v1.}" ;;
    *) return 1 ;;
  esac
}

e2e_build_kube_apiserver() {
  local tool="$E2E_CACHE/tools/kube-apiserver-$E2E_KUBE_VERSION" start gomod minor
  [ -f "$tool/.complete" ] && { e2e_log "kube-apiserver $E2E_KUBE_VERSION: cached"; return 0; }
  e2e_log "kube-apiserver $E2E_KUBE_VERSION: building k8s.io/kubernetes/cmd/kube-apiserver (cold: ~15-25 min on 2 cores)"
  start=$(date +%s)
  gomod="$(e2e_gomod k8s.io/kubernetes "$E2E_KUBE_VERSION")"
  minor="$(cut -d. -f2 <<<"$E2E_KUBE_VERSION")"
  (
    e2e_wrapper "kube-apiserver-$E2E_KUBE_VERSION"
    e2e_pin_replaces "$gomod" e2e_pin_kube
    e2e_go_quiet get "k8s.io/kubernetes/cmd/kube-apiserver@$E2E_KUBE_VERSION"
    mkdir -p "$tool/bin"
    # Without the version ldflags the server reports v0.0.0 and the Pulumi provider refuses it.
    local v=k8s.io/component-base/version
    e2e_go_quiet build -trimpath \
      -ldflags "-s -w -X $v.gitVersion=$E2E_KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
      -o "$tool/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  ) || e2e_die "kube-apiserver build failed (wrapper: $E2E_CACHE/wrappers/kube-apiserver-$E2E_KUBE_VERSION)"
  e2e_done "$tool" "$start"
}

# --- etcd ------------------------------------------------------------------------------------------
e2e_pin_etcd() {
  case "$1" in
    # upstream points these at ./FORBIDDEN_DEPENDENCY so that a bad import fails loudly; not needed.
    go.etcd.io/etcd|go.etcd.io/tests/v3) echo "-" ;;
    go.etcd.io/etcd/*) echo "$E2E_ETCD_VERSION" ;;
    *) return 1 ;;
  esac
}

e2e_build_etcd() {
  local tool="$E2E_CACHE/tools/etcd-$E2E_ETCD_VERSION" start gomod
  [ -f "$tool/.complete" ] && { e2e_log "etcd $E2E_ETCD_VERSION: cached"; return 0; }
  e2e_log "etcd $E2E_ETCD_VERSION: building go.etcd.io/etcd/server/v3"
  start=$(date +%s)
  gomod="$(e2e_gomod go.etcd.io/etcd/server/v3 "$E2E_ETCD_VERSION")"
  (
    e2e_wrapper "etcd-$E2E_ETCD_VERSION"
    e2e_pin_replaces "$gomod" e2e_pin_etcd
    e2e_go_quiet get "go.etcd.io/etcd/server/v3@$E2E_ETCD_VERSION"
    mkdir -p "$tool/bin"
    e2e_go_quiet build -trimpath -ldflags "-s -w" -o "$tool/bin/etcd" go.etcd.io/etcd/server/v3
  ) || e2e_die "etcd build failed (wrapper: $E2E_CACHE/wrappers/etcd-$E2E_ETCD_VERSION)"
  e2e_done "$tool" "$start"
}

# Exports E2E_BIN_* paths for the built tools. Builds what is missing.
e2e_tools_build() {
  e2e_go_env
  command -v jq >/dev/null 2>&1 || e2e_die "jq is not on PATH (apt-get install jq)"
  mkdir -p "$E2E_CACHE/tools" "$E2E_CACHE/wrappers"
  e2e_log "cache: $E2E_CACHE (go $(go env GOVERSION), GOTOOLCHAIN=local CGO_ENABLED=0)"
  e2e_build_etcd
  e2e_build_kube_apiserver
  e2e_build_pulumi
  e2e_build_language_nodejs
  e2e_build_k8s_provider
  export E2E_ETCD="$E2E_CACHE/tools/etcd-$E2E_ETCD_VERSION/bin/etcd"
  export E2E_KUBE_APISERVER="$E2E_CACHE/tools/kube-apiserver-$E2E_KUBE_VERSION/bin/kube-apiserver"
  export E2E_PULUMI="$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION/bin/pulumi"
  export E2E_LANGUAGE_NODEJS="$E2E_CACHE/tools/pulumi-v$E2E_PULUMI_VERSION/bin/pulumi-language-nodejs"
  export E2E_K8S_PROVIDER="$E2E_CACHE/tools/pulumi-resource-kubernetes-$E2E_K8S_PROVIDER_MODULE_VERSION/bin/pulumi-resource-kubernetes"
  local b
  for b in "$E2E_ETCD" "$E2E_KUBE_APISERVER" "$E2E_PULUMI" "$E2E_LANGUAGE_NODEJS" "$E2E_K8S_PROVIDER"; do
    [ -x "$b" ] || e2e_die "expected binary missing after build: $b"
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  e2e_tools_build
  e2e_log "tools ready:"
  printf '%s\n' "$E2E_ETCD" "$E2E_KUBE_APISERVER" "$E2E_PULUMI" "$E2E_LANGUAGE_NODEJS" "$E2E_K8S_PROVIDER"
fi
