/**
 * Pulumi's mock engine, with a recorder: runs the real program with no CLI and no cluster, and
 * captures every registration exactly as the engine would see it — type, name, parent URN,
 * dependencies and the serialized inputs (secrets detectable, so they can be masked).
 *
 * Used by the offline plan (scripts/plan.ts) and by the unit tests (test/setup.ts).
 */
import * as pulumi from "@pulumi/pulumi";
// Internal modules of @pulumi/pulumi: the public setMocks() builds a MockMonitor we cannot observe.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mocksModule = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (m: pulumi.runtime.Mocks) => MockMonitorLike };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    setMockOptions(monitor: unknown, project?: string, stack?: string, preview?: boolean, organization?: string): void;
    waitForRPCs(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };

interface MockMonitorLike {
    registerResource(req: RegisterRequest, callback: (err: unknown, resp: unknown) => void): Promise<void>;
    newUrn(parent: string, type: string, name: string): string;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProvider(): string;
    getRetainondelete?(): boolean;
    getIgnorechangesList?(): string[];
    getRemote?(): boolean;
}

/** One registration, as written to resources.json. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN ("" for the root). */
    parent: string;
    /** URNs this resource explicitly depends on (dependsOn plus input dependencies the SDK reports). */
    dependsOn: string[];
    /** Inputs with secrets as "[secret]" (a secret map keeps its keys: `{key: "[secret]"}`) and unknowns as "[unknown]". */
    inputs: Record<string, unknown>;
    custom: boolean;
    /** The `retainOnDelete` resource option (shared CRDs, operator namespaces). */
    retainOnDelete?: boolean;
    /** The `ignoreChanges` resource option (e.g. spec.replicas under an autoscaler). */
    ignoreChanges?: string[];
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Replace the wire encoding of secrets, unknowns and resource references with plain markers. */
export function maskWireValue(v: unknown): unknown {
    if (v === UNKNOWN) return "[unknown]";
    if (Array.isArray(v)) return v.map(maskWireValue);
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SIG] === SECRET_SIG) return maskSecret(o["value"]);
        if (o[SIG] === RESOURCE_SIG) return o["urn"];
        const out: Record<string, unknown> = {};
        for (const [k, val] of Object.entries(o)) out[k] = maskWireValue(val);
        return out;
    }
    return v;
}

/**
 * A secret's placeholder keeps its shape where the shape is not secret: a map of secret values
 * (a Secret's `stringData`/`data`, which the Kubernetes SDK wraps whole) keeps its keys, each value
 * "[secret]", so a masked Secret is still a valid Secret. Anything else becomes "[secret]".
 */
function maskSecret(value: unknown): unknown {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && (value as Record<string, unknown>)[SIG] === undefined) {
        return Object.fromEntries(Object.keys(value as Record<string, unknown>).sort().map((k) => [k, "[secret]"]));
    }
    return "[secret]";
}

/** Computed state a real provider would add and that program code reads. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const state: Record<string, unknown> = { ...inputs };
    if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh") && type !== "pulumi:providers:kubernetes") {
        const md = (inputs["metadata"] as Record<string, unknown> | undefined) ?? {};
        state["metadata"] = { ...md, name: md["name"] ?? name };
    }
    if (type === "kubernetes:helm.sh/v3:Release") {
        state["status"] = { name: inputs["name"] ?? name, namespace: inputs["namespace"] ?? "default", status: "deployed" };
    }
    return state;
}

export class Recorder {
    readonly resources: RecordedResource[] = [];
    clear(): void {
        this.resources.length = 0;
    }
}

/**
 * Install the recording mock engine. `preview` stays false: with true, outputs the mock does not
 * return never resolve and awaiting them hangs.
 */
export function installMockEngine(opts: { project?: string; stack?: string; config?: Record<string, string>; secretKeys?: string[] } = {}): Recorder {
    const recorder = new Recorder();
    const mocks: pulumi.runtime.Mocks = {
        newResource: (args) => ({
            id: args.custom ? `${args.name}-id` : undefined,
            state: computedState(args.type, args.name, args.inputs as Record<string, unknown>),
        }),
        call: (args) => args.inputs,
    };
    const monitor = new mocksModule.MockMonitor(mocks);
    const inner = monitor.registerResource.bind(monitor);
    const project = opts.project ?? "inference-platform";
    const stack = opts.stack ?? "test";
    monitor.registerResource = async (req, callback) => {
        const parent = req.getParent();
        const type = req.getType();
        const name = req.getName();
        recorder.resources.push({
            urn: monitor.newUrn(parent, type, name),
            type,
            name,
            parent,
            dependsOn: [...req.getDependenciesList()],
            inputs: maskWireValue(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
            custom: req.getCustom(),
            ...(req.getRetainondelete?.() ? { retainOnDelete: true } : {}),
            ...(req.getIgnorechangesList?.().length ? { ignoreChanges: [...req.getIgnorechangesList!()] } : {}),
        });
        return inner(req, callback);
    };
    settings.setMockOptions(monitor, project, stack, false);
    // The same feature set pulumi.runtime.setMocks() enables.
    const store = state.getStore();
    Object.assign(store, {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
    });
    if (opts.config) pulumi.runtime.setAllConfig(opts.config, opts.secretKeys ?? []);
    return recorder;
}

/** Wait until every outstanding registration and output has settled. */
export async function settle(): Promise<void> {
    await settings.waitForRPCs();
}
