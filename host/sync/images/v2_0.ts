// Image 2.0: timers merge into "failover timers heartbeat MS dead-multiplier N" (and go down
// to 10 ms), the gasp key becomes a key ring with a send key, VIPs and the peer become
// dual-stack "failover vip"/"failover peer", preemption gains a delay, the SLB model is
// renamed to farm/backend/service and goes dual-stack with health checks, logging names its
// port, and telemetry and diagnostics arrive. 2.0 carries the 1.0→1.1 upgrades (it can
// migrate a 1.0 configuration) but no downgrades to 1.0: it cannot pair with a 1.0 unit.

import { CommandDef } from "../grammar";
import { ImageDef } from "../image";
import { STEP_1_0_TO_1_1 } from "./step_1_0_1_1";
import { STEP_1_1_TO_2_0, STEP_2_0_TO_1_1 } from "./step_1_1_2_0";

export const COMMANDS_2_0: CommandDef[] = [
  { id: "hostname", pattern: "hostname {name:hostname}", key: 1 },

  { id: "interface.description", pattern: "interface {if:ifname} description {text:text}", key: 3 },
  { id: "interface.address", pattern: "interface {if:ifname} address {addr:if4}", key: 3 },
  { id: "interface.address6", pattern: "interface {if:ifname} address6 {addr:if6}", key: 3 },
  { id: "interface.mac", pattern: "interface {if:ifname} mac-address {mac:mac}", key: 3 },
  { id: "interface.mtu", pattern: "interface {if:ifname} mtu {mtu:int(1280..9216)}", key: 3 },
  { id: "interface.shutdown", pattern: "interface {if:ifname} shutdown" },
  { id: "interface.ip-access-group", pattern: "interface {if:ifname} ip access-group {dir:enum(in|out)} {acl:name}", key: 5 },
  { id: "interface.ipv6-access-group", pattern: "interface {if:ifname} ipv6 access-group {dir:enum(in|out)} {acl:name}", key: 5 },

  { id: "failover.vip", pattern: "failover vip {addr:ipaddr} interface {if:ifname}", key: 3 },
  { id: "failover.peer", pattern: "failover peer {addr:ipaddr}", key: 2 },
  { id: "failover.priority", pattern: "failover priority {prio:int(1..254)}", key: 2 },
  { id: "failover.preempt", pattern: "failover preempt delay {s:int(0..3600)}", key: 3 },
  { id: "failover.timers", pattern: "failover timers heartbeat {ms:int(10..10000)} dead-multiplier {mult:int(2..20)}", key: 3 },
  { id: "failover.gasp.key", pattern: "failover gasp key {id:int(1..255)} {key:hex(64..64)}", key: 4 },
  { id: "failover.gasp.send-key", pattern: "failover gasp send-key {id:int(1..255)}", key: 3 },
  { id: "failover.announce.garp-count", pattern: "failover announce garp count {n:int(1..10)}", key: 4 },
  { id: "failover.announce.garp-spacing", pattern: "failover announce garp spacing {ms:int(10..5000)}", key: 4 },
  { id: "failover.announce.na-count", pattern: "failover announce na count {n:int(1..10)}", key: 4 },
  { id: "failover.announce.refresh", pattern: "failover announce refresh {s:int(0..3600)}", key: 3 },

  { id: "ip.acl.entry", pattern: "ip access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(ip|icmp|tcp|udp)} {src:net4} {dst:net4}", key: 5 },
  { id: "ip.acl.entry-port", pattern: "ip access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(tcp|udp)} {src:net4} {dst:net4} eq {port:int(1..65535)}", key: 5 },
  { id: "ipv6.acl.entry", pattern: "ipv6 access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(ipv6|icmpv6|tcp|udp)} {src:net6} {dst:net6}", key: 5 },
  { id: "ipv6.acl.entry-port", pattern: "ipv6 access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(tcp|udp)} {src:net6} {dst:net6} eq {port:int(1..65535)}", key: 5 },

  { id: "slb.backend", pattern: "slb farm {farm:name} backend {addr:ipaddr} port {port:int(1..65535)}" },
  { id: "slb.method", pattern: "slb farm {farm:name} method {method:enum(round-robin|least-connections|source-hash)}", key: 4 },
  { id: "slb.health-check", pattern: "slb farm {farm:name} health-check {kind:enum(tcp|http)} interval {s:int(1..60)}", key: 4 },
  { id: "slb.virtual", pattern: "slb service {svc:name} virtual {addr:ipaddr} {proto:enum(tcp|udp)} {port:int(1..65535)}", key: 4 },
  { id: "slb.farm", pattern: "slb service {svc:name} farm {farm:name}", key: 4 },

  { id: "ntp.server", pattern: "ntp server {addr:ipv4}" },
  { id: "logging.host", pattern: "logging host {addr:ipaddr} port {port:int(1..65535)}", key: 3 },
  { id: "telemetry.exporter", pattern: "telemetry exporter {addr:ipaddr} port {port:int(1..65535)}", key: 3 },
  { id: "telemetry.interval", pattern: "telemetry interval {s:int(1..3600)}", key: 2 },
  { id: "diagnostics.trace", pattern: "diagnostics trace {module:enum(sync|gasp|link|slb)} {level:enum(error|info|debug)}", key: 3 },
];

export const IMAGE_2_0: ImageDef = {
  version: "2.0",
  summary: "merged heartbeat timers, gasp key ring, dual-stack VIPs/peer/SLB, farm/backend/service, telemetry",
  commands: COMMANDS_2_0,
  steps: [STEP_1_0_TO_1_1, STEP_1_1_TO_2_0, STEP_2_0_TO_1_1],
  dcl: [
    { version: "1.0", id: "console.baud", why: "2.0 boards have no serial console" },
    { version: "2.0", id: "telemetry.exporter", why: "each unit exports its own telemetry; the standby's exporter is configured on it" },
    { version: "2.0", id: "telemetry.interval", why: "telemetry is per unit" },
    { version: "2.0", id: "diagnostics.trace", why: "tracing is a local debugging aid" },
  ],
};
