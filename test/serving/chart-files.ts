/** Read files of the pinned chart archives in ../shared/charts without unpacking them to disk. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { upstreamDir } from "../conformance/upstream";

/** ../shared/charts/<name>.tgz (next to ../shared/upstream). */
export function chartArchive(name: string): string {
    return path.join(upstreamDir(), "..", "charts", `${name}.tgz`);
}

/** The file of a .tgz (ustar) whose path ends with `suffix`. */
export function fileInTgz(tgz: string, suffix: string): string {
    const tar = zlib.gunzipSync(fs.readFileSync(tgz));
    const str = (a: number, b: number) => tar.subarray(a, b).toString("utf8").replace(/\0.*$/s, "");
    for (let off = 0; off + 512 <= tar.length; ) {
        const name = str(off, off + 100);
        if (!name) break;
        const prefix = str(off + 345, off + 500);
        const size = parseInt(str(off + 124, off + 136).trim() || "0", 8);
        const full = prefix ? `${prefix}/${name}` : name;
        if (full.endsWith(suffix)) return tar.subarray(off + 512, off + 512 + size).toString("utf8");
        off += 512 + Math.ceil(size / 512) * 512;
    }
    throw new Error(`${suffix} not in ${tgz}`);
}
