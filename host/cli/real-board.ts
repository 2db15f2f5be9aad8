// What the commands that run a unit on real ports (drill, run) share: a board file read as
// bad input (exit 2, every problem listed), a board refused when its ports are virtual, and
// opening errors (not root, no such interface) turned into bad input — nothing touched.

import { InputError } from "./command";
import type { Board } from "../board/board";

/** Loads a board file; a bad file is InputError listing every problem. */
export function loadBoardInput(file: string): Board {
  const { loadBoard } = require("../board/load") as typeof import("../board/load");
  const { BoardError } = require("../board/board") as typeof import("../board/board");
  try {
    return loadBoard(file);
  } catch (e) {
    if (e instanceof BoardError) throw new InputError(e.first, e.problems.map((p) => ({ file, ...p })));
    throw e;
  }
}

/** Refuses a board with virtual ports: `why` says what the command needs them for. */
export function requireRealPorts(file: string, board: Board, why: string): void {
  const sim = board.ports.filter((p) => p.device.kind === "sim").map((p) => p.name);
  if (sim.length) throw new InputError(`${file}: ${sim.join(", ")}: ${why}`);
}

/** Runs f (checking or opening a board); a BoardOpenError becomes InputError at the board file's fields. */
export function openAsInput<T>(file: string, f: () => T): T {
  const { BoardOpenError } = require("../board/runtime") as typeof import("../board/runtime");
  try {
    return f();
  } catch (e) {
    if (e instanceof BoardOpenError) throw new InputError(e.problems[0].message, e.problems.map((p) => ({ file, ...p })));
    throw e;
  }
}
