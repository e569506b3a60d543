#!/usr/bin/env python3
"""Generate an engine's argument table from the engine's own argparse parser.

    python3 gen-engine-flags.py <parser> > test/parsers/tables/<parser>-<version>.json

Runs inside a throwaway venv where the pinned engine package is installed with `--no-deps`
(scripts/parsers/gen-engine-flags.sh makes it). The engine's heavy runtime dependencies (torch,
triton, transformers, CUDA extensions, ...) are not installed: any module that cannot be imported
is replaced by a permissive stand-in, so the parser builder runs while every option, alias, nargs,
choices and type comes from the engine's own code. The stand-ins never define options.

Parsers:
  vllm         `vllm serve`: vllm.entrypoints.openai.cli_args.make_arg_parser (FlexibleArgumentParser)
  sglang       `python3 -m sglang.launch_server`: sglang.srt.server_args.ServerArgs.add_cli_args
  dynamo-vllm  `python3 -m dynamo.vllm`: the parser dynamo.vllm.args.parse_args builds
"""
import argparse
import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import json
import sys
import types

# ── permissive stand-ins for modules that are not installed ───────────────────────────────────


class _StubMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub_class(f"{cls.__name__}.{name}")

    def __getitem__(cls, item):
        return cls

    def __or__(cls, other):
        return cls

    def __ror__(cls, other):
        return cls

    def __iter__(cls):
        return iter(())

    def __len__(cls):
        return 0

    def __int__(cls):
        return 0

    __index__ = __int__

    def __float__(cls):
        return 0.0

    def __call__(cls, *a, **k):
        # Decorator use (`@torch.inference_mode()` / `@triton.jit`): hand the function back.
        if len(a) == 1 and not k and callable(a[0]) and not isinstance(a[0], _StubMeta):
            return a[0]
        return type.__call__(cls)


class _Stub(metaclass=_StubMeta):
    def __init__(self, *a, **k):
        pass

    def __init_subclass__(cls, **kwargs):
        pass

    @classmethod
    def __get_pydantic_core_schema__(cls, source, handler):
        from pydantic_core import core_schema

        return core_schema.any_schema()

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _stub_class(name)()

    def __call__(self, *a, **k):
        if len(a) == 1 and not k and callable(a[0]):
            return a[0]
        return _Stub()

    def __getitem__(self, item):
        return _Stub()

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return False

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __float__(self):
        return 0.0

    def __lt__(self, o):
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __radd__(self, other):
        return other

    def __add__(self, other):
        return self

    __sub__ = __mul__ = __truediv__ = __floordiv__ = __mod__ = __pow__ = __and__ = __or__ = __add__
    __rsub__ = __rmul__ = __rtruediv__ = __rfloordiv__ = __rand__ = __ror__ = __radd__

    def __str__(self):
        return ""

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

    def __eq__(self, other):
        # Two stand-in values (e.g. two inferred torch op schemas) compare equal.
        return isinstance(other, _Stub)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return id(self)


def _stub_class(name):
    return _StubMeta(name, (_Stub,), {"__module__": "stub"})


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = _stub_class(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


STUBBED = set()


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on sys.meta_path: only modules no real finder can import get here."""

    def find_spec(self, fullname, path, target=None):
        root = fullname.split(".")[0]
        if root in OWN_PACKAGES or root in sys.stdlib_module_names or root.startswith("_"):
            return None  # the engine's own code (and the standard library) must be real
        if fullname != root and not isinstance(sys.modules.get(root), _StubModule):
            return None  # a missing submodule of a real package stays an ImportError
        STUBBED.add(root)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []
        m.__version__ = "0.0.0+stub"
        return m

    def exec_module(self, module):
        pass


OWN_PACKAGES = {"vllm", "sglang", "dynamo"}
sys.meta_path.append(_StubFinder())

# Version probes of libraries that are not installed (importlib.metadata.version("transformers"))
# answer a placeholder; the engine packages themselves report their real version.
_real_version = importlib.metadata.version


def _version(name):
    try:
        return _real_version(name)
    except importlib.metadata.PackageNotFoundError:
        if name.replace("-", "_").lower() in OWN_PACKAGES or name == "ai-dynamo":
            raise
        STUBBED.add(f"{name} (metadata)")
        return "99.0.0"


importlib.metadata.version = _version


def stub_extensions(package):
    """Compiled extensions of the engine (CUDA kernels) load only next to torch: stand in for them."""
    import importlib.util
    import pathlib

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return
    base = pathlib.Path(list(spec.submodule_search_locations)[0])
    for so in base.rglob("*.so"):
        rel = so.relative_to(base.parent).with_suffix("")
        name = ".".join(rel.parts).split(".abi3")[0].split(".cpython")[0]
        m = _StubModule(name)
        m.__path__ = []
        sys.modules[name] = m
        STUBBED.add(name)


def pin_platform(qualname):
    """The image's platform (CUDA): with stand-ins every platform probe would succeed or fail at random."""
    import vllm.platforms as platforms

    try:
        from vllm.utils import resolve_obj_by_qualname
    except ImportError:  # vLLM ≥ 0.12 moved it
        from vllm.utils.import_utils import resolve_obj_by_qualname

    platforms._current_platform = resolve_obj_by_qualname(qualname)()

# ── the parsers ───────────────────────────────────────────────────────────────────────────────


def flexible_argument_parser():
    try:
        from vllm.utils.argparse_utils import FlexibleArgumentParser  # vLLM ≥ 0.12
    except ImportError:
        from vllm.utils import FlexibleArgumentParser
    return FlexibleArgumentParser


def vllm_parser():
    stub_extensions("vllm")
    # vLLM ≥ 0.2x registers its kernel IR ops (torch custom ops) while building config defaults:
    # kernels only, no option; stand in for them when the package has them.
    import importlib.util

    if importlib.util.find_spec("vllm.ir") is not None:
        stub_modules("vllm.ir", "vllm.ir.op", "vllm.ir.ops", "vllm.ir.util", "vllm.ir.tolerances")
    pin_platform("vllm.platforms.cuda.CudaPlatform")
    from vllm.entrypoints.openai.cli_args import make_arg_parser

    FlexibleArgumentParser = flexible_argument_parser()

    # `vllm serve` = the serve subparser: a FlexibleArgumentParser given to make_arg_parser.
    p = make_arg_parser(FlexibleArgumentParser(prog="vllm serve"))
    return p, {
        "package": "vllm",
        "command": "vllm serve",
        "builder": "vllm.entrypoints.openai.cli_args.make_arg_parser(FlexibleArgumentParser())",
        # FlexibleArgumentParser.parse_args rewrites `--a_b` to `--a-b` before argparse sees it.
        "underscoreDashEquivalent": True,
        "forbidden": {"--model": "with `vllm serve` the model is the positional argument (FlexibleArgumentParser.parse_args raises)"},
    }


def sglang_parser():
    stub_extensions("sglang")
    # Registering torch custom ops at import needs real torch; the parser does not use them.
    import sglang.srt.utils as utils
    import sglang.srt.utils.common as common

    common.direct_register_custom_op = utils.direct_register_custom_op = lambda *a, **k: None
    from sglang.srt.server_args import ServerArgs

    p = argparse.ArgumentParser(prog="python3 -m sglang.launch_server")
    ServerArgs.add_cli_args(p)
    return p, {
        "package": "sglang",
        "command": "python3 -m sglang.launch_server",
        "builder": "sglang.srt.server_args.ServerArgs.add_cli_args(argparse.ArgumentParser())",
        "underscoreDashEquivalent": False,
        "forbidden": {},
    }


def stub_modules(*names):
    """Stand in for native modules shipped by another wheel (e.g. ai-dynamo-runtime's Rust core)."""
    for name in names:
        m = _StubModule(name)
        m.__path__ = []
        sys.modules[name] = m
        STUBBED.add(name)


def dynamo_vllm_parser():
    stub_extensions("vllm")
    pin_platform("vllm.platforms.cuda.CudaPlatform")
    # dynamo._core, dynamo.runtime and dynamo.llm come from ai-dynamo-runtime (Rust, not installed).
    stub_modules("dynamo._core", "dynamo.runtime", "dynamo.llm")
    import dynamo.vllm.args as dargs

    captured = {}
    real_parse = argparse.ArgumentParser.parse_args

    def capture(self, args=None, namespace=None):
        captured["parser"] = self
        raise SystemExit(0)

    argparse.ArgumentParser.parse_args = capture
    try:
        dargs.parse_args()
    except SystemExit:
        pass
    finally:
        argparse.ArgumentParser.parse_args = real_parse
    p = captured["parser"]
    FlexibleArgumentParser = flexible_argument_parser()

    return p, {
        "package": "ai-dynamo",
        "command": "python3 -m dynamo.vllm",
        "builder": "dynamo.vllm.args.parse_args (the parser it builds: Dynamo's options + vLLM AsyncEngineArgs.add_cli_args)",
        "underscoreDashEquivalent": isinstance(p, FlexibleArgumentParser),
        "forbidden": {},
        "vllm": importlib.metadata.version("vllm"),
    }


PARSERS = {"vllm": vllm_parser, "sglang": sglang_parser, "dynamo-vllm": dynamo_vllm_parser}

# ── describing an argparse parser ─────────────────────────────────────────────────────────────

PROBES = {
    "int": "8",
    "negint": "-1",
    "float": "0.5",
    "word": "abc",
    "json": '{"a": 1}',
    # A JSON config type that validates its fields (vLLM ≥ 0.12 --kv-transfer-config) refuses {"a": 1}.
    "jsonkv": '{"kv_connector": "NixlConnector", "kv_role": "kv_both"}',
    "bool": "true",
}


def type_kind(t):
    """Classify an argparse `type` callable by what it accepts (the test checks values by kind)."""
    if t is None:
        return "str", None
    ok = {}
    for k, v in PROBES.items():
        try:
            t(v)
            ok[k] = True
        except Exception:
            ok[k] = False
    name = getattr(t, "__qualname__", None) or getattr(t, "__name__", None) or type(t).__name__
    if ok["word"] and ok["int"] and ok["json"]:
        return "str", name
    if (ok["json"] or ok["jsonkv"]) and not ok["word"]:
        return "json", name
    if ok["int"] and not ok["float"] and not ok["word"]:
        return "int", name
    if ok["float"] and not ok["word"]:
        return "float", name
    if ok["bool"] and not ok["word"] and not ok["int"]:
        return "bool", name
    return "custom", name


def action_kind(a):
    n = type(a).__name__
    return {
        "_StoreAction": "store",
        "_StoreTrueAction": "store_true",
        "_StoreFalseAction": "store_false",
        "_StoreConstAction": "store_const",
        "_AppendAction": "append",
        "_AppendConstAction": "append_const",
        "_CountAction": "count",
        "_HelpAction": "help",
        "_VersionAction": "version",
        "BooleanOptionalAction": "boolean_optional",
    }.get(n, n)


def describe(p, meta):
    options, positionals = [], []
    for a in p._actions:
        nargs = a.nargs
        if nargs is None:
            nargs = 0 if action_kind(a) in ("store_true", "store_false", "store_const", "append_const", "count", "help", "version") else 1
        kind, tname = type_kind(a.type)
        entry = {
            "dest": a.dest,
            "action": action_kind(a),
            "nargs": nargs if isinstance(nargs, (int, str)) else str(nargs),
            "type": kind,
        }
        if tname and kind in ("custom",):
            entry["typeName"] = tname
        if a.choices is not None:
            entry["choices"] = sorted({str(c) for c in a.choices})
        if a.option_strings:
            entry["flags"] = list(a.option_strings)
            options.append(entry)
        else:
            positionals.append(entry)
    options.sort(key=lambda e: e["flags"][0])
    version = importlib.metadata.version(meta["package"])
    return {
        "engine": meta["package"],
        "version": version,
        "command": meta["command"],
        "generatedBy": "scripts/parsers/gen-engine-flags.py",
        "parser": meta["builder"],
        "stubbedModules": sorted(STUBBED),
        "allowAbbrev": p.allow_abbrev,
        "underscoreDashEquivalent": meta["underscoreDashEquivalent"],
        "forbidden": meta["forbidden"],
        **({"vllm": meta["vllm"]} if "vllm" in meta else {}),
        "positionals": positionals,
        "options": options,
    }


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in PARSERS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(PARSERS)}}}")
    out = sys.stdout
    sys.stdout = sys.stderr  # the engines log to stdout while they import; the table goes to out
    p, meta = PARSERS[sys.argv[1]]()
    json.dump(describe(p, meta), out, indent=1)
    out.write("\n")


if __name__ == "__main__":
    main()
