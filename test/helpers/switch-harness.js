#!/usr/bin/env node
// Runs a board's switching service the way a daemon would, for tests: opens the board (its
// real ports), initialises the OS core's rings on every port, starts the service (active), and
// loops — each linux port's socket pumped into its soft e1000, the service's round, a wait on
// the sockets and the TAPs when idle — until SIGTERM; then stops the service and closes the
// board. Prints one JSON line per log event and {"event":"counters",...} at the end.
//
// usage (inside the unit's namespace, as root): node switch-harness.js BOARD
"use strict";
const path = require("path");
const js = path.join(__dirname, "..", "..", "build", "js", "host");
const { loadBoard } = require(path.join(js, "board", "load"));
const { openBoard } = require(path.join(js, "board", "runtime"));
const { SwitchingService } = require(path.join(js, "switch", "service"));

const board = loadBoard(path.resolve(process.argv[2]));
const svc = SwitchingService.forBoard(board);
if (!svc) throw new Error(`${board.file}: no switching configuration`);
const rt = openBoard(board);
const log = (event, fields = {}) => console.log(JSON.stringify({ event, ...fields }));
let stopping = false;
process.on("SIGTERM", () => (stopping = true));
process.on("SIGINT", () => (stopping = true));
try {
  board.ports.forEach((_, i) => {
    rt.osRings.must("nic_tx_init", i);
    rt.osRings.must("nic_rx_init", i);
  });
  svc.start({ board, rt, now: () => rt.now(), log, deliver: () => false });
} catch (e) {
  rt.close();
  throw e;
}
const ports = board.ports.map((_, i) => i);
log("ready");
function turn() {
  if (stopping) {
    log("counters", svc.counters());
    svc.stop();
    rt.close();
    return;
  }
  const end = rt.now() + 5e6; // 5 ms of rounds, then Node's event loop (signals)
  while (rt.now() < end) {
    for (const i of ports) rt.addon.linuxPump(i, 0);
    if (!svc.poll(rt.now())) rt.addon.ioWait(ports, svc.waitFds(), 1000);
  }
  setImmediate(turn);
}
setImmediate(turn);
