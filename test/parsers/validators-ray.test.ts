/**
 * Level 4 (parsers), Ray Serve: every RayService's serveConfigV2, for every shipped stack and
 * option variant, through Ray 2.51.1's own Serve config model (ray.serve.schema.ServeDeploySchema,
 * what `serve deploy` and KubeRay's serve API apply), in the venv scripts/tools/ray-serve.sh builds
 * (`npm run tools`); the check is scripts/parsers/ray_serve_check.py. The LLM builder's argument
 * model (LLMServingArgs/LLMConfig) needs vLLM to import and is reported as unchecked.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ROOT } from "../helpers";
import { corpus, objects, type CorpusStack } from "./corpus";
import { requireTool } from "./tools";
import { images } from "../../components/versions";

interface RayVerdict {
    name: string;
    errors: string[];
    unchecked: string[];
}

function rayServeChecks(py: string, rayServices: { name: string; serveConfigV2: string }[]): { ray: string; verdicts: RayVerdict[] } {
    const r = spawnSync(py, [path.join(ROOT, "scripts", "parsers", "ray_serve_check.py")], { input: JSON.stringify(rayServices), encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`ray_serve_check.py exited ${r.status}: ${r.stderr.slice(-4000)}`);
    return JSON.parse(r.stdout);
}

describe("parsers: Ray Serve's config model on every RayService", function () {
    this.timeout(600_000);
    let rayPy: string;
    let stacks: CorpusStack[];

    before(async function () {
        rayPy = requireTool(this, "ray-serve");
        stacks = await corpus();
    });

    it("the venv is the pinned Ray version", function () {
        const out = execFileSync(rayPy, ["-c", "import ray; print(ray.__version__)"], { encoding: "utf8", cwd: ROOT }).trim();
        assert.equal(out, images.rayVersion);
        assert.match(fs.readFileSync(path.join(ROOT, "scripts", "tools", "ray-serve.sh"), "utf8"), new RegExp(`RAY_VERSION="${images.rayVersion.replace(/\./g, "\\.")}"`));
    });

    it("every stack and option: ServeDeploySchema accepts the serveConfigV2", function () {
        const items = stacks.flatMap((s) => objects(s, "RayService").map((o) => ({ name: `${s.file}: RayService ${o.metadata?.name}`, serveConfigV2: (o["spec"] as { serveConfigV2: string }).serveConfigV2 })));
        assert.ok(items.length > 0, "no RayService in any stack: the Ray Serve check would check nothing");
        const out = rayServeChecks(rayPy, items);
        assert.equal(out.ray, images.rayVersion);
        const problems = out.verdicts.flatMap((v) => v.errors.map((e) => `${v.name}: ${e}`));
        assert.deepEqual(problems, [], problems.join("\n"));
    });

    it("rejects two applications on one route prefix, and an import path without a module", function () {
        const rs = stacks.flatMap((s) => objects(s, "RayService"))[0] as Record<string, any> | undefined;
        assert.ok(rs, "no RayService in any stack");
        const twice = YAML.parse(rs.spec.serveConfigV2);
        twice.applications.push({ ...twice.applications[0], name: `${twice.applications[0].name}-2` });
        const badImport = YAML.parse(rs.spec.serveConfigV2);
        badImport.applications[0].import_path = "build_openai_app";
        const out = rayServeChecks(rayPy, [
            { name: "twice", serveConfigV2: YAML.stringify(twice) },
            { name: "bad-import", serveConfigV2: YAML.stringify(badImport) },
        ]);
        assert.match(out.verdicts[0].errors.join("\n"), /Found duplicate applications for route prefix/);
        assert.match(out.verdicts[1].errors.join("\n"), /invalid import path/);
    });
});
