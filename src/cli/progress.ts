import { SingleBar } from "cli-progress";
import type { Progress } from "../pipeline/stream-build.js";

export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

const VARIANTS_PER_LINE = 100_000;

/**
 * A bar on a terminal; plain lines at every tenth of the file when piped; nothing when quiet. For
 * a compressed catalog, whose size read is unknown in advance, a line every 100,000 variants.
 */
export function createProgress(stream: NodeJS.WriteStream, mode: "auto" | "off"): ProgressDisplay {
  if (mode === "off") return { update: () => undefined, stop: () => undefined };
  let lastVariants = 0;
  const counting: ProgressDisplay["update"] = ({ variants }) => {
    if (Math.floor(variants / VARIANTS_PER_LINE) <= Math.floor(lastVariants / VARIANTS_PER_LINE)) return;
    lastVariants = variants;
    stream.write(`progress: ${variants} variants read\n`);
  };
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: "{bar} {percentage}% | {variants} variants",
      hideCursor: true,
      clearOnComplete: true,
    });
    let started = false;
    return {
      update(progress) {
        const { bytesRead, totalBytes, variants } = progress;
        if (totalBytes === undefined) return counting(progress);
        if (!started) bar.start(Math.max(totalBytes, 1), 0, { variants: 0 });
        started = true;
        bar.update(Math.min(bytesRead, totalBytes), { variants });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let lastTenth = 0;
  return {
    update(progress) {
      const { bytesRead, totalBytes, variants } = progress;
      if (totalBytes === undefined) return counting(progress);
      const tenth = totalBytes > 0 ? Math.floor((bytesRead / totalBytes) * 10) : 10;
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      stream.write(`progress: ${tenth * 10}% of the catalog read, ${variants} variants\n`);
    },
    stop: () => undefined,
  };
}
