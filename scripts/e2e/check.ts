/**
 * API-server checks of the e2e (scripts/e2e.sh) against a Pulumi state export, as the admin user
 * of the loopback API server (E2E_API_URL, E2E_CA, E2E_CLIENT_CERT, E2E_CLIENT_KEY).
 *
 *   npx tsx scripts/e2e/check.ts installed --state STATE.json   # after `pulumi up`
 *   npx tsx scripts/e2e/check.ts destroyed --state STATE.json   # after `pulumi destroy` (STATE = the export before it)
 *
 * installed:
 *   - every CustomResourceDefinition in the cluster is Established (and its names accepted);
 *   - every Kubernetes object in the state exists in the API server under its kind and name (so
 *     the API server admitted it: schema, CEL `x-kubernetes-validations`, admission); for custom
 *     resources, every field the program set is still there with the value it set (nothing was
 *     pruned as unknown to the CRD's structural schema);
 *   - every Helm release in the state is `deployed` (its release Secret says so).
 * destroyed:
 *   - every object the state marks `retainOnDelete` is still there and not being deleted (CRDs
 *     still Established, operator namespaces Active);
 *   - every other object is gone, or being deleted (namespaces: no kube-controller-manager runs
 *     here to finish that); every Helm release that was not retained is uninstalled.
 * Prints a JSON summary on stdout; problems go to stderr, one per line; exit 1 when there are any.
 */
import * as fs from "node:fs";
import * as https from "node:https";

interface StateResource {
    urn: string;
    type: string;
    custom?: boolean;
    retainOnDelete?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

interface Crd {
    metadata: { name: string; deletionTimestamp?: string };
    spec: { group: string; names: { kind: string; plural: string }; scope: string; versions: { name: string }[] };
    status?: { conditions?: { type: string; status: string }[] };
}

function env(name: string): string {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set (scripts/e2e.sh sets it)`);
    return v;
}

const agent = new https.Agent({
    ca: fs.readFileSync(env("E2E_CA")),
    cert: fs.readFileSync(env("E2E_CLIENT_CERT")),
    key: fs.readFileSync(env("E2E_CLIENT_KEY")),
    keepAlive: true,
});
const base = env("E2E_API_URL");

function get(path: string): Promise<{ code: number; body: unknown }> {
    return new Promise((resolve, reject) => {
        const req = https.get(base + path, { agent, timeout: 20_000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                let body: unknown = text;
                try {
                    body = JSON.parse(text);
                } catch {
                    /* not JSON */
                }
                resolve({ code: res.statusCode ?? 0, body });
            });
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${path}: timeout`)));
        req.on("error", reject);
    });
}

async function getOk(path: string): Promise<Record<string, unknown>> {
    const r = await get(path);
    if (r.code !== 200) throw new Error(`GET ${path}: HTTP ${r.code}`);
    return r.body as Record<string, unknown>;
}

/** apiVersion → kind → {plural, namespaced}, from API discovery (cached per group version). */
const discovery = new Map<string, Map<string, { plural: string; namespaced: boolean }>>();
async function resourceOf(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean } | undefined> {
    if (!discovery.has(apiVersion)) {
        const r = await get(apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
        const m = new Map<string, { plural: string; namespaced: boolean }>();
        if (r.code === 200) {
            for (const res of (r.body as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources) {
                if (!res.name.includes("/")) m.set(res.kind, { plural: res.name, namespaced: res.namespaced });
            }
        }
        discovery.set(apiVersion, m);
    }
    return discovery.get(apiVersion)!.get(kind);
}

function objectPath(apiVersion: string, plural: string, namespaced: boolean, ns: string | undefined, name: string): string {
    const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return namespaced ? `${root}/namespaces/${ns ?? "default"}/${plural}/${name}` : `${root}/${plural}/${name}`;
}

/** Paths under `want` whose values differ from (or are missing in) `have`. */
export function missingFields(want: unknown, have: unknown, at = ""): string[] {
    if (want === null || want === undefined) return [];
    if (Array.isArray(want)) {
        if (!Array.isArray(have) || have.length !== want.length) return [`${at || "."} (${Array.isArray(have) ? `${have.length} items` : "missing"}, want ${want.length} items)`];
        return want.flatMap((w, i) => missingFields(w, have[i], `${at}[${i}]`));
    }
    if (typeof want === "object") {
        if (typeof have !== "object" || have === null || Array.isArray(have)) return [`${at || "."} (missing)`];
        return Object.entries(want as Record<string, unknown>).flatMap(([k, w]) => missingFields(w, (have as Record<string, unknown>)[k], `${at}.${k}`));
    }
    // Scalars: the API server keeps a custom resource's values as sent (numbers may come back as numbers for strings of digits only via int-or-string).
    return String(want) === String(have) ? [] : [`${at} (${JSON.stringify(have)}, want ${JSON.stringify(want)})`];
}

interface K8sObject {
    urn: string;
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
    retain: boolean;
    inputs: Record<string, unknown>;
}

function objectsOf(state: StateResource[]): { objects: K8sObject[]; releases: StateResource[] } {
    const objects: K8sObject[] = [];
    const releases: StateResource[] = [];
    for (const r of state) {
        if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("pulumi:providers:")) continue;
        if (r.type === "kubernetes:helm.sh/v3:Release") {
            releases.push(r);
            continue;
        }
        const o = r.outputs ?? {};
        const meta = (o["metadata"] ?? {}) as { name?: string; namespace?: string };
        if (typeof o["apiVersion"] !== "string" || typeof o["kind"] !== "string" || !meta.name) continue;
        objects.push({ urn: r.urn, apiVersion: o["apiVersion"], kind: o["kind"], name: meta.name, namespace: meta.namespace, retain: r.retainOnDelete === true, inputs: r.inputs ?? {} });
    }
    return { objects, releases };
}

const established = (c: Crd) => (c.status?.conditions ?? []).some((x) => x.type === "Established" && x.status === "True");

async function crds(): Promise<Crd[]> {
    return ((await getOk("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")) as { items: Crd[] }).items;
}

async function releaseStatus(r: StateResource): Promise<string | undefined> {
    const o = r.outputs ?? {};
    const name = (o["name"] ?? r.inputs?.["name"]) as string;
    const ns = (o["namespace"] ?? r.inputs?.["namespace"]) as string;
    const list = (await getOk(`/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${name}`)}`)) as {
        items: { metadata: { labels: Record<string, string> } }[];
    };
    const latest = list.items.sort((a, b) => Number(b.metadata.labels["version"]) - Number(a.metadata.labels["version"]))[0];
    return latest?.metadata.labels["status"];
}

const releaseName = (r: StateResource) => `${(r.outputs?.["namespace"] ?? r.inputs?.["namespace"]) as string}/${(r.outputs?.["name"] ?? r.inputs?.["name"]) as string}`;

async function installed(state: StateResource[]): Promise<{ problems: string[]; summary: Record<string, unknown> }> {
    const problems: string[] = [];
    const all = await crds();
    const crdKinds = new Map(all.map((c) => [`${c.spec.group}/${c.spec.names.kind}`, c]));
    for (const c of all) if (!established(c)) problems.push(`CRD ${c.metadata.name} is not Established: ${JSON.stringify(c.status?.conditions ?? [])}`);
    const { objects, releases } = objectsOf(state);
    const byKind: Record<string, number> = {};
    const crByKind: Record<string, number> = {};
    for (const o of objects) {
        const res = await resourceOf(o.apiVersion, o.kind);
        if (!res) {
            problems.push(`${o.kind} ${o.name}: the API server does not serve ${o.apiVersion} ${o.kind}`);
            continue;
        }
        const r = await get(objectPath(o.apiVersion, res.plural, res.namespaced, o.namespace, o.name));
        const id = `${o.apiVersion} ${o.kind} ${o.namespace ? o.namespace + "/" : ""}${o.name}`;
        if (r.code !== 200) {
            problems.push(`${id}: HTTP ${r.code} (in the state, not in the API server)`);
            continue;
        }
        byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;
        const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
        if (crdKinds.has(`${group}/${o.kind}`)) {
            crByKind[`${o.kind}.${group}`] = (crByKind[`${o.kind}.${group}`] ?? 0) + 1;
            const live = r.body as Record<string, unknown>;
            for (const field of Object.keys(o.inputs).filter((k) => !["apiVersion", "kind", "metadata"].includes(k))) {
                const diff = missingFields(o.inputs[field], live[field], field);
                if (diff.length > 0) problems.push(`${id}: the API server does not hold what the program set (pruned or defaulted away): ${diff.slice(0, 5).join(", ")}`);
            }
        }
    }
    const releaseStates: Record<string, string> = {};
    for (const rel of releases) {
        const s = (await releaseStatus(rel)) ?? "missing";
        releaseStates[releaseName(rel)] = s;
        if (s !== "deployed") problems.push(`Helm release ${releaseName(rel)}: ${s}, expected deployed`);
    }
    return {
        problems,
        summary: {
            crds: all.length,
            crdsEstablished: all.filter(established).length,
            objects: objects.length,
            objectsByKind: byKind,
            customResources: Object.values(crByKind).reduce((a, b) => a + b, 0),
            customResourcesByKind: crByKind,
            releases: releaseStates,
        },
    };
}

async function destroyed(state: StateResource[]): Promise<{ problems: string[]; summary: Record<string, unknown> }> {
    const problems: string[] = [];
    const { objects, releases } = objectsOf(state);
    const retained: string[] = [];
    const terminating: string[] = [];
    let gone = 0;
    for (const o of objects) {
        const res = await resourceOf(o.apiVersion, o.kind);
        const id = `${o.kind} ${o.namespace ? o.namespace + "/" : ""}${o.name}`;
        const r = res ? await get(objectPath(o.apiVersion, res.plural, res.namespaced, o.namespace, o.name)) : { code: 404, body: undefined };
        const live = r.body as { metadata?: { deletionTimestamp?: string }; status?: { conditions?: { type: string; status: string }[]; phase?: string } } | undefined;
        if (o.retain) {
            if (r.code !== 200) problems.push(`${id}: retainOnDelete, but HTTP ${r.code} after destroy`);
            else if (live?.metadata?.deletionTimestamp) problems.push(`${id}: retainOnDelete, but being deleted`);
            else if (o.kind === "CustomResourceDefinition" && !established(live as Crd)) problems.push(`${id}: retained but not Established`);
            else retained.push(id);
        } else if (r.code === 200) {
            // Namespaces are finalized by kube-controller-manager, which does not run here.
            if (live?.metadata?.deletionTimestamp && o.kind === "Namespace") terminating.push(id);
            else problems.push(`${id}: still there after destroy${live?.metadata?.deletionTimestamp ? " (deletionTimestamp set)" : ""}`);
        } else if (r.code === 404) gone++;
        else problems.push(`${id}: HTTP ${r.code}`);
    }
    const releaseStates: Record<string, string> = {};
    for (const rel of releases) {
        const s = (await releaseStatus(rel)) ?? "uninstalled";
        releaseStates[releaseName(rel)] = rel.retainOnDelete ? `${s} (retainOnDelete)` : s;
        if (rel.retainOnDelete && s !== "deployed") problems.push(`Helm release ${releaseName(rel)}: retainOnDelete, but ${s} after destroy`);
        if (!rel.retainOnDelete && s !== "uninstalled") problems.push(`Helm release ${releaseName(rel)}: ${s} after destroy, expected uninstalled`);
    }
    const left = await crds();
    return {
        problems,
        summary: {
            gone,
            retained,
            namespacesTerminating: terminating,
            releases: releaseStates,
            crdsLeft: left.length,
            crdsLeftEstablished: left.filter((c) => established(c) && !c.metadata.deletionTimestamp).length,
        },
    };
}

async function main(): Promise<void> {
    const [mode, flag, file] = process.argv.slice(2);
    if (!["installed", "destroyed"].includes(mode ?? "") || flag !== "--state" || !file) {
        process.stderr.write("usage: check.ts <installed|destroyed> --state STATE.json\n");
        process.exit(2);
    }
    const exported = JSON.parse(fs.readFileSync(file, "utf8")) as { deployment?: { resources?: StateResource[] } };
    const state = exported.deployment?.resources ?? [];
    const { problems, summary } = mode === "installed" ? await installed(state) : await destroyed(state);
    process.stdout.write(JSON.stringify({ mode, problems: problems.length, ...summary }) + "\n");
    for (const p of problems) process.stderr.write(`check.ts: ${p}\n`);
    agent.destroy();
    process.exitCode = problems.length > 0 ? 1 : 0;
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`check.ts: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(2);
    });
}
