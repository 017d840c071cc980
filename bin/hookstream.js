#!/usr/bin/env node
// The `hookstream` CLI (npx hookstream …). Plain JS so any Node can start it: it runs the compiled CLI from
// dist/, building it first in a fresh checkout (the build runs under Node 24 via scripts/node24.sh).
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const { spawnSync } = require("node:child_process");

const root = join(__dirname, "..");
const cli = join(root, "dist/services/dlq-manager/src/cli/main.js");
if (!existsSync(cli)) {
  // The build's own output goes to stderr: stdout is the command's (--json is parsed by scripts).
  const built = spawnSync(join(root, "scripts/node24.sh"), ["node", join(root, "scripts/build.mjs")], { cwd: root, stdio: ["ignore", 2, 2] });
  if (built.status !== 0 || !existsSync(cli)) {
    process.stderr.write("hookstream: building the CLI failed (npm run build shows why)\n");
    process.exit(1);
  }
}
require(cli);
