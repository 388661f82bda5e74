/**
 * The embedded state file's name, written next to the output folder's feeds. Apart from
 * `state-sqlite.ts` so naming it does not load SQLite into every command.
 */
export const EMBEDDED_STATE_FILE = "omnifeed-state.sqlite";
