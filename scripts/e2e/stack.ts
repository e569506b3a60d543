/**
 * Real-engine e2e driver (called by scripts/e2e.sh): runs one Pulumi operation on an e2e stack
 * through the Automation API with an INLINE program that is the project's own `program()`
 * (stacks/program.ts, what index.ts runs), against the built Pulumi CLI.
 *
 *   npx tsx scripts/e2e/stack.ts <preview|up|destroy> --stack NAME --config stacks/e2e/e2e.yaml \
 *       [--policy-pack DIR] [--violate tensor-parallel]
 *
 * Why inline: the Node.js language host cannot be built here (the Go module proxy refuses it), so
 * `pulumi preview` cannot start a Node.js program from Pulumi.yaml; the Automation API serves the
 * program from this process (the CLI's `--client` flag) instead. Everything else is the real CLI,
 * the real Kubernetes provider and, with --policy-pack, the real CrossGuard pack (with the stack's
 * fleet as its policy config, as `npm run plan` writes it).
 *
 * Config: the stack file's `inference-platform:*` keys are set on the stack with setAllConfig;
 * secrets are set with `secret: true`: `kubeconfig` = contents of $E2E_KUBECONFIG, `hfToken` =
 * $E2E_HF_TOKEN. The workspace lives in $E2E_WORK/project (never the repository root: a
 * Pulumi.<stack>.yaml there would be planned by the tests).
 *
 * Prints one JSON object on stdout: {op, stack, ok, seconds, changes?, outputs?, policyViolations?,
 * error?}; the CLI's own output goes to stderr. Exit 0 when the operation succeeded, 2 when the
 * CLI failed (the error text is in `error`), 1 on a usage or setup problem.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigMap, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { CONFIG_NAMESPACE, parseStackConfig } from "../../stacks/config";
import { readStackFile, splitConfig } from "../../stacks/offline/plan";
import { policyPackConfig } from "../../stacks/offline/extras";
import { program } from "../../stacks/program";

const OPS = ["preview", "up", "destroy"] as const;
type Op = (typeof OPS)[number];
/** Bad changes the e2e expects the policy pack to block (each breaks a mandatory GPU rule). */
const VIOLATIONS = {
    /** models[0] asks vLLM for tensor parallel 2 in a 1-GPU pod: rule parallelism-matches-topology. */
    "tensor-parallel": (structured: Record<string, unknown>) => {
        const models = structured["models"] as Array<Record<string, unknown>>;
        const m = models[0];
        m["extraArgs"] = [...((m["extraArgs"] as string[] | undefined) ?? []), "--tensor-parallel-size", "2"];
    },
} as const;

interface Args {
    op: Op;
    stack: string;
    config: string;
    policyPack?: string;
    violate?: keyof typeof VIOLATIONS;
}

function usage(msg: string): never {
    process.stderr.write(`stack.ts: ${msg}\nusage: stack.ts <${OPS.join("|")}> --stack NAME --config FILE [--policy-pack DIR] [--violate ${Object.keys(VIOLATIONS).join("|")}]\n`);
    process.exit(1);
}

function parseArgs(argv: string[]): Args {
    const [op, ...rest] = argv;
    if (!(OPS as readonly string[]).includes(op)) usage(`unknown operation "${op ?? ""}"`);
    const flags: Record<string, string> = {};
    for (let i = 0; i < rest.length; i += 2) {
        const k = rest[i];
        const v = rest[i + 1];
        if (!k?.startsWith("--") || v === undefined) usage(`bad argument "${k}"`);
        flags[k.slice(2)] = v;
    }
    for (const k of Object.keys(flags)) if (!["stack", "config", "policy-pack", "violate"].includes(k)) usage(`unknown flag --${k}`);
    if (!flags["stack"] || !flags["config"]) usage("--stack and --config are required");
    const violate = flags["violate"];
    if (violate !== undefined && !(violate in VIOLATIONS)) usage(`--violate: got "${violate}"; allowed: ${Object.keys(VIOLATIONS).join(", ")}`);
    return { op: op as Op, stack: flags["stack"], config: flags["config"], policyPack: flags["policy-pack"], violate: violate as keyof typeof VIOLATIONS | undefined };
}

function env(name: string): string {
    const v = process.env[name];
    if (!v) usage(`environment variable ${name} is not set (scripts/e2e.sh sets it)`);
    return v;
}

async function openStack(a: Args, work: string): Promise<{ stack: Stack; policyConfig: string }> {
    const sf = readStackFile(a.config, a.stack);
    const { structured, ignored } = splitConfig(sf);
    if (ignored.length > 0) usage(`${a.config}: keys outside ${CONFIG_NAMESPACE}: are not used by the e2e: ${ignored.join(", ")}`);
    if (a.violate) VIOLATIONS[a.violate](structured);
    const parsed = parseStackConfig(structured); // fail here, with config paths, before the CLI starts
    const cliPath = env("E2E_PULUMI");
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(cliPath)), version: undefined });
    const workDir = path.join(work, "project");
    fs.mkdirSync(workDir, { recursive: true });
    const ws = await LocalWorkspace.create({
        workDir,
        pulumiCommand,
        program: async () => {
            const out = program();
            return { namespace: out.namespace, endpoints: out.endpoints };
        },
        projectSettings: { name: CONFIG_NAMESPACE, runtime: "nodejs", description: "inference-platform real-engine e2e (inline program)" },
    });
    const stack = await Stack.createOrSelect(a.stack, ws);
    const cfg: ConfigMap = {};
    for (const [k, v] of Object.entries(structured)) cfg[`${CONFIG_NAMESPACE}:${k}`] = { value: JSON.stringify(v) };
    cfg[`${CONFIG_NAMESPACE}:kubeconfig`] = { value: fs.readFileSync(env("E2E_KUBECONFIG"), "utf8"), secret: true };
    cfg[`${CONFIG_NAMESPACE}:hfToken`] = { value: env("E2E_HF_TOKEN"), secret: true };
    await stack.setAllConfig(cfg);
    const policyConfig = path.join(work, `policy-config.${a.stack}.json`);
    fs.writeFileSync(policyConfig, JSON.stringify(policyPackConfig(parsed.fleet), null, 2) + "\n");
    return { stack, policyConfig };
}

async function main(): Promise<void> {
    const a = parseArgs(process.argv.slice(2));
    const work = env("E2E_WORK");
    const { stack, policyConfig } = await openStack(a, work);
    const policy = a.policyPack ? { policyPacks: [path.resolve(a.policyPack)], policyPackConfigs: [policyConfig] } : {};
    const policyViolations: { policy: string; level: string; message: string }[] = [];
    const onEvent = (e: EngineEvent) => {
        const p = e.policyEvent;
        if (p) policyViolations.push({ policy: p.policyName, level: p.enforcementLevel, message: p.message });
    };
    const onOutput = (s: string) => process.stderr.write(s);
    const t0 = Date.now();
    const result: Record<string, unknown> = { op: a.op, stack: a.stack };
    try {
        if (a.op === "preview") {
            const r = await stack.preview({ ...policy, onOutput, onEvent });
            result["changes"] = r.changeSummary;
        } else if (a.op === "up") {
            const r = await stack.up({ ...policy, onOutput, onEvent });
            result["changes"] = r.summary.resourceChanges ?? {};
            result["outputs"] = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
        } else {
            const r = await stack.destroy({ onOutput });
            result["changes"] = r.summary.resourceChanges ?? {};
        }
        result["ok"] = true;
    } catch (e) {
        result["ok"] = false;
        result["error"] = e instanceof Error ? e.message : String(e);
    }
    result["seconds"] = Math.round((Date.now() - t0) / 100) / 10;
    result["policyViolations"] = policyViolations;
    process.stdout.write(JSON.stringify(result) + "\n");
    process.exitCode = result["ok"] ? 0 : 2;
}

main().catch((e: unknown) => {
    process.stderr.write(`stack.ts: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
});
