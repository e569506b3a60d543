/**
 * Writes the config of an e2e stack into the throwaway copy of the repository that the real
 * `pulumi` CLI runs (scripts/e2e.sh): `Pulumi.<stack>.yaml` there gets the `config:` of an e2e
 * stack file (stacks/e2e/*.yaml) next to the `encryptionsalt` that `pulumi stack init` wrote, and
 * the CrossGuard pack's config for the stack's fleet goes next to it (what `npm run plan` writes).
 *
 *   npx tsx scripts/e2e/stackfile.ts --config stacks/e2e/platform.yaml --project DIR --stack NAME \
 *       --policy-config FILE [--manifest KEY=FILE]... [--violate tensor-parallel]
 *
 * - `secure:` entries of the e2e file (placeholders so that the offline plan works) are dropped:
 *   the e2e sets every secret with `pulumi config set --secret`.
 * - Relative local paths in `platform.sources.charts.<key>.chart` and `platform.sources.manifests.<key>.url`
 *   are relative to the repository root; they are made absolute, so that they resolve from the
 *   throwaway copy (which lives in a temp dir).
 * - `--manifest KEY=FILE` sets `platform.sources.manifests.KEY.url` (the e2e's offline stand-ins for
 *   release bundles that are only on the internet).
 * - `--violate` applies a bad change the policy pack must block.
 *
 * The config is validated (parseStackConfig) before anything is written; a bad file fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { CONFIG_NAMESPACE, parseStackConfig } from "../../stacks/config/load";
import { readStackFile, splitConfig } from "../../stacks/plan/plan";
import { policyPackConfig } from "../../stacks/plan/extras";
import { isLocalPath } from "../../components/common/helm";

const ROOT = path.resolve(__dirname, "../..");

/** Bad changes the e2e expects the policy pack to block (each breaks a mandatory GPU rule). */
export const VIOLATIONS = {
    /** models[0] asks vLLM for tensor parallel 2 in a 1-GPU pod: rule parallelism-matches-topology. */
    "tensor-parallel": (structured: Record<string, unknown>) => {
        const models = structured["models"] as Array<Record<string, unknown>>;
        const m = models[0];
        m["extraArgs"] = [...((m["extraArgs"] as string[] | undefined) ?? []), "--tensor-parallel-size", "2"];
    },
} as const;

function usage(msg: string): never {
    process.stderr.write(
        `stackfile.ts: ${msg}\nusage: stackfile.ts --config FILE --project DIR --stack NAME --policy-config FILE [--manifest KEY=FILE]... [--violate ${Object.keys(VIOLATIONS).join("|")}]\n`,
    );
    process.exit(1);
}

const isRelativeLocal = (p: string) => isLocalPath(p) && !path.isAbsolute(p) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p);

/** Makes relative local chart/manifest paths under platform.sources absolute (against `root`). */
export function absoluteSources(structured: Record<string, unknown>, root: string): string[] {
    const changed: string[] = [];
    const platform = structured["platform"] as { sources?: { charts?: Record<string, { chart?: string }>; manifests?: Record<string, { url?: string }> } } | undefined;
    for (const [k, c] of Object.entries(platform?.sources?.charts ?? {})) {
        if (c.chart && isRelativeLocal(c.chart)) {
            c.chart = path.resolve(root, c.chart);
            changed.push(`platform.sources.charts.${k}.chart`);
        }
    }
    for (const [k, m] of Object.entries(platform?.sources?.manifests ?? {})) {
        if (m.url && !/^[a-z][a-z0-9+.-]*:\/\//i.test(m.url) && !path.isAbsolute(m.url)) {
            m.url = path.resolve(root, m.url);
            changed.push(`platform.sources.manifests.${k}.url`);
        }
    }
    return changed;
}

function main(): void {
    const argv = process.argv.slice(2);
    const flags: Record<string, string> = {};
    const manifestsArg: string[] = [];
    for (let i = 0; i < argv.length; i += 2) {
        const k = argv[i];
        const v = argv[i + 1];
        if (!k?.startsWith("--") || v === undefined) usage(`bad argument "${k}"`);
        if (k === "--manifest") manifestsArg.push(v);
        else flags[k.slice(2)] = v;
    }
    for (const k of Object.keys(flags)) if (!["config", "project", "stack", "policy-config", "violate"].includes(k)) usage(`unknown flag --${k}`);
    for (const k of ["config", "project", "stack", "policy-config"]) if (!flags[k]) usage(`--${k} is required`);
    const violate = flags["violate"];
    if (violate !== undefined && !(violate in VIOLATIONS)) usage(`--violate: got "${violate}"; allowed: ${Object.keys(VIOLATIONS).join(", ")}`);

    const sf = readStackFile(path.resolve(ROOT, flags["config"]), flags["stack"]);
    const { structured, ignored } = splitConfig(sf);
    if (ignored.length > 0) usage(`${flags["config"]}: keys outside ${CONFIG_NAMESPACE}: are not used by the e2e: ${ignored.join(", ")}`);
    if (violate) VIOLATIONS[violate as keyof typeof VIOLATIONS](structured);
    const changed = absoluteSources(structured, ROOT);
    for (const m of manifestsArg) {
        const eq = m.indexOf("=");
        if (eq <= 0) usage(`--manifest: got "${m}"; allowed: KEY=FILE`);
        const platform = (structured["platform"] ??= {}) as Record<string, unknown>;
        const sources = (platform["sources"] ??= {}) as Record<string, unknown>;
        const manifests = (sources["manifests"] ??= {}) as Record<string, unknown>;
        manifests[m.slice(0, eq)] = { url: path.resolve(m.slice(eq + 1)) };
        changed.push(`platform.sources.manifests.${m.slice(0, eq)}.url`);
    }
    // Fail here, with config paths, before the CLI starts (chart archives included: the working
    // directory is the throwaway project, as for the program).
    process.chdir(flags["project"]);
    const parsed = parseStackConfig(structured);

    const file = path.join(flags["project"], `Pulumi.${flags["stack"]}.yaml`);
    const existing = fs.existsSync(file) ? ((parse(fs.readFileSync(file, "utf8")) as Record<string, unknown> | null) ?? {}) : {};
    const config: Record<string, unknown> = { ...((existing["config"] as Record<string, unknown> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(structured)) config[`${CONFIG_NAMESPACE}:${k}`] = v;
    fs.writeFileSync(file, stringify({ ...existing, config }));
    fs.writeFileSync(flags["policy-config"], JSON.stringify(policyPackConfig(parsed.fleet), null, 2) + "\n");
    process.stderr.write(`stackfile.ts: wrote ${file} (${Object.keys(structured).length} config keys${changed.length ? `; made absolute: ${changed.length} source paths` : ""})\n`);
}

if (require.main === module) main();
