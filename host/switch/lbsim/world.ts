// The loadbalance scenario's world, built from its file on the line card's clock:
//
//   router + clients ── <clientPort> ══ line card (switching path, packet engine, CP) ══
//        <serverPort> ── bridge ── web1, web2, ... (TCP/UDP servers with load agents)
//
// The line card (appliance.ts), the control processor's distribution with its first table
// published (cp.ts, fed by the back ends' load agents), the client network (clients.ts) and the
// back ends (servers.ts), joined by links that capture. Randomness comes from the file's seed.

import { parseIPv4, parseMac } from "../../util/addr";
import { Rng } from "../../util/rng";
import { Wire } from "../../sim/wire";
import { Bridge } from "../../sim/bridge";
import { NS_PER_MS } from "../../ha/timeline";
import type { SimClock } from "../../sim/clock";
import { DEFAULT_CAPACITY, DEFAULT_TABLE_SIZE, type LoadbalanceScenario, type LoadbalanceSpec } from "./spec";
import { LbAppliance, SVC_TCP, SVC_UDP } from "./appliance";
import { ControlProcessor, LoadCollector } from "./cp";
import { BackendServer, FlowOracle } from "./servers";
import { ClientNetwork } from "./clients";

/** Closed ports of the VIP the stray packets go to (no service there). */
const STRAY_TCP_PORT = 22;
const STRAY_UDP_PORT = 123;

/** A back end of the file, with its index in the switching path's table and its addresses as bytes. */
export type LbBackend = LoadbalanceSpec["backends"][number] & { index: number; ipBytes: Uint8Array; macBytes: Uint8Array };

/** The file's client settings with their defaults. */
export type ClientSettings = ReturnType<typeof clientSettings>;

function clientSettings(s: LoadbalanceSpec) {
  return { udpShare: 0.2, requests: 4, requestIntervalMs: 150, requestBytes: 100, responseBytes: 400, timeoutMs: 1000, strayPerSec: 0, ...s.clients };
}

export interface LbWorld {
  app: LbAppliance;
  clock: SimClock;
  cores: number;
  clients: ClientSettings;
  backends: LbBackend[];
  collector: LoadCollector;
  cp: ControlProcessor;
  wire: Wire;
  /** Which server saw each flow first, and which flows moved. */
  oracle: FlowOracle;
  router: ClientNetwork;
  servers: BackendServer[];
}

export function buildWorld(sc: LoadbalanceScenario): LbWorld {
  const s = sc.spec;
  const board = sc.board;
  const portIndex = (name: string) => board.ports.findIndex((p) => p.name === name);
  const clientPort = portIndex(s.clientPort);
  const serverPort = portIndex(s.serverPort);
  const cores = s.cores ?? 2;
  const c = clientSettings(s);
  const agentMs = s.loadAgents?.intervalMs ?? 100;
  const agentPort = s.loadAgents?.port ?? 7000;
  const backends: LbBackend[] = s.backends.map((b, index) => ({ ...b, index, ipBytes: parseIPv4(b.ip), macBytes: parseMac(b.mac) }));

  const app = new LbAppliance({
    board, clientPort, serverPort, vip: parseIPv4(s.service.vip), tcpPort: s.service.tcpPort, udpPort: s.service.udpPort,
    backendPort: s.service.backendPort, routerMac: parseMac(s.router.mac),
    backends: backends.map((b) => ({ index: b.index, name: b.name, ip: b.ipBytes, mac: b.macBytes })),
    cores, capacity: s.capacity ?? DEFAULT_CAPACITY, seed: s.seed,
  });
  const clock = app.sim.clock;
  const cpServerSide = app.cpAddrs[serverPort][0];
  if (!cpServerSide) throw new Error(`${board.id}/${s.serverPort} has no IPv4 address: the back ends need it as their gateway`);
  const collector = new LoadCollector(cpServerSide, agentPort, () => app.nowMs());
  app.punts.register(collector);
  app.finishPunts();
  const cp = new ControlProcessor(app.sw, app.lb, backends.map((b) => ({ index: b.index, name: b.name, weight: b.weight })), s.distribution.strategy, s.distribution.tableSize ?? DEFAULT_TABLE_SIZE, [SVC_TCP, SVC_UDP], collector);
  cp.publish("initial weights", 0);

  // the outside world
  const rng = new Rng(s.seed);
  const wire = new Wire(clock, s.seed);
  const oracle = new FlowOracle();
  const [net, len] = c.network.split("/");
  const first = parseIPv4(net);
  first[3] += 1; // hosts start one above the prefix's own address
  const router = new ClientNetwork({
    routerMac: parseMac(s.router.mac), routerIp: parseIPv4(s.router.ip), vip: parseIPv4(s.service.vip),
    tcpPort: s.service.tcpPort, udpPort: s.service.udpPort, network: first, hosts: 2 ** (32 - Number(len)) - 2,
    newFlowsPerSec: c.newFlowsPerSec, udpShare: c.udpShare, requests: c.requests, requestIntervalNs: c.requestIntervalMs * NS_PER_MS,
    requestBytes: c.requestBytes, timeoutNs: c.timeoutMs * NS_PER_MS,
    strayPerSec: c.strayPerSec, strayTcpPort: STRAY_TCP_PORT, strayUdpPort: STRAY_UDP_PORT,
  }, clock, new Rng(rng.u32()));
  const bridge = new Bridge("server-switch");
  const lineName = (p: string) => `${board.id}.${p}`;
  wire.connect(app.sim.nics[clientPort], router, { name: lineName(s.clientPort), latencyNs: board.ports[clientPort].link.latencyNs });
  wire.connect(app.sim.nics[serverPort], bridge.port(), { name: lineName(s.serverPort), latencyNs: board.ports[serverPort].link.latencyNs });
  const servers = backends.map((b) => {
    const srv = new BackendServer(
      { name: b.name, ip: b.ipBytes, mac: b.macBytes, tcpPort: s.service.backendPort, udpPort: s.service.backendPort, capacity: b.capacity, responseBytes: c.responseBytes },
      clock, oracle, { cp: cpServerSide, cpPort: agentPort, intervalNs: agentMs * NS_PER_MS },
    );
    wire.connect(bridge.port(), srv, { name: b.name, latencyNs: 200 });
    return srv;
  });
  return { app, clock, cores, clients: c, backends, collector, cp, wire, oracle, router, servers };
}
