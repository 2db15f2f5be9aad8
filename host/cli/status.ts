// `lastgasp status`: asks a running unit (`lastgasp run`) over its control socket
// (host/run/control.ts) what it is doing: role, epoch, peer, last gasp, counters.

import { Command, InputError, Parsed, optionalString } from "./command";

export const command: Command = {
  usage: "status [--board BOARD.json | --socket PATH] [--json]",
  details: `asks a running unit (lastgasp run) over its control socket: its role and epoch, the peer
as its last HELLO said, the last gasp it accepted, its counters and its services'.

options:
  --board FILE   the unit's board file: the socket is /run/lastgasp/BOARD-ID.sock
  --socket PATH  the unit's control socket (as given to lastgasp run --socket)
  --json         the answer as JSON

exit status: 0 the unit answered; 1 no unit answers on the socket (not running, hung, no
permission); 2 bad input (arguments, the board file).`,
  options: {
    board: { type: "string" },
    socket: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 0, max: 0 },
  async run(args: Parsed): Promise<number> {
    const boardFile = optionalString(args, "board");
    let sock = optionalString(args, "socket");
    if ((boardFile === undefined) === (sock === undefined)) throw new InputError("give one of --board or --socket");
    const { defaultSocket, request } = require("../run/control") as typeof import("../run/control");
    if (boardFile !== undefined) {
      const { loadBoard } = require("../board/load") as typeof import("../board/load");
      const { BoardError } = require("../board/board") as typeof import("../board/board");
      try {
        sock = defaultSocket(loadBoard(boardFile).id);
      } catch (e) {
        if (e instanceof BoardError) throw new InputError(e.first, e.problems.map((p) => ({ file: boardFile, ...p })));
        throw e;
      }
    }
    let answer;
    try {
      answer = await request(sock!, "status");
    } catch (e) {
      console.error(`lastgasp status: ${(e as Error).message}`);
      return 1;
    }
    if (!answer.ok) {
      console.error(`lastgasp status: ${answer.error}`);
      return 1;
    }
    const s = answer.status as Record<string, any>;
    if (args.values.json) {
      console.log(JSON.stringify(s));
      return 0;
    }
    const lines = [
      `unit      ${s.unit} (unit id ${s.unitId}, pid ${s.pid}, boot ${s.boot}, up ${(s.uptimeMs / 1000).toFixed(1)} s)`,
      `role      ${s.role}, epoch ${s.epoch}, priority ${s.priority}${s.holdsVips ? `, holds ${s.vips.join(" ")}` : ""}`,
      `crash     ${s.crashPath}`,
      `peer      ${s.peer ? `unit ${s.peer.unit} ${s.peer.role}, priority ${s.peer.priority}, epoch ${s.peer.epoch}, boot ${s.peer.boot}; last HELLO ${s.peer.lastHelloMsAgo} ms ago` : "not heard"}`,
      `last gasp ${s.lastGasp ? `from unit ${s.lastGasp.from}, cause ${s.lastGasp.cause}, ${s.lastGasp.encap}, ${s.lastGasp.msAgo} ms ago (${s.lastGasp.at})` : "none"}`,
      `counters  ${Object.entries(s.counters).map(([k, v]) => `${k}=${v}`).join(" ")}`,
      ...(s.sync ? [`sync      ${Object.entries(s.sync).map(([k, v]) => `${k}=${v}`).join(" ")}`] : []),
      ...Object.entries(s.services as Record<string, Record<string, unknown>>).map(([n, c]) => `${n.padEnd(9)} ${Object.entries(c).map(([k, v]) => `${k}=${v}`).join(" ")}`),
    ];
    console.log(lines.join("\n"));
    return 0;
  },
};
