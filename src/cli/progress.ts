import { SingleBar } from "cli-progress";
import type { Progress } from "../pipeline/stream-build.js";

export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

/** A bar on a terminal; plain lines at every tenth of the file when piped; nothing when quiet. */
export function createProgress(stream: NodeJS.WriteStream, mode: "auto" | "off"): ProgressDisplay {
  if (mode === "off") return { update: () => undefined, stop: () => undefined };
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: "{bar} {percentage}% | {variants} variants",
      hideCursor: true,
      clearOnComplete: true,
    });
    let started = false;
    return {
      update({ bytesRead, totalBytes, variants }) {
        if (!started) bar.start(Math.max(totalBytes, 1), 0, { variants: 0 });
        started = true;
        bar.update(Math.min(bytesRead, totalBytes), { variants });
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = 0;
  return {
    update({ bytesRead, totalBytes, variants }) {
      const tenth = totalBytes > 0 ? Math.floor((bytesRead / totalBytes) * 10) : 10;
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      stream.write(`progress: ${tenth * 10}% of the catalog read, ${variants} variants\n`);
    },
    stop: () => undefined,
  };
}
