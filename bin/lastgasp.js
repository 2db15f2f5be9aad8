#!/usr/bin/env node
// Runs the TypeScript host directly (ts-node, transpile only: type checking is `make test`'s
// job, start-up stays about 0.3 s).
"use strict";
const path = require("path");
require("ts-node").register({
  project: path.join(__dirname, "..", "tsconfig.json"),
  transpileOnly: true,
});
require("../host/cli/main.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e) => {
    console.error(`lastgasp: ${e && e.stack ? e.stack : e}`);
    process.exitCode = 1;
  });
