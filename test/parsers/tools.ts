/**
 * Tools the parser tier runs: Go-built checkers from the tool cache (recipes in scripts/tools/,
 * `--path` never builds) and `helm template` of a planned release with the pinned chart archive
 * in ../shared/charts. A missing tool skips the test with a loud message, except on CI
 * (`process.env.CI`), where it fails: CI builds every tool first (`npm run tools`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { ROOT } from "../helpers";
import type { HelmReleaseDoc, K8sObject } from "./corpus";

/** The binary a tool recipe has built (or $<TOOL>, e.g. $HELM), or undefined (never builds). */
export function toolPath(recipe: string): string | undefined {
    const env = process.env[recipe.toUpperCase().replace(/-/g, "_")];
    if (env && fs.existsSync(env)) return env;
    const script = path.join(ROOT, "scripts", "tools", `${recipe}.sh`);
    if (!fs.existsSync(script)) return undefined;
    const r = spawnSync("bash", [script, "--path"], { encoding: "utf8" });
    const p = r.stdout.trim();
    return r.status === 0 && p && fs.existsSync(p) ? p : undefined;
}

/** The tool's binary, or skip (fail on CI) with how to build it. */
export function requireTool(ctx: Mocha.Context, recipe: string): string {
    const p = toolPath(recipe);
    if (p) return p;
    const msg = `${recipe} is not built: run \`bash scripts/tools/${recipe}.sh\` (or \`npm run tools\`) once; it builds into the tool cache`;
    if (process.env["CI"]) throw new Error(`${msg} — on CI every tool must be built before the tests`);
    console.warn(`      SKIPPED (${msg})`);
    ctx.skip();
    throw new Error("unreachable");
}

export function sharedChartsDir(): string {
    return path.resolve(ROOT, "..", "shared", "charts");
}

/** The pinned chart archive of a release: ../shared/charts/<chart>-<version>.tgz. */
export function chartArchive(rel: HelmReleaseDoc): string {
    const name = String(rel.chart).split("/").pop()!;
    const dir = sharedChartsDir();
    for (const v of [rel.version, `v${String(rel.version).replace(/^v/, "")}`, String(rel.version).replace(/^v/, "")]) {
        const f = path.join(dir, `${name}-${v}.tgz`);
        if (fs.existsSync(f)) return f;
    }
    throw new Error(`no chart archive for ${name} ${rel.version} in ${dir}`);
}

/** `helm template` of a planned release with its pinned chart; the objects it renders. */
export function helmTemplate(helm: string, rel: HelmReleaseDoc, kubeVersion = "1.34"): K8sObject[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parsers-helm-"));
    try {
        const values = path.join(dir, "values.json");
        fs.writeFileSync(values, JSON.stringify(rel.values ?? {}));
        const r = spawnSync(
            helm,
            ["template", rel.releaseName, chartArchive(rel), "--namespace", rel.namespace ?? "default", "--values", values, "--kube-version", kubeVersion],
            { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        );
        if (r.status !== 0) throw new Error(`helm template ${rel.releaseName} failed: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`);
        return YAML.parseAllDocuments(r.stdout)
            .map((d) => d.toJS() as K8sObject | null)
            .filter((d): d is K8sObject => d !== null && typeof d === "object" && typeof d.kind === "string");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
