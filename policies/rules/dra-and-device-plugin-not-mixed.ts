import { containerClaims, gpuRequests } from "../lib/resources";
import { describe, workloadsOf } from "../lib/workload";
import type { ResourceRule } from "../lib/rule";

/** Rule 7: a container gets its GPUs from DRA or from the device plugin, never both. */
export const draAndDevicePluginNotMixed: ResourceRule = {
    scope: "resource",
    name: "dra-and-device-plugin-not-mixed",
    description: "A container does not both hold a DRA resource claim (resources.claims) and request a device-plugin GPU resource.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Use either resources.claims (DRA, with a ResourceClaimTemplate) or resources.limits[<gpu-resource>] (device plugin) in a container, not both; on DRA-managed nodes disable the device plugin.",
    fleet: "unused",
    check(subject) {
        const violations: string[] = [];
        for (const w of workloadsOf(subject)) {
            for (const p of w.pods) {
                for (const c of p.containers) {
                    const claims = containerClaims(c.container);
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
