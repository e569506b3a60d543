import { containerGpus, isInMemoryShm } from "../lib/resources";
import { describe, podGpus, workloadsOf } from "../lib/workload";
import type { ResourceRule } from "../lib/rule";

/** Rule 5: multi-GPU pods mount an in-memory /dev/shm into their GPU containers (NCCL needs more than 64 MiB). */
export const multiGpuShm: ResourceRule = {
    scope: "resource",
    name: "multi-gpu-shm",
    description: "Pods with more than one GPU mount an in-memory emptyDir (medium: Memory) at /dev/shm in their GPU containers.",
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: "Add a volume {name: dshm, emptyDir: {medium: Memory}} and mount it at /dev/shm in the GPU container.",
    fleet: "unused",
    check(subject) {
        const violations: string[] = [];
        for (const w of workloadsOf(subject)) {
            for (const p of w.pods) {
                const gpus = podGpus(p);
                if (gpus <= 1 || p.shmManagedBy) continue;
                for (const c of p.containers) {
                    const uses = containerGpus(c.container) > 0 || (p.implicitGpus?.containers.includes(c.name) ?? false);
                    if (!uses || isInMemoryShm(p.spec, c.container)) continue;
                    violations.push(`${describe(w.ref)}: ${p.role} pod (${p.path}) has ${gpus} GPUs but container "${c.name}" has no in-memory /dev/shm (the container default is 64 MiB and NCCL/engine workers fail or crawl): add volume {name: dshm, emptyDir: {medium: Memory}} and volumeMount {name: dshm, mountPath: /dev/shm}.`);
                }
            }
        }
        return { violations };
    },
};
