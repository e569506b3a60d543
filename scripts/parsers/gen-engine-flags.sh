#!/usr/bin/env bash
# Regenerates test/parsers/tables/*.json — the argument tables of the pinned engines, dumped from
# each engine's own argparse parser by scripts/parsers/gen-engine-flags.py. Rerun it whenever an
# engine image moves in components/versions.ts (test/parsers/engines.test.ts fails until the table
# of the new version is committed), and commit the output.
#
#   bash scripts/parsers/gen-engine-flags.sh            # all tables
#   bash scripts/parsers/gen-engine-flags.sh vllm 0.11.0  # one: vllm | vllm-rocm | vllm-kserve | sglang | dynamo-vllm
#
# Needs PyPI (pip) and ~1 GB of downloads (the vLLM wheels); not part of npm test, which reads the
# committed tables offline. Each engine goes into a throwaway venv with `pip install --no-deps`
# plus the few pure-Python libraries its parser builder really executes (pydantic for vLLM's
# config dataclasses, msgspec, ...); every other import (torch, transformers, CUDA kernels) gets a
# stand-in that defines no option. The versions below must match components/versions.ts.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo/test/parsers/tables"
gen="$repo/scripts/parsers/gen-engine-flags.py"

VLLM_VERSION="0.11.0"         # images.vllm vllm/vllm-openai:v0.11.0
VLLM_ROCM_VERSION="0.10.1"    # images.vllmRocm rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909
VLLM_KSERVE_VERSION="0.23.0" # KServe v0.20.0 presets run ghcr.io/llm-d/llm-d-cuda:v0.8.0 = vLLM v0.23.0 (PRESET_IMAGE_VLLM)
SGLANG_VERSION="0.5.5.post2"  # images.sglang / images.sglangRocm lmsysorg/sglang:v0.5.5.post2[-rocm…]
DYNAMO_VERSION="0.7.1"        # images.dynamoVllmRuntime nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.7.1 (pins vllm==0.11.0)
# Real libraries the parser builders execute (versions as resolved on 2026-11-28).
LIBS=(pydantic==2.14.4 regex typing_extensions pyyaml msgspec dill orjson)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

venv() { # NAME PACKAGE... : a venv with the packages (no deps) and LIBS
  python3 -m venv "$work/$1"
  "$work/$1/bin/pip" install -q --disable-pip-version-check --no-deps "${@:2}"
  "$work/$1/bin/pip" install -q --disable-pip-version-check "${LIBS[@]}"
}

one() { # KIND VERSION
  case "$1" in
    vllm | vllm-rocm | vllm-kserve)
      venv "vllm-$2" "vllm==$2"
      (cd "$work" && "$work/vllm-$2/bin/python" "$gen" vllm) >"$out/vllm-$2.json" ;;
    sglang)
      venv "sglang-$2" "sglang==$2"
      (cd "$work" && "$work/sglang-$2/bin/python" "$gen" sglang) >"$out/sglang-$2.json" ;;
    dynamo-vllm)
      venv "dynamo-$2" "ai-dynamo==$2" "vllm==$VLLM_VERSION"
      (cd "$work" && "$work/dynamo-$2/bin/python" "$gen" dynamo-vllm) >"$out/dynamo-vllm-$2.json" ;;
    *) echo "unknown engine $1" >&2; exit 2 ;;
  esac
}

mkdir -p "$out"
if [ $# -eq 2 ]; then
  one "$1" "$2"
else
  one vllm "$VLLM_VERSION"
  one vllm-rocm "$VLLM_ROCM_VERSION"
  one vllm-kserve "$VLLM_KSERVE_VERSION"
  one sglang "$SGLANG_VERSION"
  one dynamo-vllm "$DYNAMO_VERSION"
fi
