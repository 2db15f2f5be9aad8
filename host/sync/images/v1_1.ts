// Image 1.1: heartbeat interval and multiplier become separate commands, announcements are
// grouped under "failover announce" and gain an NA count, ACLs move under "ip access-list"
// with sequence keywords and gain an IPv6 family, the MTU floor rises to IPv6's 1280 bytes,
// and the serial console is gone.

import { CommandDef } from "../grammar";
import { ImageDef } from "../image";
import { STEP_1_0_TO_1_1, STEP_1_1_TO_1_0 } from "./step_1_0_1_1";

export const COMMANDS_1_1: CommandDef[] = [
  { id: "hostname", pattern: "hostname {name:hostname}", key: 1 },

  { id: "interface.description", pattern: "interface {if:ifname} description {text:text}", key: 3 },
  { id: "interface.address", pattern: "interface {if:ifname} address {addr:if4}", key: 3 },
  { id: "interface.address6", pattern: "interface {if:ifname} address6 {addr:if6}", key: 3 },
  { id: "interface.mac", pattern: "interface {if:ifname} mac-address {mac:mac}", key: 3 },
  { id: "interface.mtu", pattern: "interface {if:ifname} mtu {mtu:int(1280..9216)}", key: 3 },
  { id: "interface.shutdown", pattern: "interface {if:ifname} shutdown" },
  { id: "interface.ip-access-group", pattern: "interface {if:ifname} ip access-group {dir:enum(in|out)} {acl:name}", key: 5 },
  { id: "interface.ipv6-access-group", pattern: "interface {if:ifname} ipv6 access-group {dir:enum(in|out)} {acl:name}", key: 5 },

  { id: "vip", pattern: "vip {addr:ipv4} interface {if:ifname}", key: 2 },
  { id: "vip6", pattern: "vip6 {addr:ipv6} interface {if:ifname}", key: 2 },

  { id: "failover.peer", pattern: "failover peer {addr:ipv4}", key: 2 },
  { id: "failover.priority", pattern: "failover priority {prio:int(1..254)}", key: 2 },
  { id: "failover.preempt", pattern: "failover preempt" },
  { id: "failover.heartbeat.interval", pattern: "failover heartbeat interval {ms:int(50..10000)}", key: 3 },
  { id: "failover.heartbeat.multiplier", pattern: "failover heartbeat multiplier {mult:int(2..20)}", key: 3 },
  { id: "failover.gasp-key", pattern: "failover gasp-key {id:int(1..255)} {key:hex(32..64)}", key: 2 },
  { id: "failover.announce.garp-count", pattern: "failover announce garp count {n:int(1..10)}", key: 4 },
  { id: "failover.announce.garp-spacing", pattern: "failover announce garp spacing {ms:int(10..5000)}", key: 4 },
  { id: "failover.announce.na-count", pattern: "failover announce na count {n:int(1..10)}", key: 4 },

  { id: "ip.acl.entry", pattern: "ip access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(ip|icmp|tcp|udp)} {src:net4} {dst:net4}", key: 5 },
  { id: "ip.acl.entry-port", pattern: "ip access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(tcp|udp)} {src:net4} {dst:net4} eq {port:int(1..65535)}", key: 5 },
  { id: "ipv6.acl.entry", pattern: "ipv6 access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(ipv6|icmpv6|tcp|udp)} {src:net6} {dst:net6}", key: 5 },
  { id: "ipv6.acl.entry-port", pattern: "ipv6 access-list {acl:name} seq {seq:int(1..65535)} {action:enum(permit|deny)} {proto:enum(tcp|udp)} {src:net6} {dst:net6} eq {port:int(1..65535)}", key: 5 },

  { id: "slb.real", pattern: "slb serverfarm {farm:name} real {addr:ipv4} {port:int(1..65535)}" },
  { id: "slb.predictor", pattern: "slb serverfarm {farm:name} predictor {alg:enum(roundrobin|leastconns)}", key: 4 },
  { id: "slb.virtual", pattern: "slb vserver {vs:name} virtual {addr:ipv4} {proto:enum(tcp|udp)} {port:int(1..65535)}", key: 4 },
  { id: "slb.serverfarm", pattern: "slb vserver {vs:name} serverfarm {farm:name}", key: 4 },

  { id: "ntp.server", pattern: "ntp server {addr:ipv4}" },
  { id: "logging.host", pattern: "logging host {addr:ipv4}" },
];

export const IMAGE_1_1: ImageDef = {
  version: "1.1",
  summary: "split heartbeat timers, 'failover announce' with NA count, 'ip/ipv6 access-list', MTU >= 1280, no serial console",
  commands: COMMANDS_1_1,
  steps: [STEP_1_0_TO_1_1, STEP_1_1_TO_1_0],
  dcl: [{ version: "1.0", id: "console.baud", why: "1.1 boards have no serial console" }],
};
