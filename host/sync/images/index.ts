// The images this build ships, oldest first. Adding a version: a v*.ts with its commands, the
// step file(s) joining it to its neighbour, and a line here.

import { Image, ImageDef } from "../image";
import { IMAGE_1_0 } from "./v1_0";
import { IMAGE_1_1 } from "./v1_1";
import { IMAGE_2_0 } from "./v2_0";
import { Registry } from "../pair";

export const SHIPPED: ImageDef[] = [IMAGE_1_0, IMAGE_1_1, IMAGE_2_0];

let registry: Registry | undefined;

/** The shipped images (built once: grammars, CLI dumps and tables are collected at start-up). */
export function shipped(): Registry {
  registry ??= new Registry(SHIPPED.map((d) => new Image(d)));
  return registry;
}
