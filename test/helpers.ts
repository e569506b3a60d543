/** Test helpers: read outputs, inspect registrations, plan example stacks. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { RecordedResource, settle } from "../stacks/plan/mock-engine";
import { planStack, PlanResult, readStackFile, renderManifests, ManifestDoc } from "../stacks/plan/plan";
import { sharedRecorder } from "./setup";
import { strict as assert } from "node:assert";
import { ConfigError } from "../stacks/config/load";

export { settle };

/** Resolve an Output's value (mocks run with preview=false, so every output resolves). */
export function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => { resolve(v); return v; }));
}

export function recorder() {
    return sharedRecorder();
}

/** Forget earlier registrations (call in beforeEach when a test counts resources). */
export async function resetRecords(): Promise<void> {
    await settle();
    sharedRecorder().clear();
}

/** Registrations so far (after settling), filtered by type and/or logical name. */
export async function registered(type?: string, name?: string | RegExp): Promise<RecordedResource[]> {
    await settle();
    return sharedRecorder().resources.filter(
        (r) => (type === undefined || r.type === type) && (name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name))),
    );
}

/** The single registration of `type` named `name`; throws with what was registered otherwise. */
export async function one(type: string, name: string | RegExp): Promise<RecordedResource> {
    const rs = await registered(type, name);
    if (rs.length !== 1) {
        const have = (await registered(type)).map((r) => r.name).join(", ");
        throw new Error(`expected one ${type} named ${name}, found ${rs.length} (registered ${type}: ${have || "none"})`);
    }
    return rs[0];
}

export const ROOT = path.resolve(__dirname, "..");

/** Plan a stack file (path relative to the repo root) on the shared mock engine. */
export async function planExample(file: string): Promise<PlanResult & { manifests: ManifestDoc[] }> {
    const sf = readStackFile(path.resolve(ROOT, file));
    const result = await planStack(sf, sharedRecorder());
    return { ...result, manifests: renderManifests(result.resources) };
}

/** Custom resources of the registrations, as manifests (apiVersion/kind/metadata/spec). */
export function objectsOf(resources: RecordedResource[]): Record<string, unknown>[] {
    return renderManifests(resources).filter((m) => m.kind === "object").map((m) => m.doc);
}

/** URNs in the parent chain of `r` (itself included). */
export function ancestry(r: RecordedResource, all: RecordedResource[]): string[] {
    const byUrn = new Map(all.map((x) => [x.urn, x]));
    const out: string[] = [];
    for (let cur: RecordedResource | undefined = r; cur; cur = byUrn.get(cur.parent)) out.push(cur.urn);
    return out;
}

/**
 * True when `target` is reachable from `r` through dependencies: those of `r` and its ancestors, then
 * theirs, and so on (what the engine waits for before creating `r`; the policy pack's rule 12 walks
 * the same graph).
 */
export function waitsFor(r: RecordedResource, all: RecordedResource[], target: (urn: string) => boolean): boolean {
    const byUrn = new Map(all.map((x) => [x.urn, x]));
    const seen = new Set<string>();
    const queue: RecordedResource[] = [r];
    while (queue.length > 0) {
        for (let cur: RecordedResource | undefined = queue.pop(); cur && !seen.has(cur.urn); cur = byUrn.get(cur.parent)) {
            seen.add(cur.urn);
            for (const d of cur.dependsOn) {
                if (target(d)) return true;
                const dep = byUrn.get(d);
                if (dep) queue.push(dep);
            }
        }
    }
    return false;
}

/** True when `r` (or an ancestor) depends on a resource whose URN matches `target`. */
export function dependsOnTransitively(r: RecordedResource, all: RecordedResource[], target: (urn: string) => boolean): boolean {
    const byUrn = new Map(all.map((x) => [x.urn, x]));
    for (let cur: RecordedResource | undefined = r; cur; cur = byUrn.get(cur.parent)) {
        if (cur.dependsOn.some(target)) return true;
    }
    return false;
}

/** Every stack config in the repo: Pulumi.<stack>.yaml (not deploy settings) and stacks/examples/*.yaml. */
export function stackFiles(): string[] {
    const top = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[\w-]+\.ya?ml$/.test(f) && !f.endsWith(".deploy.yaml"));
    const exDir = path.join(ROOT, "stacks", "examples");
    const ex = fs.existsSync(exDir) ? fs.readdirSync(exDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join("stacks", "examples", f)) : [];
    return [...top, ...ex].sort();
}

/** The config problems `check` reports (it must throw nothing but ConfigError), or undefined when it accepts. */
export function refusals(check: () => unknown): string[] | undefined {
    try {
        check();
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems;
    }
    return undefined;
}

/** Type token of a Helm release (what installs most CRDs in a stack). */
export const RELEASE = "kubernetes:helm.sh/v3:Release";

/** A Helm release standing in for a CRD installer (what component args typed `k8s.helm.v3.Release` take). */
export function installer(name: string): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(name, { chart: name, name });
}

/** A manifest file standing in for the Gateway API / GAIE CRDs (what component args typed `k8s.yaml.v2.ConfigFile` take). */
export function manifestInstaller(name: string): k8s.yaml.v2.ConfigFile {
    return new k8s.yaml.v2.ConfigFile(name, { file: `${name}.yaml` });
}
