/**
 * The objects the component-validator tier checks: every shipped stack (Pulumi.*.yaml,
 * stacks/examples/*.yaml) planned offline, plus option variants of each that switch on what the
 * shipped files leave off (autoscaling on every model, so every engine's and serving mode's
 * ScaledObject / KPA path is generated). A variant the config validation refuses is dropped (a
 * clear config error is the expected outcome there, covered by the bad-input tier).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { sharedRecorder } from "../setup";
import { planStack, readStackFile, renderManifests, StackFile } from "../../stacks/offline/plan";
import { ConfigError } from "../../stacks/config";
import { ROOT, stackFiles } from "../helpers";

export interface CorpusStack {
    /** stack file, plus ` [variant]` for option variants */
    label: string;
    objects: Record<string, any>[];
}

type Variant = { name: string; apply: (sf: StackFile) => StackFile | undefined };

const MODELS = "inference-platform:models";

const VARIANTS: Variant[] = [
    {
        // Every model autoscaled with its default query (engine ScaledObject, KServe KEDA or KPA,
        // Ray Serve autoscaling_config).
        name: "autoscaling on every model",
        apply: (sf) => {
            const models = sf.config[MODELS];
            if (!Array.isArray(models) || models.length === 0) return undefined;
            if (models.every((m) => (m as Record<string, unknown>)["autoscaling"])) return undefined;
            const next = models.map((m) => {
                const mm = m as Record<string, unknown>;
                return mm["autoscaling"] ? mm : { ...mm, autoscaling: { min: 1, max: 3, target: 4 } };
            });
            return { ...sf, config: { ...sf.config, [MODELS]: next } };
        },
    },
];

async function objectsOf(sf: StackFile): Promise<Record<string, any>[]> {
    const result = await planStack(sf, sharedRecorder());
    return renderManifests(result.resources)
        .filter((m) => m.kind === "object")
        .map((m) => m.doc as Record<string, any>);
}

let cached: Promise<CorpusStack[]> | undefined;

export function corpus(): Promise<CorpusStack[]> {
    cached ??= (async () => {
        const out: CorpusStack[] = [];
        for (const file of stackFiles()) {
            const sf = readStackFile(path.resolve(ROOT, file));
            out.push({ label: file, objects: await objectsOf(sf) });
            for (const v of VARIANTS) {
                const vsf = v.apply(sf);
                if (!vsf) continue;
                try {
                    out.push({ label: `${file} [${v.name}]`, objects: await objectsOf(vsf) });
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                }
            }
        }
        return out;
    })();
    return cached;
}

/**
 * A tool recipe's output path (scripts/tools/<recipe> --path, never builds), or undefined: the
 * caller skips with a loud message — except on CI, where every tool must exist and this throws.
 */
export function tool(recipe: string): string | undefined {
    const r = spawnSync("bash", [path.join(ROOT, "scripts", "tools", recipe), "--path"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
    const msg = `scripts/tools/${recipe} has not been built: run \`npm run tools\` (or \`bash scripts/tools/${recipe}\`)`;
    if (process.env["CI"]) throw new Error(`${msg}; on CI every tool must exist`);
    console.warn(`\n  !!! SKIPPING component-validator checks: ${msg}\n`);
    return undefined;
}
