#!/usr/bin/env node
// Launcher for the `ee` command: the compiled CLI lives in dist/ (run `npm run build` first).
import "../dist/cli/main.js";
