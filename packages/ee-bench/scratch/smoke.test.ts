import { it } from "vitest";
import { runCommand } from "../src/cli/run.js";
it("smoke", async () => {
  const t = performance.now();
  await runCommand(process.env.SUITE ?? "smoke", { out: "/tmp/ee-reports", cacheDir: "/tmp/ee-cache", rows: process.env.ROWS, samples: process.env.SAMPLES ? Number(process.env.SAMPLES) : undefined });
  console.log("wall", (performance.now() - t) / 1000);
});
