// Image 1.0: the first release. Flat "failover heartbeat MS MULT" timers, one gasp key, GARP
// announcements only, IPv4 ACLs under "access-list", and the SLB serverfarm/vserver model.

import { CommandDef } from "../grammar";
import { ImageDef } from "../image";

export const COMMANDS_1_0: CommandDef[] = [
  { id: "hostname", pattern: "hostname {name:hostname}", key: 1 },

  { id: "interface.description", pattern: "interface {if:ifname} description {text:text}", key: 3 },
  { id: "interface.address", pattern: "interface {if:ifname} address {addr:if4}", key: 3 },
  { id: "interface.address6", pattern: "interface {if:ifname} address6 {addr:if6}", key: 3 },
  { id: "interface.mac", pattern: "interface {if:ifname} mac-address {mac:mac}", key: 3 },
  { id: "interface.mtu", pattern: "interface {if:ifname} mtu {mtu:int(576..9216)}", key: 3 },
  { id: "interface.shutdown", pattern: "interface {if:ifname} shutdown" },
  { id: "interface.access-group", pattern: "interface {if:ifname} access-group {dir:enum(in|out)} {acl:name}", key: 4 },

  // Shared addresses the standby takes over (gratuitous ARP / unsolicited NA).
  { id: "vip", pattern: "vip {addr:ipv4} interface {if:ifname}", key: 2 },
  { id: "vip6", pattern: "vip6 {addr:ipv6} interface {if:ifname}", key: 2 },

  { id: "failover.peer", pattern: "failover peer {addr:ipv4}", key: 2 },
  { id: "failover.priority", pattern: "failover priority {prio:int(1..254)}", key: 2 },
  { id: "failover.preempt", pattern: "failover preempt" },
  // Heartbeat interval (ms) and how many missed beats declare the peer dead.
  { id: "failover.heartbeat", pattern: "failover heartbeat {ms:int(50..10000)} {mult:int(2..20)}", key: 2 },
  { id: "failover.gasp-key", pattern: "failover gasp-key {id:int(1..255)} {key:hex(32..64)}", key: 2 },
  { id: "failover.garp.count", pattern: "failover garp count {n:int(1..10)}", key: 3 },
  { id: "failover.garp.spacing", pattern: "failover garp spacing {ms:int(10..5000)}", key: 3 },

  { id: "acl.entry", pattern: "access-list {acl:name} {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(ip|icmp|tcp|udp)} {src:net4} {dst:net4}", key: 3 },
  { id: "acl.entry-port", pattern: "access-list {acl:name} {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(tcp|udp)} {src:net4} {dst:net4} eq {port:int(1..65535)}", key: 3 },

  { id: "slb.real", pattern: "slb serverfarm {farm:name} real {addr:ipv4} {port:int(1..65535)}" },
  { id: "slb.predictor", pattern: "slb serverfarm {farm:name} predictor {alg:enum(roundrobin|leastconns)}", key: 4 },
  { id: "slb.virtual", pattern: "slb vserver {vs:name} virtual {addr:ipv4} {proto:enum(tcp|udp)} {port:int(1..65535)}", key: 4 },
  { id: "slb.serverfarm", pattern: "slb vserver {vs:name} serverfarm {farm:name}", key: 4 },

  { id: "ntp.server", pattern: "ntp server {addr:ipv4}" },
  { id: "logging.host", pattern: "logging host {addr:ipv4}" },
  // The 1.0 hardware had a serial console; 1.1 boards have none.
  { id: "console.baud", pattern: "console baud {baud:enum(9600|19200|38400|115200)}", key: 2 },
];

export const IMAGE_1_0: ImageDef = {
  version: "1.0",
  summary: "first release: flat heartbeat timers, one gasp key, GARP only, IPv4 ACLs, serverfarm/vserver SLB",
  commands: COMMANDS_1_0,
  steps: [],
  dcl: [],
};
