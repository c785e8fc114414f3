#!/usr/bin/env node
// Launcher for the `ee` command: the compiled CLI lives in dist/ (run `npm run build` first).
// On Linux it first re-launches itself with model memory on huge pages (see src/runner/huge-pages.ts).
import { dieWithLauncher, relaunchWithHugePages } from "../dist/runner/huge-pages.js";

if (!(await relaunchWithHugePages())) {
  dieWithLauncher();
  await import("../dist/cli/main.js");
}
