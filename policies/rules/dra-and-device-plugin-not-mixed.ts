import { containerClaims, gpuRequests } from "../lib/resources";
import { describe, workloadsOf } from "../lib/workload";
import type { ResourceRule } from "../lib/rule";
import { objs, str, type JsonObject } from "../lib/json";

/**
 * ComputeDomain IMEX channels (NVIDIA DRA driver, rack-scale NVLink) are DRA claims that hold no
 * GPU: NVIDIA's ComputeDomain guide pairs them with device-plugin GPUs. A claim counts as a channel
 * when its pod-level name or its template/claim name says so (channel, compute-domain, imex).
 */
const CHANNEL_CLAIM = /channel|compute-?domain|imex/i;

function channelClaims(podSpec: JsonObject): Set<string> {
    const out = new Set<string>();
    for (const rc of objs(podSpec, "resourceClaims")) {
        const name = str(rc, "name");
        const source = str(rc, "resourceClaimTemplateName") ?? str(rc, "resourceClaimName") ?? "";
        if (name && (CHANNEL_CLAIM.test(name) || CHANNEL_CLAIM.test(source))) out.add(name);
    }
    return out;
}

/** Rule 7: a container gets its GPUs from DRA or from the device plugin, never both. */
export const draAndDevicePluginNotMixed: ResourceRule = {
    scope: "resource",
    name: "dra-and-device-plugin-not-mixed",
    description: "A container does not both hold a DRA GPU claim (resources.claims) and request a device-plugin GPU resource (ComputeDomain channel claims hold no GPU and are allowed).",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Use either resources.claims (DRA, with a ResourceClaimTemplate) or resources.limits[<gpu-resource>] (device plugin) in a container, not both; on DRA-managed nodes disable the device plugin.",
    fleet: "unused",
    check(subject) {
        const violations: string[] = [];
        for (const w of workloadsOf(subject)) {
            for (const p of w.pods) {
                const channels = channelClaims(p.spec);
                for (const c of p.containers) {
                    const claims = containerClaims(c.container).filter((x) => !channels.has(x));
                    const gpus = gpuRequests(c.container).map((g) => g.resource);
                    if (p.implicitGpus?.containers.includes(c.name)) gpus.push(`${p.implicitGpus.resource} (computed by the chart)`);
                    if (claims.length > 0 && gpus.length > 0) {
                        violations.push(`${describe(w.ref)}: ${p.role} container "${c.name}" (${p.path}) holds DRA claim(s) ${claims.map((x) => `"${x}"`).join(", ")} and also requests ${gpus.join(", ")} from the device plugin; the two allocate GPUs independently and can double-book or starve each other: keep only the DRA claim (or only the device-plugin limit).`);
                    }
                }
            }
        }
        return { violations };
    },
};
