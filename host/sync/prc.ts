// Parser return codes: what the standby's parser said about each line it applied. The active
// reads them back (in VERIFY and CMD_ACK) so that a line that does not take on the standby is
// never lost silently.

import { ParseFailure } from "./grammar";

export const PRC_OK = 0;
export const PRC_UNKNOWN_COMMAND = 1;
export const PRC_BAD_VALUE = 2;
export const PRC_SYNTAX = 3;
/** The standby's upgrade transform refused the line (policy decides). */
export const PRC_REFUSED = 4;
export const PRC_TRANSFORM_ERROR = 5;

export const PRC_NAMES: Record<number, string> = {
  [PRC_OK]: "ok",
  [PRC_UNKNOWN_COMMAND]: "unknown-command",
  [PRC_BAD_VALUE]: "bad-value",
  [PRC_SYNTAX]: "syntax",
  [PRC_REFUSED]: "refused",
  [PRC_TRANSFORM_ERROR]: "transform-error",
};

export function prcOfParse(f: ParseFailure): number {
  return f === "unknown" ? PRC_UNKNOWN_COMMAND : f === "value" ? PRC_BAD_VALUE : PRC_SYNTAX;
}

export function prcName(prc: number): string {
  return PRC_NAMES[prc] ?? `prc-${prc}`;
}
