#!/usr/bin/env node
// The CLI is bundled into dist/ by `npm run build` (run by `npm ci` through `prepare`).
import "../dist/cli.mjs";
