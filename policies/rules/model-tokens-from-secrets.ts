import { isObject, obj, objs, str, type JsonObject } from "../lib/json";
import { commandLine } from "../lib/resources";
import { describe, workloadsOf, type Subject } from "../lib/workload";
import type { ResourceRule } from "../lib/rule";

/** Env names that carry Hugging Face / NGC credentials. */
export const TOKEN_ENV = /^(HF_TOKEN|HF_API_TOKEN|HUGGING_FACE_HUB_TOKEN|HUGGINGFACE_HUB_TOKEN|HUGGINGFACE_TOKEN|NGC_API_KEY|NGC_CLI_API_KEY|NVIDIA_API_KEY)$/;
/** Literal token shapes: Hugging Face user tokens and NGC/NVIDIA API keys. */
const RAW_TOKEN = /\bhf_[A-Za-z0-9]{30,}\b|\bnvapi-[A-Za-z0-9_-]{20,}/;
/** Token-bearing flags or assignments on a command line whose value is not a variable reference. */
const ARG_TOKEN = /(--hf[-_]token|--api[-_]key|\b(?:HF_TOKEN|HF_API_TOKEN|HUGGING_FACE_HUB_TOKEN|NGC_API_KEY|NGC_CLI_API_KEY|NVIDIA_API_KEY))[= ]\s*(["']?)(?!\$)([^\s"']+)/;

function mask(v: string): string {
    return v.length <= 4 ? "****" : `${v.slice(0, 4)}…`;
}

/** Rule 10: credentials only through Secret references. */
export const modelTokensFromSecrets: ResourceRule = {
    scope: "resource",
    name: "model-tokens-from-secrets",
    description: "Hugging Face and NGC tokens reach containers only through env valueFrom.secretKeyRef (or envFrom a Secret), never as literal env values, command-line arguments, Helm values or ConfigMap data.",
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps: "Store the token in a Kubernetes Secret and reference it: env {name: HF_TOKEN, valueFrom: {secretKeyRef: {name: hf-token, key: token}}}; rotate any token that was committed or deployed in clear text.",
    fleet: "unused",
    check(subject) {
        const violations: string[] = [];
        const workloads = workloadsOf(subject);
        if (workloads.length > 0) {
            for (const w of workloads) {
                for (const p of w.pods) {
                    for (const c of p.containers) {
                        const at = `${describe(w.ref)}: ${p.role} container "${c.name}" (${p.path})`;
                        for (const e of objs(c.container, "env")) {
                            const name = str(e, "name") ?? "";
                            const value = str(e, "value");
                            if (TOKEN_ENV.test(name)) {
                                if (value !== undefined && value !== "") {
                                    violations.push(`${at} sets env ${name} to a literal value (${mask(value)}): move it to a Secret and use valueFrom.secretKeyRef.`);
                                } else if (obj(e, "valueFrom") && !obj(e, "valueFrom", "secretKeyRef")) {
                                    violations.push(`${at} reads env ${name} from ${Object.keys(obj(e, "valueFrom") ?? {}).join(", ")}, not a Secret: use valueFrom.secretKeyRef.`);
                                }
                            } else if (value !== undefined && RAW_TOKEN.test(value)) {
                                violations.push(`${at} has what looks like a token (${mask(RAW_TOKEN.exec(value)?.[0] ?? value)}) in env ${name}: move it to a Secret and use valueFrom.secretKeyRef.`);
                            }
                        }
                        const cmd = commandLine(c.container);
                        const m = ARG_TOKEN.exec(cmd);
                        if (m) violations.push(`${at} passes ${m[1]} with a literal value (${mask(m[3])}) on its command line, where it is stored in the object and visible in the process list: put the token in a Secret and pass it as env HF_TOKEN/NGC_API_KEY with valueFrom.secretKeyRef.`);
                        else if (RAW_TOKEN.test(cmd)) violations.push(`${at} has what looks like a token (${mask(RAW_TOKEN.exec(cmd)?.[0] ?? "")}) in its command/args: move it to a Secret and use env valueFrom.secretKeyRef.`);
                    }
                }
            }
        }
        if (subject.form === "k8s" && subject.kind === "Secret") return { violations };
        // Everything else (Helm values, ConfigMaps, CRs): no literal token anywhere. Workload containers were checked above.
        const root = subject.form === "helm" ? subject.values : subject.body;
        const base = subject.form === "helm" ? "values" : "";
        for (const path of literalTokens(root, base, workloads.length > 0 ? subject : undefined)) {
            violations.push(`${describe(subject.ref)}: ${path.path} holds a literal credential (${mask(path.value)}): keep tokens in a Secret and reference it (e.g. modelArtifacts.authSecretName, env valueFrom.secretKeyRef).`);
        }
        return { violations };
    },
};

/** Paths of literal tokens below `v`: raw token shapes anywhere, and `{name: HF_TOKEN, value: "…"}` env entries. */
function literalTokens(v: unknown, path: string, skipContainersOf?: Subject): { path: string; value: string }[] {
    const out: { path: string; value: string }[] = [];
    const walk = (x: unknown, p: string): void => {
        if (typeof x === "string") {
            const m = RAW_TOKEN.exec(x);
            if (m) out.push({ path: p || "(root)", value: m[0] });
        } else if (Array.isArray(x)) {
            x.forEach((y, i) => walk(y, `${p}[${i}]`));
        } else if (isObject(x)) {
            const o = x as JsonObject;
            if (skipContainersOf && ("containers" in o || "initContainers" in o || "model" in o || "env" in o)) {
                // Container specs of a workload were already checked field by field.
                for (const [k, y] of Object.entries(o)) if (!["containers", "initContainers", "model", "env", "args", "command"].includes(k)) walk(y, p ? `${p}.${k}` : k);
                return;
            }
            const name = str(o, "name");
            const value = str(o, "value");
            if (name && TOKEN_ENV.test(name) && value) {
                out.push({ path: p, value });
                return;
            }
            for (const [k, y] of Object.entries(o)) walk(y, p ? `${p}.${k}` : k);
        }
    };
    walk(v, path);
    return out;
}
