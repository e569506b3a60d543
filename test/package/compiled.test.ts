/**
 * The compiled output: the library entry package.json `exports` resolves to, and the launcher
 * `npm run plan`/`bench` go through (scripts/compiled.js).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher = require(path.join(ROOT, "scripts", "compiled.js")) as {
    ensureBuilt(): void;
    newestSource(): number;
    DEFERRED: [parent: string, request: string, kind: "namespace" | "constructor" | "function" | "members", name?: string][];
};

describe("compiled output (bin/)", function () {
    this.timeout(600_000);
    before(() => launcher.ensureBuilt());

    it("`inference-platform` resolves through package.json exports to bin/components/index.js, with declarations", () => {
        const entry = require.resolve("inference-platform");
        assert.equal(entry, path.join(ROOT, "bin", "components", "index.js"));
        assert.ok(fs.existsSync(path.join(ROOT, "bin", "components", "index.d.ts")));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const lib = require(entry) as Record<string, unknown>;
        const packaged = fs
            .readFileSync(path.join(ROOT, "components", "package.ts"), "utf8")
            .split("\n")
            .map((l) => /^export \{ (\w+) \} from/.exec(l)?.[1])
            .filter((c): c is string => c !== undefined);
        for (const c of [...packaged, "VllmServer", "SglangServer", "LlmD", "KServeModel", "GpuClaim", "planModel"]) {
            assert.equal(typeof lib[c], "function", `library export ${c}`);
        }
    });

    it("is not older than any source once built", () => {
        assert.ok(fs.statSync(path.join(ROOT, "bin", ".tsbuildinfo")).mtimeMs >= launcher.newestSource());
    });

    describe("deferred module loads (DEFERRED in scripts/compiled.js)", () => {
        const parentFile = (parent: string) => path.join(ROOT, "node_modules", ...parent.split("/"));
        const target = (parent: string, request: string) => createRequire(parentFile(parent)).resolve(request);

        for (const [parent, request, kind, name] of launcher.DEFERRED) {
            it(`${parent} uses ${request} only as the ${kind} stand-in allows`, () => {
                const src = fs.readFileSync(parentFile(parent), "utf8");
                const req = request.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
                const bound = new RegExp(`^(?:const (\\w+)|exports\\.(\\w+)) = (?:(__importStar|__importDefault)\\()?require\\("${req}"\\)\\)?;$`, "m").exec(src);
                assert.ok(bound, `${parent}: require("${request}") bound to a name`);
                assert.equal(src.split(`require("${request}")`).length, 2, `${parent} requires ${request} once`);
                const [decl, local, exported, helper] = bound;
                if (exported) {
                    // `exports.x = __importStar(require(...))`: a namespace re-export, read by the package's users.
                    assert.equal(kind, "namespace");
                } else {
                    // Every other mention of the local name is a member access (`x.y`), or, for a namespace,
                    // its re-export `exports.x = x;`.
                    const rest = src.replace(decl, "").replace(kind === "namespace" ? new RegExp(`^exports\\.${local} = ${local};$`, "m") : /$^/, "");
                    const uses = [...rest.matchAll(new RegExp(`(?<![\\w.$])${local}\\b(.?)(\\w*)`, "g"))];
                    assert.ok(uses.length > 0 || kind === "namespace", `${parent}: ${local} used`);
                    for (const u of uses) assert.equal(u[1], ".", `${parent}: "${u[0]}" is not a member access`);
                    const members = [...new Set(uses.map((u) => u[2]))];
                    if (kind === "constructor") {
                        assert.deepEqual(members, [name]);
                        assert.match(rest, new RegExp(`new ${local}\\.${name}\\(`));
                        assert.equal(rest.split(`${local}.${name}`).length, rest.split(`new ${local}.${name}(`).length, "only constructed");
                    }
                    if (kind === "function") {
                        assert.equal(helper, "__importDefault");
                        assert.deepEqual(members, ["default"]);
                    }
                    if (kind === "members") assert.equal(helper, undefined);
                }
                if (kind === "namespace") {
                    assert.equal(helper, "__importStar");
                    // __importStar hands an ES-module-shaped module through as is (the stand-in says __esModule).
                    assert.match(fs.readFileSync(target(parent, request), "utf8"), /Object\.defineProperty\(exports, "__esModule", \{ value: true \}\)/);
                }
            });
        }

        it("a dev-stack plan loads none of them; used, each loads and is the real module", () => {
            const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deferred-"));
            try {
                const report = path.join(tmp, "loaded.json");
                const probe = path.join(tmp, "probe.js");
                fs.writeFileSync(probe, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(report)}, JSON.stringify(Object.keys(require.cache))));\n`);
                const r = spawnSync(process.execPath, ["-r", probe, path.join(ROOT, "scripts", "compiled.js"), "plan", "--stack", "dev", "--out", path.join(tmp, "out")], { cwd: ROOT, encoding: "utf8" });
                assert.equal(r.status, 0, r.stderr);
                const loaded = new Set(JSON.parse(fs.readFileSync(report, "utf8")) as string[]);
                assert.ok(loaded.has(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "index.js")), "the probe sees the plan's modules");
                for (const [parent, request] of launcher.DEFERRED) {
                    assert.ok(loaded.has(parentFile(parent)), `${parent} is loaded by a plan (else its entry is dead)`);
                    assert.ok(!loaded.has(target(parent, request)), `${request} (from ${parent}) is not loaded by a plan`);
                }
            } finally {
                fs.rmSync(tmp, { recursive: true, force: true });
            }
            // Used: in a fresh process with the deferrals installed, each stand-in loads the real module.
            const script = `
                const launcher = require(${JSON.stringify(path.join(ROOT, "scripts", "compiled.js"))});
                launcher.deferLoads();
                const pulumi = require("@pulumi/pulumi");
                const z = require("zod");
                const real = (p) => require(require.resolve(p));
                const out = {
                    automationDeferred: !Object.keys(require.cache).some((f) => f.includes("automation")),
                    automation: pulumi.automation.LocalWorkspace === real("@pulumi/pulumi/automation").LocalWorkspace,
                    automationKeys: JSON.stringify(Object.keys(pulumi.automation)) === JSON.stringify(Object.keys(real("@pulumi/pulumi/automation"))),
                    provider: typeof pulumi.provider.main === "function" && pulumi.provider.main === real("@pulumi/pulumi/provider").main,
                    locales: typeof z.locales.de === "function" && z.core.locales.de === z.locales.de && "en" in z.locales,
                    zodMessage: z.string().safeParse(1).error.issues[0].message,
                };
                console.log(JSON.stringify(out));`;
            const u = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
            assert.equal(u.status, 0, u.stderr);
            assert.deepEqual(JSON.parse(u.stdout), {
                automationDeferred: true,
                automation: true,
                automationKeys: true,
                provider: true,
                locales: true,
                zodMessage: "Invalid input: expected string, received number",
            });
        });
    });
});
