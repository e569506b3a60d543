/**
 * Exit only after stdout and stderr have drained. `process.exit()` right after a large write to a
 * pipe drops what is still buffered (Node writes to pipes asynchronously), which cut long error
 * lists mid-line. A zero-length write's callback runs once everything written before it is flushed.
 */
export function exitWhenFlushed(code: number): void {
    process.exitCode = code;
    let pending = 2;
    const done = () => {
        if (--pending === 0) process.exit(code);
    };
    for (const stream of [process.stdout, process.stderr]) {
        if (stream.writableLength === 0 && !stream.writableNeedDrain) done();
        else stream.write("", done);
    }
}
