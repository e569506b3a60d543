/**
 * inference-platform entry point: validate the stack config (errors stop here, before any
 * resource is registered), then stand up the platform. See stacks/stack/program.ts.
 */
import { program } from "./stacks/stack/program";

const outputs = program();

/** Model name → endpoint (in-cluster URL or gateway route). */
export const endpoints = outputs.endpoints;
/** Namespace of the model workloads. */
export const namespace = outputs.namespace;
