// A running unit's control socket (docs/running-a-pair.md "Status"): a unix stream socket,
// by default /run/lastgasp/BOARD-ID.sock, mode 0660 (root and the socket's group). One
// request line, one JSON answer line, then the unit closes the connection:
//
//   status      {"ok":true,"status":{…}} — role, epoch, peer, last gasp, counters, services
//   die HOW     only when the unit was started with --allow-test-deaths: the unit dies as a
//               crash would (null-store, abort, heap, hang) — for fire drills and tests
//
// Anything else: {"ok":false,"error":"…"}. Served from Node's event loop between the run
// loop's turns (loop.ts), so an answer takes at most one turn.

import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export const SOCKET_DIR = "/run/lastgasp";
export const DEATHS = ["null-store", "abort", "heap", "hang"] as const;

export function defaultSocket(boardId: string): string {
  return path.join(SOCKET_DIR, `${boardId}.sock`);
}

export interface ControlHandlers {
  status(): unknown;
  /** Null: deaths are not enabled. */
  die: ((how: string) => void) | null;
}

export class ControlServer {
  private readonly server: net.Server;

  private constructor(readonly path: string, server: net.Server) {
    this.server = server;
  }

  /** Listens on file (replacing a stale socket of a unit no longer running). Throws with a one-line message. */
  static async listen(file: string, h: ControlHandlers): Promise<ControlServer> {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    if (fs.existsSync(file)) {
      if (await answers(file)) throw new Error(`${file}: a unit is already running on this socket`);
      fs.unlinkSync(file);
    }
    const server = net.createServer((c) => {
      let buf = "";
      c.setEncoding("utf8");
      c.on("error", () => c.destroy());
      c.on("data", (d: string) => {
        buf += d;
        if (buf.length > 4096) return void c.end(`${JSON.stringify({ ok: false, error: "request too long" })}\n`);
        const nl = buf.indexOf("\n");
        if (nl < 0) return;
        const [cmd, arg] = buf.slice(0, nl).trim().split(/\s+/);
        if (cmd === "status") return void c.end(`${JSON.stringify({ ok: true, status: h.status() })}\n`);
        if (cmd === "die") {
          if (!h.die) return void c.end(`${JSON.stringify({ ok: false, error: "deaths are not enabled (run --allow-test-deaths)" })}\n`);
          if (!(DEATHS as readonly string[]).includes(arg)) return void c.end(`${JSON.stringify({ ok: false, error: `die: one of ${DEATHS.join(", ")}` })}\n`);
          const die = h.die;
          // Answer first: the test (or the drill's operator) knows the death was asked for.
          return void c.end(`${JSON.stringify({ ok: true, dying: arg })}\n`, () => setImmediate(() => die(arg)));
        }
        c.end(`${JSON.stringify({ ok: false, error: `unknown request "${cmd ?? ""}" (status, die)` })}\n`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(file, () => resolve());
    });
    fs.chmodSync(file, 0o660);
    server.unref();
    return new ControlServer(file, server);
  }

  close(): void {
    this.server.close();
    try {
      fs.unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/** Whether a unit answers on file. */
function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(file);
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

/** Sends one request and returns the answer line parsed; throws with a one-line message. */
export function request(file: string, line: string, timeoutMs = 5000): Promise<{ ok: boolean; error?: string; [k: string]: unknown }> {
  return new Promise((resolve, reject) => {
    const c = net.connect(file);
    let buf = "";
    const t = setTimeout(() => {
      c.destroy();
      reject(new Error(`${file}: no answer within ${timeoutMs} ms (is the unit hung?)`));
    }, timeoutMs);
    c.setEncoding("utf8");
    c.once("connect", () => c.write(`${line}\n`));
    c.on("data", (d: string) => (buf += d));
    c.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(t);
      reject(new Error(e.code === "ENOENT" || e.code === "ECONNREFUSED" ? `${file}: no unit is running on this socket` : e.code === "EACCES" ? `${file}: permission denied (root or the socket's group)` : `${file}: ${e.message}`));
    });
    c.once("end", () => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(buf.trim()));
      } catch {
        reject(new Error(`${file}: not a lastgasp unit's answer: ${JSON.stringify(buf.slice(0, 80))}`));
      }
    });
  });
}
