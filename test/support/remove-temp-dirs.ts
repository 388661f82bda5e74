import { afterAll } from "vitest";
import { removeTempDirs } from "./temp-dirs.js";

// Runs in every test file (vitest setupFiles): whatever the file made with makeTempDir goes.
afterAll(removeTempDirs);
