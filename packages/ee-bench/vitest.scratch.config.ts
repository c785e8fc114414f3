import { defineConfig } from "vitest/config";
export default defineConfig({
  resolve: { alias: { "ee-models": "/tmp/eeshim/index.js" } },
  test: { include: ["scratch/**/*.test.ts"], testTimeout: 1_200_000, pool: "forks" },
});
