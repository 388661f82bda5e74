/**
 * SIGINT and SIGTERM stop a one-off command at once (main.ts). A long-running command — a worker,
 * the server — shuts down on its own terms instead: it takes the signals over for as long as it
 * runs, and main.ts hands them to it.
 */
type SignalName = "SIGINT" | "SIGTERM";
let owner: ((signal: SignalName) => void) | undefined;

/** Gives the signals to `handler` until the returned function is called. */
export function takeOverSignals(handler: (signal: SignalName) => void): () => void {
  owner = handler;
  return () => {
    if (owner === handler) owner = undefined;
  };
}

/** The command that took the signals over, if any. */
export function signalOwner(): ((signal: SignalName) => void) | undefined {
  return owner;
}
