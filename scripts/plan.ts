/**
 * Offline plan: `npm run plan -- --stack <name> [--out <dir>] [--charts <dir>]` or `--config <file>`.
 * Runs the real program on Pulumi's mock engine (no CLI, no cluster) and writes
 * resources.json, manifests/, plan.md, plan.json, plan.svg and policy-config.json (the guardrail
 * pack's config for the stack's fleet) to out/<name>/, and prints the
 * placement table. With helm built (scripts/tools/helm.sh) it also renders every Helm release
 * (rendered/<release>.yaml) from a local chart — `platform.sources.charts` paths, or
 * `<chart>-<version>.tgz` in the `--charts` directory — and writes images.txt, every image the
 * stack pulls. Exit 1 on bad config (nothing written).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../stacks/config/load";
import { exitWhenFlushed } from "./exit";
import { renderSvg, startGraphviz } from "../stacks/plan/diagram";
import { planExtras } from "../stacks/plan/extras";
import { installMockEngine } from "../stacks/plan/mock-engine";
import { runGuardrails } from "../stacks/plan/guardrails";
import { planStack, readStackFile, StackFileError, writePlan } from "../stacks/plan/plan";
import { findHelmAsync } from "../stacks/plan/render";
import { renderStackPlan } from "../stacks/plan/inventory";

const USAGE = "usage: npm run plan -- (--stack <name> | --config <file>) [--out <dir>] [--charts <dir of <chart>-<version>.tgz>]";

interface PlanArgs {
    stack?: string;
    config?: string;
    out?: string;
    charts?: string;
    help?: boolean;
}

function parseArgs(argv: string[]): PlanArgs {
    const out: PlanArgs = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [flag, inline] = a.includes("=") ? a.split("=", 2) : [a, undefined];
        const value = () => inline ?? argv[++i];
        if (flag === "--stack" || flag === "-s") out.stack = value();
        else if (flag === "--config" || flag === "-c") out.config = value();
        else if (flag === "--out" || flag === "-o") out.out = value();
        else if (flag === "--charts") out.charts = value();
        else if (flag === "--help" || flag === "-h") {
            out.help = true;
            return out;
        } else throw new StackFileError(`unknown argument "${a}"\n${USAGE}`);
    }
    if (!out.stack && !out.config) throw new StackFileError(`give --stack <name> or --config <file>\n${USAGE}`);
    return out;
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    const file = args.config ?? path.join(process.cwd(), `Pulumi.${args.stack}.yaml`);
    const sf = readStackFile(file, args.stack);
    // Off the main thread while the program runs: Graphviz loads in its worker thread (plan.svg),
    // and helm is looked up (scripts/tools/helm.sh --path).
    startGraphviz();
    const helm = findHelmAsync();
    const recorder = installMockEngine({ stack: sf.name });
    const result = await planStack(sf, recorder);
    const extras = await planExtras(result, { svg: false });
    // plan.svg is laid out in the worker while the guardrails and the rendering run here.
    const svg = renderSvg(extras.dot);
    svg.catch(() => undefined); // awaited below, where its error is reported
    const outDir = args.out ?? path.join("out", sf.name);
    // The same guardrails `pulumi preview --policy-pack policies` runs, with this stack's fleet.
    const guardrails = runGuardrails(result.resources, result.config.fleet);
    if (args.charts && !fs.existsSync(args.charts)) throw new StackFileError(`--charts ${args.charts}: no such directory`);
    const rendered = renderStackPlan(result, { chartsDir: args.charts, helm: (await helm) ?? null });
    const written = writePlan(outDir, result, {
        ...extras.files,
        "plan.svg": await svg,
        ...rendered.files,
        "guardrails.json": JSON.stringify(guardrails.findings, null, 2) + "\n",
    });
    console.log(`planned stack "${sf.name}" from ${path.relative(process.cwd(), file) || file}: ${result.resources.length} registrations, ${extras.graph.nodes.length} components`);
    console.log("");
    console.log(extras.table);
    console.log("");
    console.log(`wrote ${written.length} files to ${outDir}/ (resources.json, manifests/, plan.md, plan.json, plan.svg, policy-config.json, guardrails.json, images.txt${rendered.files && Object.keys(rendered.files).some((f) => f.startsWith("rendered")) ? ", rendered/" : ""})`);
    for (const line of rendered.summary) console.log(line);
    const mandatory = guardrails.findings.filter((f) => f.enforcement === "mandatory");
    const advisory = guardrails.findings.filter((f) => f.enforcement === "advisory");
    console.log(`guardrails: ${mandatory.length} mandatory, ${advisory.length} advisory finding(s)`);
    for (const f of guardrails.findings) {
        (f.enforcement === "mandatory" ? console.error : console.log)(`  [${f.enforcement}] ${f.policy}: ${f.kind} ${f.namespace ? f.namespace + "/" : ""}${f.name}: ${f.message}`);
    }
    // The plan is written either way (so it can be inspected); a mandatory violation fails the command.
    return mandatory.length > 0 ? 1 : 0;
}

process.on("unhandledRejection", (e) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    exitWhenFlushed(1);
});

main().then(
    (code) => exitWhenFlushed(code),
    (e: unknown) => {
        if (e instanceof ConfigError) console.error(`invalid stack config:\n${e.message}`);
        else if (e instanceof StackFileError) console.error(`error: ${e.message}`);
        else console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
        exitWhenFlushed(1);
    },
);
