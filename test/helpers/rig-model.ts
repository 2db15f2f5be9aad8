// The QEMU rig's script run against our own TypeScript e1000 model (host/nic/e1000.ts) and
// the core under Node, for the differential check in test/qemu-e1000.test.ts: the same
// commands, the same memory layout (the whole linear memory at the same physical base), the
// same records as scripts/qemu-rig/guest/harness.c prints. Where QEMU waits in wall-clock
// time (sleep, waitrd), the model's SimClock advances instead.

import { Core } from "../../host/core/core";
import { DmaSpace } from "../../host/nic/dma";
import { E1000 } from "../../host/nic/e1000";
import type { NicDevice } from "../../host/nic/device";
import { performRegops } from "../../host/nic/regops";
import { SimClock } from "../../host/sim/clock";
import { STEP_IO } from "../../assembly/shared/regop";
import { MEM_END } from "../../assembly/shared/memmap";
import { GUEST_MEM_PHYS, type RigIo, type RigRecord } from "./qemu";

export interface ModelRun {
  records: RigRecord[];
  /** Frames the model put on the wire, in order. */
  sent: Uint8Array[];
  nic: E1000;
  core: Core;
}

const STEP_MAX_ROUNDS = 10_000; // as the harness

/** Runs a rig script on a fresh Node core and a fresh E1000 model with the given MAC. */
export function runOnModel(
  script: string,
  mac: Uint8Array,
  onRecord?: (rec: RigRecord, io: RigIo) => void,
): ModelRun {
  const core = Core.load();
  const clock = new SimClock();
  const dma = new DmaSpace();
  dma.map(GUEST_MEM_PHYS, core.bytes, 0, MEM_END, "core");
  const nic = new E1000({ name: "model0", mac, dma, clock });
  // QEMU's e1000 consumes TX descriptors while the link is down and the net layer drops the
  // frames; the model's default is to stall (docs/nic-model.md). Compare like with like.
  nic.faults.linkDownTx = "drop";
  const io: RigIo = { inject: (frame) => void nic.receive(frame), setLink: (up) => nic.setLink(up) };
  const sent: Uint8Array[] = [];
  nic.attach((f) => sent.push(Uint8Array.from(f)));
  const records: RigRecord[] = [];
  let line = 0;
  let trace = false;
  const out = (rec: Omit<RigRecord, "line">) => {
    const r = { line, ...rec } as RigRecord;
    records.push(r);
    onRecord?.(r, io);
  };
  // The harness's trace prints each operation after performing it: wrap the NIC and delay.
  const traced: NicDevice = {
    read32: (off) => {
      const v = nic.read32(off) >>> 0;
      if (trace) out({ op: "regop", kind: 2, off, val: v });
      return v;
    },
    write32: (off, v) => {
      nic.write32(off, v);
      if (trace) out({ op: "regop", kind: 1, off, val: v >>> 0 });
    },
  };
  const delay = (us: number) => {
    clock.advance(Math.round(us * 1000));
    if (trace) out({ op: "regop", kind: 3, off: 0, val: us });
  };
  const mem = core.bytes;
  const n = (w: string) => Number(w) >>> 0;

  for (const text of script.split("\n")) {
    line++;
    const tok = text.trim().split(/\s+/).filter((w) => w.length > 0);
    if (tok.length === 0 || tok[0].startsWith("#")) continue;
    const [op, ...args] = tok;
    switch (op) {
      case "call":
      case "step": {
        const fn = core.exports[args[0]];
        if (typeof fn !== "function") {
          out({ op, fn: args[0], error: "no such export" });
          break;
        }
        const a = args.slice(1).map(n);
        let rc = fn(...a);
        let rounds = 0;
        let ops = 0;
        while (op === "step" && rc === STEP_IO && ++rounds < STEP_MAX_ROUNDS) {
          ops += performRegops(core.view, [traced], delay);
          rc = fn(...a);
        }
        out({ op, fn: args[0], rc, trap: 0, rounds, ops });
        break;
      }
      case "rd":
        out({ op, off: n(args[0]), val: nic.read32(n(args[0])) >>> 0 });
        break;
      case "wr":
        nic.write32(n(args[0]), n(args[1]));
        out({ op, off: n(args[0]), val: n(args[1]) });
        break;
      case "mw32":
        core.view.setUint32(n(args[0]), n(args[1]), true);
        out({ op, addr: n(args[0]), val: n(args[1]) });
        break;
      case "mwb": {
        const bytes = Buffer.from(args[1], "hex");
        mem.set(bytes, n(args[0]));
        out({ op, addr: n(args[0]), len: bytes.length });
        break;
      }
      case "dump":
        out({ op, addr: n(args[0]), hex: Buffer.from(mem.subarray(n(args[0]), n(args[0]) + n(args[1]))).toString("hex") });
        break;
      case "waitrd": {
        const [off, mask, want, ms] = args.map(n);
        let v = nic.read32(off) >>> 0;
        for (let t = 0; ((v & mask) >>> 0) !== want && t < ms; t++) {
          clock.advance(1_000_000);
          v = nic.read32(off) >>> 0;
        }
        out({ op, off, val: v, ok: ((v & mask) >>> 0) === want });
        break;
      }
      case "sleep":
        clock.advance(n(args[0]) * 1_000_000);
        out({ op, ms: n(args[0]) });
        break;
      case "trace":
        trace = n(args[0]) !== 0;
        out({ op, on: trace ? 1 : 0 });
        break;
      case "mark":
        out({ op, text: args[0] });
        break;
      default:
        out({ op, error: "bad command" });
    }
  }
  return { records, sent, nic, core };
}
