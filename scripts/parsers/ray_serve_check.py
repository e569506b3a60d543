"""Ray Serve's own config validation on the serveConfigV2 the project writes into RayServices.

Runs in the venv scripts/tools/ray-serve.sh builds (ray==<pinned>). stdin: JSON list of
{"name": ..., "serveConfigV2": "<yaml text>"}; stdout: JSON {"ray": <version>, "verdicts": [...]}
with one verdict per RayService: errors from
  - ray.serve.schema.ServeDeploySchema (what `serve deploy` and KubeRay's PUT /api/serve/applications/
    run: application names, route prefixes, import paths, deployment options, autoscaling_config),
  - for the ray.serve.llm builders (build_openai_app / build_llm_deployment): the builder's own
    argument model, resolved from the import path, on `args` (so LLMConfig fields are checked too),
    when that model can be imported without the optional `ray[llm]` dependencies; otherwise the
    verdict says which model was not checked (`unchecked`).
"""

import importlib
import json
import sys

import yaml  # a dependency of ray

import ray
from ray.serve.schema import ServeDeploySchema

try:  # pydantic v2 (Ray 2.51 uses it)
    from pydantic import ValidationError
except ImportError:  # pragma: no cover
    from pydantic.v1 import ValidationError


def errors_of(exc):
    if isinstance(exc, ValidationError):
        out = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()))
            out.append(f"{loc}: {e.get('msg')}")
        return out
    return [f"{type(exc).__name__}: {exc}"]


# import path of an LLM app builder -> (module, class) of its argument model, per Ray 2.51.1
# (ray/llm/_internal/serve/core/ingress/builder.py: build_openai_app validates its argument with
# LLMServingArgs, re-exported as ray.serve.llm.LLMServingArgs). Importing it needs vLLM (ray[llm]),
# which this venv does not install: then the verdict lists the args as unchecked.
BUILDER_ARGS = {
    "ray.serve.llm:build_openai_app": [("ray.serve.llm", "LLMServingArgs")],
}


def builder_model(import_path):
    for mod, cls in BUILDER_ARGS.get(import_path, []):
        try:
            return getattr(importlib.import_module(mod), cls), f"{mod}.{cls}"
        except Exception as e:  # missing optional deps or moved class
            last = f"{mod}.{cls}: {type(e).__name__}: {e}"
    if import_path in BUILDER_ARGS:
        return None, last
    return None, None


def check(name, text):
    v = {"name": name, "errors": [], "unchecked": []}
    try:
        doc = yaml.safe_load(text)
    except Exception as e:
        v["errors"].append(f"serveConfigV2 is not YAML: {e}")
        return v
    try:
        ServeDeploySchema.parse_obj(doc) if hasattr(ServeDeploySchema, "parse_obj") else ServeDeploySchema.model_validate(doc)
    except Exception as e:
        v["errors"].extend(errors_of(e))
    for i, app in enumerate((doc or {}).get("applications") or []):
        ip = app.get("import_path")
        model, label = builder_model(ip)
        if model is None:
            if label:
                v["unchecked"].append(f"applications.{i}.args: {label}")
            continue
        try:
            (model.model_validate if hasattr(model, "model_validate") else model.parse_obj)(app.get("args") or {})
        except Exception as e:
            v["errors"].extend(f"applications.{i}.args ({label}): {x}" for x in errors_of(e))
    return v


def main():
    items = json.load(sys.stdin)
    out = {"ray": ray.__version__, "verdicts": [check(it["name"], it["serveConfigV2"]) for it in items]}
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
