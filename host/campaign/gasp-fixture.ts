// Shared set-up for the gasp tests: a two-port board config on documentation addresses,
// armed senders and configured receivers, each on its own core instance.

import { Core } from "../core/core";
import { GaspSender, GaspReceiver } from "../gasp/gasp";
import { GaspConfig, GaspPortConfig, GaspRxConfig } from "../gasp/repr";
import { parseIPv4, parseMac } from "../util/addr";

export const CHASSIS = 0x2a2a0001;
export const KEY = Uint8Array.from(Buffer.from("lastgasp test chassis key, 32 b!"));
export const KEY_ID = 1;

/** Port 0: untagged backplane (raw + UDP); port 1: tagged uplink (raw + UDP). */
export function boardPorts(unit = 1): GaspPortConfig[] {
  return [
    {
      ownMac: parseMac(`02:00:00:00:00:0${unit}`), peerMac: parseMac("02:00:00:00:00:0f"),
      ownIp: parseIPv4(`192.0.2.${unit}`), peerIp: parseIPv4("192.0.2.15"), encaps: ["raw", "udp"],
    },
    {
      ownMac: parseMac(`02:00:00:00:01:0${unit}`), peerMac: parseMac("02:00:00:00:01:0f"),
      ownIp: parseIPv4(`198.51.100.${unit}`), peerIp: parseIPv4("198.51.100.15"), vlanTci: 0xa064, encaps: ["raw", "udp"],
    },
  ];
}

export function baseConfig(over: Partial<GaspConfig> = {}): GaspConfig {
  return { chassis: CHASSIS, unit: 1, role: 1, priority: 200, keySlot: 0, boot: 7, epoch: 3, copies: 3, ports: boardPorts(over.unit ?? 1), ...over };
}

export function armedSender(over: Partial<GaspConfig> = {}, key = KEY, keyId = KEY_ID): GaspSender {
  const tx = new GaspSender(Core.load());
  tx.setKey(over.keySlot ?? 0, key, keyId);
  tx.arm(baseConfig(over));
  return tx;
}

export function receiver(over: Partial<GaspRxConfig> = {}, keys: [number, Uint8Array][] = [[KEY_ID, KEY]]): GaspReceiver {
  const core = Core.load();
  const keyer = new GaspSender(core);
  keys.forEach(([id, key], slot) => keyer.setKey(slot, key, id));
  const rx = new GaspReceiver(core);
  rx.configure({ chassis: CHASSIS, ownUnit: 2, ...over });
  return rx;
}
