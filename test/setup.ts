/**
 * Mocha setup (loaded once via .mocharc.yml): installs the recording Pulumi mock engine for the
 * whole run. Tests build components directly and read what was registered through test/helpers.ts.
 */
import { installMockEngine, Recorder } from "../stacks/plan/mock-engine";

const recorder: Recorder = installMockEngine({ project: "inference-platform", stack: "test" });

export function sharedRecorder(): Recorder {
    return recorder;
}
