#!/usr/bin/env node
// `lastgasp`: runs the compiled host (build/js/, made by `make` or `npm install` with tsc:
// scripts/build-js.js). No TypeScript is loaded at start-up; each command's modules are
// loaded only when it runs (host/cli/commands.ts).
"use strict";
const path = require("path");

let main;
try {
  ({ main } = require(path.join(__dirname, "..", "build", "js", "host", "cli", "main.js")));
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && /build[\\/]js[\\/]host[\\/]cli[\\/]main\.js/.test(e.message)) {
    console.error("lastgasp: build/js is missing: build the host first (make, or npm install)");
  } else {
    console.error(`lastgasp: cannot load the compiled host: ${e && e.message ? e.message.split("\n")[0] : e}`);
  }
  process.exit(70);
}
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
