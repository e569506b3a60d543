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
 * Start-up: @pulumi/pulumi loads its function-serialization helpers (runtime/closure) eagerly, and
 * with them npm's package tooling (@npmcli/arborist, normalize-package-data: ~450 modules) and the
 * TypeScript compiler; a plan never serializes a function. Those three modules are loaded on first
 * use instead (see lazyClosureDeps), which halves the time to load @pulumi/pulumi.
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
 * Defers three modules @pulumi/pulumi's runtime/closure requires at load time and only uses when a
 * function is serialized: codePaths.js's `@npmcli/arborist` (it uses `new arborist.Arborist(...)`)
 * and `normalize-package-data` (called as a function), parseFunction.js's `../../typescript-shim`
 * (the `typescript` module, used as `ts.<member>`). Each is loaded, unchanged, on first use;
 * test/package/compiled.test.ts checks those are still the only uses.
 */
function lazyClosureDeps() {
    const load = Module._load;
    const closure = (parent, file) => parent && parent.filename && parent.filename.endsWith(path.join("@pulumi", "pulumi", "runtime", "closure", file));
    Module._load = function (request, parent, isMain) {
        const real = () => load.call(this, request, parent, isMain);
        if (request === "@npmcli/arborist" && closure(parent, "codePaths.js")) {
            return { Arborist: function Arborist(...args) { return new (real().Arborist)(...args); } };
        }
        if (request === "normalize-package-data" && closure(parent, "codePaths.js")) {
            return function normalize(...args) { return real()(...args); };
        }
        if (request === "../../typescript-shim" && closure(parent, "parseFunction.js")) {
            let ts;
            return new Proxy({}, { get: (_, k) => (ts ??= real())[k] });
        }
        return load.apply(this, arguments);
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
    lazyClosureDeps();
    process.argv = [process.argv[0], entry, ...args];
    require(entry);
}

if (require.main === module) main();

module.exports = { ensureBuilt, lazyClosureDeps, newestSource };
