// An image: one software version's command grammar, the transformation table it carries
// (tft.ts) and its don't-care list (DCL): commands that need not reach a peer that lacks
// them, because they only affect the unit they are configured on.

import { CommandDef, Grammar } from "./grammar";
import { Step, Tft } from "./tft";

export interface DclEntry {
  /** The version whose command this is, and its id there. */
  version: string;
  id: string;
  /** Why it is safe not to sync it (shown in reports). */
  why: string;
}

export interface ImageDef {
  version: string;
  summary: string;
  commands: CommandDef[];
  /** The version steps this image can transform across. */
  steps: Step[];
  dcl: DclEntry[];
}

export class Image {
  readonly version: string;
  readonly summary: string;
  readonly grammar: Grammar;
  readonly tft: Tft;
  readonly dcl: readonly DclEntry[];

  constructor(def: ImageDef) {
    this.version = def.version;
    this.summary = def.summary;
    this.grammar = new Grammar(def.version, def.commands);
    this.tft = new Tft(def.steps);
    this.dcl = def.dcl;
  }

  /** The CLI dump (grammar.ts): collected once, sorted, no duplicates. */
  get dump(): readonly string[] {
    return this.grammar.dump;
  }

  dclEntry(version: string, id: string): DclEntry | undefined {
    return this.dcl.find((d) => d.version === version && d.id === id);
  }
}
