// Shared set-up for tests: a fresh core instance and its codec.

import { Core } from "../../host/core/core";
import { WireCodec } from "../../host/wire/codec";

export function freshCodec(): WireCodec {
  return new WireCodec(Core.load());
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
export const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/[^0-9a-f]/gi, ""), "hex"));
