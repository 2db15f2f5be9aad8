// BFD learning while `lastgasp run` runs (docs/dialects.md, `learn: frr`): every second the
// unit asks its own bfdd (`vtysh -c 'show bfd peers json'`, a child process, never on the
// loop's critical path) for the board's BFD sessions, and re-arms the fault core's Down frame
// of every session whose discriminators, timers or link changed (host/dialect/bfd-learn.ts:
// a peer ignores a control packet naming a session it no longer has, RFC 5880 §6.8.6). A
// session that is not Up (or gone) is disarmed: there is nothing to signal. When vtysh fails,
// what is armed stays armed (it was right at the last answer) and the failure is logged once
// until the next success.

import { execFile } from "child_process";
import type { Board } from "../board/board";
import { bfdLocal } from "../dialect/board";
import { bfdChanges, sessionKey, type FrrBfdPeer, type BfdLink } from "../dialect/bfd-learn";
import type { BfdDialect, Dialects } from "../dialect/dialect";
import { parseMac } from "../util/addr";
import type { LogFields } from "./service";

export const BFD_POLL_MS = 1000;

export interface BfdPollOptions {
  /** The vtysh to run (default "vtysh" on PATH). */
  vtysh?: string;
  log(event: string, fields: LogFields, level?: "info" | "warn" | "error"): void;
}

export class BfdPoller {
  /** Armed sessions by key: the fault core's slot and what it holds. */
  readonly armed = new Map<string, { index: number; dialect: BfdDialect }>();
  polls = 0;
  failures = 0;
  private failing: string | null = null;
  private busy = false;

  constructor(
    private readonly board: Board,
    private readonly dialects: Pick<Dialects, "arm" | "rearm" | "disarm">,
    private readonly opts: BfdPollOptions,
  ) {}

  /** Whether the board has sessions to learn. */
  static wanted(board: Board): boolean {
    const bfd = board.dialects.bfd;
    return !!bfd && (bfd.learn ?? "frr") === "frr" && bfd.sessions.length > 0;
  }

  /** One poll: vtysh in the background; done() when its answer has been applied (or refused). */
  poll(done?: () => void): void {
    if (this.busy) return done?.();
    this.busy = true;
    execFile(this.opts.vtysh ?? "vtysh", ["-c", "show bfd peers json"], { timeout: 2000, maxBuffer: 1 << 20 }, (e, out, err) => {
      this.busy = false;
      this.polls++;
      let peers: FrrBfdPeer[] | null = null;
      let why = "";
      if (e) why = (err || e.message).trim().split("\n")[0];
      else {
        try {
          const j = JSON.parse(out);
          if (Array.isArray(j)) peers = j as FrrBfdPeer[];
          else why = "vtysh: not a JSON array";
        } catch {
          why = "vtysh: not JSON";
        }
      }
      if (peers) this.apply(peers);
      else {
        this.failures++;
        if (this.failing !== why) this.opts.log("bfd.learn-failed", { error: why, armed: this.armed.size }, "warn");
        this.failing = why;
      }
      done?.();
    });
  }

  /** bfdd's answer: arm, re-arm or disarm the board's sessions. */
  apply(peers: FrrBfdPeer[]): void {
    this.failing = null;
    const sessions = this.board.dialects.bfd?.sessions ?? [];
    const links = new Map<string, BfdLink>();
    const ours = peers.filter((p) => {
      const i = sessions.findIndex((s) => s.peer === p.peer && (!p.local || bfdLocal(this.board, s) === p.local));
      if (i < 0) return false;
      const s = sessions[i];
      const port = this.board.ports.findIndex((x) => x.name === s.port);
      links.set(sessionKey(p), { port, ownMac: this.board.ports[port].macBytes, peerMac: parseMac(s.peerMac), srcPort: s.srcPort ?? 49152 + i });
      return true;
    });
    const armed = new Map([...this.armed].map(([k, v]) => [k, v.dialect]));
    for (const [key, d] of bfdChanges(armed, ours, (p) => links.get(sessionKey(p))!)) {
      const was = this.armed.get(key);
      try {
        if (!d) {
          this.dialects.disarm(was!.index);
          this.armed.delete(key);
          this.opts.log("bfd.disarmed", { session: key });
        } else if (was) {
          this.dialects.rearm(was.index, d);
          this.armed.set(key, { index: was.index, dialect: d });
          this.opts.log("bfd.rearmed", { session: key, myDisc: d.myDisc, yourDisc: d.yourDisc, wasYourDisc: was.dialect.yourDisc });
        } else {
          const index = this.dialects.arm(d);
          this.armed.set(key, { index, dialect: d });
          this.opts.log("bfd.armed", { session: key, slot: index, myDisc: d.myDisc, yourDisc: d.yourDisc });
        }
      } catch (e) {
        this.opts.log("bfd.arm-failed", { session: key, error: (e as Error).message }, "error");
      }
    }
  }
}
