#!/usr/bin/env bash
# Ray Serve's own config model (ray.serve.schema.ServeDeploySchema, the schema `serve deploy` and
# KubeRay's serveConfigV2 go through) at the pinned Ray version, in a throwaway venv in the tool
# cache. Prints the venv's python on stdout.
#
#   scripts/tools/ray-serve.sh           build if missing, print the python path
#   scripts/tools/ray-serve.sh --path    print the path only if already built (exit 1 otherwise)
#
# The version must equal images.rayVersion in components/versions.ts (test/parsers/validators.test.ts
# checks it). The check itself is scripts/parsers/ray_serve_check.py.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../e2e/tools.sh
source "$HERE/../e2e/tools.sh"

RAY_VERSION="2.51.1"
TOOL="$E2E_CACHE/tools/ray-serve-$RAY_VERSION"
PY="$TOOL/venv/bin/python"

if [ "${1:-}" = "--path" ]; then
  [ -f "$TOOL/.complete" ] || exit 1
  echo "$PY"
  exit 0
fi
if [ -f "$TOOL/.complete" ]; then echo "$PY"; exit 0; fi

command -v python3 >/dev/null 2>&1 || e2e_die "python3 is not on PATH (needed for the Ray Serve schema check)"
e2e_log "ray-serve $RAY_VERSION: pip install ray[serve]==$RAY_VERSION into $TOOL/venv"
start=$(date +%s)
rm -rf "$TOOL"
mkdir -p "$TOOL"
python3 -m venv "$TOOL/venv" >&2
# ray.serve.schema imports Serve's HTTP stack (starlette, fastapi, ...): the `serve` extra.
nice -n 10 "$TOOL/venv/bin/pip" install --quiet --disable-pip-version-check --no-input "ray[serve]==$RAY_VERSION" >&2 \
  || e2e_die "pip install ray[serve]==$RAY_VERSION failed"
"$PY" -c "import ray, ray.serve.schema as s; assert ray.__version__ == '$RAY_VERSION', ray.__version__; s.ServeDeploySchema" >&2 \
  || e2e_die "ray $RAY_VERSION installed but ray.serve.schema does not import"
mkdir -p "$TOOL/bin"
secs=$(( $(date +%s) - start ))
echo "$secs" >"$TOOL/build-seconds"
touch "$TOOL/.complete"
e2e_log "  built in ${secs}s -> $PY"
echo "$PY"
