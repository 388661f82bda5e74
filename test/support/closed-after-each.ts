import { afterEach } from "vitest";

interface Closable {
  close(): Promise<void>;
}

/**
 * What a test file starts (simulators, webhook receivers), closed after each test: call it once
 * at the top of the file and pass each thing started through the function it returns.
 */
export function closedAfterEach(): <T extends Closable>(started: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((item) => item.close()));
  });
  return (started) => {
    open.push(started);
    return started;
  };
}
