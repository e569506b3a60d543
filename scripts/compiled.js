#!/usr/bin/env node
/**
 * Runs a script from the compiled output: `node scripts/compiled.js plan --stack dev` runs
 * bin/scripts/plan.js (npm run plan, npm run bench). Plain JavaScript, so Node starts it directly:
 * no TypeScript is transpiled at run time.
 *
 * bin/ is what `npm run build` (tsc -p tsconfig.build.json) writes. Before running, every .ts source
 * the scripts can load (components/, stacks/, scripts/, policies/, index.ts) and the tsconfig files
 * are compared with bin/.tsbuildinfo: if any is newer, or bin/ is missing, the incremental build
 * runs first (type errors stop here, with tsc's messages). A stale bin/ is never run.
 *
 * Start-up: left alone, a plan loads 1,161 modules before it does any work, 680 of which it never
 * uses: the function-serialization helpers @pulumi/pulumi loads eagerly (npm's package tooling,
 * ~450 modules, the TypeScript compiler, fdir), pulumi.automation and pulumi.provider, OpenTelemetry
 * (tracing of the gRPC calls to a real engine), glob for @pulumi/kubernetes' yaml.ConfigFile v1,
 * zod's ~50 error-message locales. The launcher loads those on first use instead (DEFERRED,
 * deferLoads), unchanged: 481 modules are left. README.md ("Tests and benchmarks") has the numbers.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "bin");
const BUILD_INFO = path.join(BIN, ".tsbuildinfo");
const SOURCES = ["components", "stacks", "scripts", "policies"];

/** Newest mtime (ms) of the sources the compiled scripts are built from. */
function newestSource() {
    let newest = 0;
    const visit = (p) => {
        let st;
        try {
            st = fs.statSync(p);
        } catch {
            return;
        }
        if (st.isDirectory()) {
            if (path.basename(p) === "node_modules") return;
            for (const e of fs.readdirSync(p)) visit(path.join(p, e));
        } else if (p.endsWith(".ts") || p.endsWith(".json")) {
            newest = Math.max(newest, st.mtimeMs);
        }
    };
    for (const d of SOURCES) visit(path.join(ROOT, d));
    for (const f of ["index.ts", "tsconfig.json", "tsconfig.build.json"]) visit(path.join(ROOT, f));
    return newest;
}

/** Build bin/ when it is missing or older than a source; exit 1 with tsc's output if that fails. */
function ensureBuilt() {
    const built = fs.existsSync(BUILD_INFO) ? fs.statSync(BUILD_INFO).mtimeMs : 0;
    if (built >= newestSource()) return;
    process.stderr.write(`compiling to bin/ (${built === 0 ? "no build yet" : "sources changed since the last build"}): tsc -p tsconfig.build.json\n`);
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) {
        process.stderr.write("tsc failed: fix the errors above (the compiled scripts were not run)\n");
        process.exit(1);
    }
    // tsc leaves .tsbuildinfo alone when nothing needed re-emitting: mark bin/ as checked now.
    const now = new Date();
    fs.utimesSync(BUILD_INFO, now, now);
}

/**
 * Module loads the launcher defers: each is required, unchanged, on first use instead of when its
 * parent loads, because a plan never (or only on some paths) uses it. [parent file under
 * node_modules, request, stand-in]:
 *  - "namespace": the module is only used through its exports object (`x.member`, or re-exported as
 *    a namespace, `exports.automation = automation`); it is an ES-module-shaped CommonJS module
 *    (`__esModule`), so `__importStar` hands the stand-in through unchanged. A Proxy loads the module
 *    on the first property access, `in`, key listing or descriptor read.
 *  - "constructor" / "function": used only as `new x.<name>(...)` / called as a function.
 *  - "members": used only as `x.<member>` (the Proxy answers every read, even `__esModule`, from
 *    the module: the one the parent gets is a plain CommonJS object).
 * test/package/compiled.test.ts checks each parent still uses the request only that way, and that
 * `plan --help` loads none of them.
 */
const DEFERRED = [
    // @pulumi/pulumi's function serialization (runtime/closure): npm's package tooling (~450 modules)
    // and the TypeScript compiler; a plan never serializes a function.
    ["@pulumi/pulumi/runtime/closure/codePaths.js", "@npmcli/arborist", "constructor", "Arborist"],
    ["@pulumi/pulumi/runtime/closure/codePaths.js", "normalize-package-data", "function"],
    ["@pulumi/pulumi/runtime/closure/parseFunction.js", "../../typescript-shim", "members"],
    ["@pulumi/pulumi/runtime/closure/codePaths.js", "fdir", "constructor", "fdir"],
    // OpenTelemetry: only the gRPC interceptor that carries trace context to the real engine uses it.
    ["@pulumi/pulumi/runtime/settings.js", "@opentelemetry/api", "namespace"],
    // pulumi.automation (execa, the CLI driver, ~100 modules) and pulumi.provider (a provider's gRPC
    // server): re-exported by @pulumi/pulumi's index, unused by a program run.
    ["@pulumi/pulumi/index.js", "./automation", "namespace"],
    ["@pulumi/pulumi/index.js", "./provider", "namespace"],
    // glob (+ minimatch, path-scurry, lru-cache): only yaml.ConfigFile (v1) expands file patterns.
    ["@pulumi/kubernetes/yaml/yaml.js", "glob", "namespace"],
    // zod's translated error messages (~50 locales): z.locales.<lang>(); English is loaded apart.
    ["zod/v4/core/index.cjs", "../locales/index.cjs", "namespace"],
    ["zod/v4/classic/external.cjs", "../locales/index.cjs", "namespace"],
];

/** The stand-in for a deferred module; `real()` loads it (once, by Node's own cache). */
function standIn(kind, real, name) {
    if (kind === "constructor") return { [name]: function (...args) { return new (real()[name])(...args); } };
    if (kind === "function") return function (...args) { return real()(...args); };
    const get = kind === "namespace" ? (k) => (k === "__esModule" ? true : real()[k]) : (k) => real()[k];
    return new Proxy({}, {
        get: (_, k) => get(k),
        has: (_, k) => k in real(),
        ownKeys: () => Reflect.ownKeys(real()),
        getOwnPropertyDescriptor: (_, k) => {
            const d = Reflect.getOwnPropertyDescriptor(real(), k);
            return d && { ...d, configurable: true };
        },
    });
}

/** Install the deferrals (DEFERRED) into Node's module loader. */
function deferLoads() {
    const load = Module._load;
    const byRequest = new Map();
    for (const [parent, request, kind, name] of DEFERRED) {
        byRequest.set(request, [...(byRequest.get(request) ?? []), { parent: path.join("node_modules", ...parent.split("/")), kind, name }]);
    }
    Module._load = function (request, parent, isMain) {
        const entries = byRequest.get(request);
        const file = parent && parent.filename;
        const hit = entries && file && entries.find((e) => file.endsWith(e.parent));
        if (!hit) return load.apply(this, arguments);
        let mod;
        return standIn(hit.kind, () => (mod ??= load.call(this, request, parent, isMain)), hit.name);
    };
}

function main() {
    const [name, ...args] = process.argv.slice(2);
    if (!name || !/^[\w-]+$/.test(name)) {
        process.stderr.write("usage: node scripts/compiled.js <script in scripts/, e.g. plan> [args...]\n");
        process.exit(2);
    }
    const entry = path.join(BIN, "scripts", `${name}.js`);
    ensureBuilt();
    if (!fs.existsSync(entry)) {
        process.stderr.write(`${path.relative(ROOT, entry)} not found: is scripts/${name}.ts in tsconfig.json's include?\n`);
        process.exit(2);
    }
    deferLoads();
    process.argv = [process.argv[0], entry, ...args];
    require(entry);
}

if (require.main === module) main();

module.exports = { DEFERRED, deferLoads, ensureBuilt, newestSource };
