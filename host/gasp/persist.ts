// What a unit keeps across restarts for the gasp protocol: the sender's boot counter and the
// receiver's replay table. Written to a temporary file, flushed, then renamed over the old
// one, so a crash mid-write leaves either the old or the new content, never half of each.

import * as fs from "fs";
import * as path from "path";
import type { GaspReceiver, ReplayState } from "./gasp";

function writeDurably(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * The boot counter for this boot: the persisted value plus one, persisted BEFORE it is used,
 * so no two boots can ever send with the same counter (a crash after this call only skips
 * a value). A missing file starts at 1.
 */
export function nextBootCounter(file: string): number {
  let last = 0;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8").trim();
    if (!/^\d+$/.test(text) || Number(text) > 0xfffffffe) throw new Error(`${file}: not a boot counter: "${text.slice(0, 40)}"`);
    last = Number(text);
  }
  const next = last + 1;
  writeDurably(file, `${next}\n`);
  return next;
}

export function saveReplayState(file: string, rx: GaspReceiver): ReplayState {
  const state = rx.replayState();
  writeDurably(file, JSON.stringify(state, null, 1) + "\n");
  return state;
}

/** Restores the table saved by saveReplayState (after rx.configure); a missing file is a first boot. */
export function loadReplayState(file: string, rx: GaspReceiver): number {
  if (!fs.existsSync(file)) return 0;
  return rx.restoreState(JSON.parse(fs.readFileSync(file, "utf8")) as ReplayState);
}
