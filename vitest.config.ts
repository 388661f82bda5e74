import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Every test file removes the temp folders it made (test/support/temp-dirs.ts).
    setupFiles: ["test/support/remove-temp-dirs.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
