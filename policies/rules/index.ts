/** Every rule of the pack, in the order of the issue (1–13; rule 11 has a mandatory and an advisory half). */
import type { Rule } from "../lib/rule";
import { gpuWholeNumberLimits } from "./gpu-whole-number-limits";
import { gpusPerPodFitNode } from "./gpus-per-pod-fit-node";
import { parallelismMatchesTopology } from "./parallelism-matches-topology";
import { multiNodeNetworking } from "./multi-node-networking";
import { multiGpuShm } from "./multi-gpu-shm";
import { acceleratorVendorConsistent } from "./accelerator-vendor-consistent";
import { draAndDevicePluginNotMixed } from "./dra-and-device-plugin-not-mixed";
import { gpuPodsPinnedToPool } from "./gpu-pods-pinned-to-pool";
import { engineImagesPinned } from "./engine-images-pinned";
import { modelTokensFromSecrets } from "./model-tokens-from-secrets";
import { fleetCapacityAtMax, fleetCapacityAtMin } from "./fleet-capacity";
import { customResourcesDependOnCrdInstaller } from "./custom-resources-depend-on-crd-installer";
import { enginesScraped } from "./engines-scraped";

export const rules: readonly Rule[] = [
    gpuWholeNumberLimits,
    gpusPerPodFitNode,
    parallelismMatchesTopology,
    multiNodeNetworking,
    multiGpuShm,
    acceleratorVendorConsistent,
    draAndDevicePluginNotMixed,
    gpuPodsPinnedToPool,
    engineImagesPinned,
    modelTokensFromSecrets,
    fleetCapacityAtMin,
    fleetCapacityAtMax,
    customResourcesDependOnCrdInstaller,
    enginesScraped,
];

export const ruleNames: readonly string[] = rules.map((r) => r.name);
