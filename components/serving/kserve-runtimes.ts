/**
 * Which of the ClusterServingRuntimes that `kserve-runtime-configs` installs a stack uses. The
 * chart installs all of them when `kserve.servingruntime.enabled` (one of them
 * `vllm/vllm-openai:latest`); each has a `disabled` switch in its defaults
 * (kserve/kserve@v0.20.0:charts/kserve-runtime-configs/values.yaml), rendered as the runtime's
 * `spec.disabled`, so KServe never selects it and its image is never pulled.
 */

/** Every runtime key under `kserve.servingruntime` of kserve-runtime-configs v0.20.0. */
export const KSERVE_RUNTIMES = [
    "tensorflow", "mlserver", "sklearnserver", "xgbserver", "huggingfaceserver", "huggingfaceserver_multinode",
    "tritonserver", "pmmlserver", "predictiveserver", "paddleserver", "lgbserver", "autogluonserver", "torchserve", "vllmserver",
] as const;

/** The runtimes this project's InferenceServices run on (modelFormat huggingface: single- and multi-node). */
export const USED_KSERVE_RUNTIMES: readonly (typeof KSERVE_RUNTIMES)[number][] = ["huggingfaceserver", "huggingfaceserver_multinode"];

/** `kserve.servingruntime` values: the install switch, and every runtime not used disabled. Pure. */
export function servingRuntimeValues(enabled: boolean): Record<string, unknown> {
    if (!enabled) return { enabled: false };
    return { enabled: true, ...Object.fromEntries(KSERVE_RUNTIMES.filter((r) => !USED_KSERVE_RUNTIMES.includes(r)).map((r) => [r, { disabled: true }])) };
}
