/**
 * Lint of the CI workflow, the Pulumi Deployments settings and the environment stack files:
 * parse them and check the triggers, jobs, steps, `uses:` refs and the inputs the flow relies
 * on, so a broken edit fails here instead of on GitHub or in Pulumi Cloud.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ROOT } from "../helpers";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    permissions?: Record<string, string>;
    strategy?: { matrix?: { stack?: string[] } };
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

/** Inputs of the actions this workflow uses (action.yml of pulumi/actions v6 and pulumi/auth-actions v1). */
const KNOWN_INPUTS: Record<string, readonly string[]> = {
    "pulumi/actions": [
        "command", "stack-name", "work-dir", "cloud-url", "comment-on-pr", "comment-on-pr-number", "comment-on-summary", "github-token",
        "refresh", "secrets-provider", "color", "log-verbosity", "log-flow", "debug", "config-map", "diff", "edit-pr-comment",
        "expect-no-changes", "message", "parallel", "policyPacks", "policyPackConfigs", "pulumi-version", "pulumi-version-file",
        "remove", "replace", "target", "target-dependents", "upsert", "exclude-protected", "suppress-outputs", "suppress-progress",
        "omit-stdout", "plan", "always-include-summary", "continue-on-error",
    ],
    "pulumi/auth-actions": ["organization", "requested-token-type", "scope", "token-expiration", "export-environment-variables", "cloud-url"],
    "actions/checkout": ["fetch-depth", "ref", "repository", "path", "token"],
    "actions/setup-node": ["node-version", "node-version-file", "cache", "cache-dependency-path", "registry-url"],
    "actions/upload-artifact": ["name", "path", "retention-days", "if-no-files-found"],
};

const WORKFLOW = path.join(ROOT, ".github", "workflows", "ci.yml");

function loadWorkflow(): Workflow {
    return YAML.parse(fs.readFileSync(WORKFLOW, "utf8")) as Workflow;
}

function action(step: Step): { repo: string; ref: string } | undefined {
    if (!step.uses) return undefined;
    const [repo, ref] = step.uses.split("@");
    return { repo, ref: ref ?? "" };
}

function stepsUsing(job: Job, repo: string): Step[] {
    return job.steps.filter((s) => action(s)?.repo === repo);
}

/** Stacks with a Pulumi.<stack>.yaml in the repo (not the .deploy.yaml settings files). */
function repoStacks(): string[] {
    return fs
        .readdirSync(ROOT)
        .filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f))
        .map((f) => f.slice("Pulumi.".length, -".yaml".length))
        .sort();
}

describe("ops: .github/workflows/ci.yml", () => {
    const wf = loadWorkflow();

    it("runs on pull requests and on pushes to main", () => {
        assert.ok("pull_request" in wf.on, "pull_request trigger");
        const push = wf.on["push"] as { branches?: string[] } | undefined;
        assert.deepEqual(push?.branches, ["main"]);
    });

    it("pins every action to a major version tag or a commit SHA, and uses only inputs the action has", () => {
        for (const [jobName, job] of Object.entries(wf.jobs)) {
            for (const step of job.steps) {
                const a = action(step);
                if (!a) continue;
                assert.match(a.ref, /^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${jobName}: ${step.uses} is not pinned`);
                const known = KNOWN_INPUTS[a.repo];
                assert.ok(known, `${jobName}: ${a.repo} has no known inputs in this test; add them from its action.yml`);
                for (const k of Object.keys(step.with ?? {})) assert.ok(known.includes(k), `${jobName}: ${a.repo} has no input "${k}"`);
            }
        }
        const pulumiRefs = Object.values(wf.jobs).flatMap((j) => stepsUsing(j, "pulumi/actions").map((s) => action(s)!.ref));
        assert.ok(pulumiRefs.length >= 2 && pulumiRefs.every((r) => r === "v6"), `pulumi/actions refs: ${pulumiRefs.join(", ")}`);
    });

    it("job test: npm ci && npm test, then the offline plan of every stack", () => {
        const job = wf.jobs["test"];
        assert.ok(job, "a job named test");
        const runs = job.steps.map((s) => s.run ?? "").join("\n");
        assert.match(runs, /npm ci && npm test/);
        assert.match(runs, /npm run --silent plan -- --stack "\$s"/);
        assert.ok(job.steps.some((s) => action(s)?.repo === "actions/setup-node" && String(s.with?.["node-version"]) === "20"));
    });

    for (const [jobName, command] of [["preview", "preview"], ["up", "up"]] as const) {
        describe(`job ${jobName}`, () => {
            const job = wf.jobs[jobName];

            it("exists, needs the tests, and runs on the right event", () => {
                assert.ok(job, `a job named ${jobName}`);
                assert.equal(job.needs, "test");
                if (jobName === "preview") assert.match(job.if ?? "", /github\.event_name == 'pull_request'/);
                else assert.match(job.if ?? "", /github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'/);
            });

            it("authenticates with GitHub OIDC (id-token: write + pulumi/auth-actions) before Pulumi runs", () => {
                assert.equal(job.permissions?.["id-token"], "write");
                const auth = stepsUsing(job, "pulumi/auth-actions");
                assert.equal(auth.length, 1);
                assert.match(String(auth[0].with?.["organization"]), /^\$\{\{ vars\.PULUMI_ORG \}\}$/);
                assert.match(String(auth[0].with?.["requested-token-type"]), /^urn:pulumi:token-type:access_token:(organization|team|personal)$/);
                const iAuth = job.steps.indexOf(auth[0]);
                const iPulumi = job.steps.indexOf(stepsUsing(job, "pulumi/actions")[0]);
                assert.ok(iAuth >= 0 && iAuth < iPulumi, "auth step comes before pulumi/actions");
            });

            it(`runs pulumi ${command} per stack with the policy pack and the stack's fleet as its config`, () => {
                const stacks = job.strategy?.matrix?.stack ?? [];
                assert.ok(stacks.length > 0, "a stack matrix");
                for (const s of stacks) assert.ok(repoStacks().includes(s), `matrix stack ${s} has no Pulumi.${s}.yaml`);
                const [p] = stepsUsing(job, "pulumi/actions");
                assert.equal(p.with?.["command"], command);
                assert.equal(p.with?.["stack-name"], "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}");
                assert.equal(p.with?.["policyPacks"], "policies");
                assert.ok(fs.existsSync(path.join(ROOT, "policies", "PulumiPolicy.yaml")), "policies/ is a policy pack");
                assert.equal(p.with?.["policyPackConfigs"], "out/${{ matrix.stack }}/policy-config.json");
                // The config file comes from the offline plan of the same stack, run earlier in the job.
                const iPlan = job.steps.findIndex((s) => /npm run --silent plan -- --stack \$\{\{ matrix\.stack \}\}/.test(s.run ?? ""));
                assert.ok(iPlan >= 0 && iPlan < job.steps.indexOf(p), "the plan step writes policy-config.json before pulumi runs");
                assert.ok(job.steps.some((s) => s.run === "npm ci --prefix policies"), "the policy pack's dependencies are installed");
                if (command === "preview") {
                    assert.equal(p.with?.["comment-on-pr"], true);
                    assert.equal(job.permissions?.["pull-requests"], "write");
                }
            });
        });
    }

    it("holds no secrets: Pulumi via OIDC, cluster and tokens via ESC", () => {
        const text = fs.readFileSync(WORKFLOW, "utf8");
        assert.doesNotMatch(text, /secrets\./);
        assert.doesNotMatch(text, /PULUMI_ACCESS_TOKEN:/);
    });
});

/** Field names of Pulumi's apitype.DeploymentSettings (sdk/go/common/apitype/deployments.go). */
const DEPLOY_FIELDS: Record<string, readonly string[]> = {
    settings: ["tag", "executorContext", "sourceContext", "gitHub", "operationContext", "agentPoolID"],
    "settings.sourceContext": ["git"],
    "settings.sourceContext.git": ["repoURL", "branch", "repoDir", "commit", "gitAuth"],
    "settings.gitHub": ["repository", "pullRequestTemplate", "deployCommits", "previewPullRequests", "deployPullRequest", "paths"],
    "settings.operationContext": ["preRunCommands", "operation", "environmentVariables", "options"],
    "settings.operationContext.options": ["skipInstallDependencies", "skipIntermediateDeployments", "shell", "deleteAfterDestroy", "remediateIfDriftDetected"],
    "settings.executorContext": ["workingDirectory", "executorImage"],
};

function checkFields(value: unknown, at: string, problems: string[]): void {
    const allowed = DEPLOY_FIELDS[at];
    if (!allowed || typeof value !== "object" || value === null || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
        if (!allowed.includes(k)) problems.push(`${at}.${k}: not a deployment settings field (allowed: ${allowed.join(", ")})`);
        else checkFields(v, `${at}.${k}`, problems);
    }
}

describe("ops: Pulumi Deployments settings (Pulumi.<stack>.deploy.yaml)", () => {
    const files = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[\w-]+\.deploy\.yaml$/.test(f));

    it("exist for the stacks CI deploys", () => {
        const deployed = loadWorkflow().jobs["up"].strategy?.matrix?.stack ?? [];
        assert.deepEqual(files.map((f) => f.split(".")[1]).sort(), [...deployed].sort());
    });

    for (const f of files) {
        it(`${f}: known fields; PR previews and deploy-on-push from main; the stack's own plan runs first`, () => {
            const stack = f.split(".")[1];
            const doc = YAML.parse(fs.readFileSync(path.join(ROOT, f), "utf8")) as { settings: Record<string, any> };
            const problems: string[] = [];
            checkFields(doc.settings, "settings", problems);
            assert.deepEqual(problems, []);
            const s = doc.settings;
            assert.match(s.sourceContext.git.repoURL, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
            assert.equal(s.sourceContext.git.branch, "refs/heads/main");
            assert.equal(s.gitHub.previewPullRequests, true);
            assert.equal(s.gitHub.deployCommits, true);
            assert.equal(`${s.gitHub.repository}`, s.sourceContext.git.repoURL.replace(/^https:\/\/github\.com\//, "").replace(/\.git$/, ""));
            assert.ok((s.gitHub.paths as string[]).includes(`Pulumi.${stack}.yaml`), "changes to the stack file trigger a deployment");
            assert.equal(s.operationContext.operation, "update");
            assert.deepEqual(s.operationContext.preRunCommands, [`npm run plan -- --stack ${stack}`]);
            assert.ok(fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)));
        });
    }
});

describe("ops: environment stack files", () => {
    it("staging and prod import their ESC environment and keep no secret in the repo", () => {
        for (const stack of ["staging", "prod"]) {
            const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            const doc = YAML.parse(text) as { environment?: string[]; config: Record<string, unknown> };
            assert.deepEqual(doc.environment, [`inference-platform/${stack}`]);
            for (const k of ["hfToken", "ngcApiKey", "kubeconfig"]) assert.equal(doc.config[`inference-platform:${k}`], undefined, `${stack}: ${k} belongs in ESC`);
        }
    });

    it("no stack file in the repo carries a plain-text secret (secret keys are absent or `secure:` ciphertext)", () => {
        const files = [...fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f)), ...fs.readdirSync(path.join(ROOT, "stacks", "examples")).map((f) => path.join("stacks", "examples", f))];
        for (const f of files) {
            const text = fs.readFileSync(path.join(ROOT, f), "utf8");
            assert.doesNotMatch(text, /hf_[A-Za-z0-9]{10,}|nvapi-[A-Za-z0-9_-]{10,}|BEGIN [A-Z ]*PRIVATE KEY|client-key-data|token: [A-Za-z0-9._-]{20,}/, f);
            const config = ((YAML.parse(text) ?? {}) as { config?: Record<string, unknown> }).config ?? {};
            for (const k of ["hfToken", "ngcApiKey", "kubeconfig"]) {
                const v = config[`inference-platform:${k}`];
                if (v === undefined) continue;
                assert.ok(typeof v === "object" && v !== null && typeof (v as { secure?: unknown }).secure === "string", `${f}: ${k} must be set with \`pulumi config set --secret\` (a secure: value), not in plain text`);
            }
        }
    });
});
