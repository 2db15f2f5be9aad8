// Loads build/core.wasm with Node's WebAssembly and gives the host typed access to it: the
// raw exports, byte access to linear memory, and the fixed slots of the memory map.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as MAP from "../../assembly/shared/memmap";
import { ABI_VERSION } from "../../assembly/shared/abi";
import { CoreError } from "./status";
import { BUILD_DIR } from "../paths";

export { BUILD_DIR };
export const CORE_WASM = path.join(BUILD_DIR, "core.wasm");

/** The core's exports as the host sees them. Every function returns an i32. */
export type CoreExports = { memory: WebAssembly.Memory } & Record<string, (...args: number[]) => number>;

const compiled = new Map<string, WebAssembly.Module>();

function compile(file: string): WebAssembly.Module {
  let mod = compiled.get(file);
  if (!mod) {
    if (!fs.existsSync(file)) {
      throw new Error(`${path.relative(process.cwd(), file)} is missing: build the core first (make, or npm install)`);
    }
    mod = new WebAssembly.Module(fs.readFileSync(file));
    compiled.set(file, mod);
  }
  return mod;
}

export class Core {
  readonly exports: CoreExports;
  /** All of linear memory. The memory never grows, so these views stay valid. */
  readonly bytes: Uint8Array;
  readonly view: DataView;

  private constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as CoreExports;
    const buf = this.exports.memory.buffer;
    this.bytes = new Uint8Array(buf);
    this.view = new DataView(buf);
  }

  /** A fresh, initialised instance (each has its own memory). */
  static load(file: string = CORE_WASM): Core {
    const core = new Core(new WebAssembly.Instance(compile(file), {}));
    const abi = core.exports.abi_version();
    if (abi !== ABI_VERSION) throw new Error(`core ABI ${abi}, host expects ${ABI_VERSION}: rebuild the core`);
    core.call("init");
    return core;
  }

  /**
   * A fresh, initialised instance of a core given as bytes (a booted image's core part),
   * compiled once per content. Throws WebAssembly.CompileError for bytes that are not a valid
   * module, and Error for a core of another ABI: that core does not run here.
   */
  static fromBytes(bytes: Uint8Array): Core {
    const key = `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;
    let mod = compiled.get(key);
    if (!mod) {
      // A copy on an ArrayBuffer of its own: BufferSource does not take a view of a SharedArrayBuffer.
      mod = new WebAssembly.Module(new Uint8Array(bytes));
      compiled.set(key, mod);
    }
    const core = new Core(new WebAssembly.Instance(mod, {}));
    const abi = core.exports.abi_version?.();
    if (abi !== ABI_VERSION) throw new Error(`core ABI ${abi}, host expects ${ABI_VERSION}`);
    core.call("init");
    return core;
  }

  /** Calls an export; a negative result throws CoreError. Returns the (non-negative) value. */
  call(fn: string, ...args: number[]): number {
    const f = this.exports[fn];
    if (typeof f !== "function") throw new Error(`core has no export ${fn}`);
    const rc = f(...args);
    if (rc < 0) throw new CoreError(fn, rc);
    return rc;
  }

  write(ptr: number, data: Uint8Array): void {
    this.bytes.set(data, ptr);
  }

  /** A copy of [ptr, ptr+len). */
  read(ptr: number, len: number): Uint8Array {
    return this.bytes.slice(ptr, ptr + len);
  }

  /** Address of ABI argument slot i (memmap.ts ABI_BASE). */
  static slot(i: number): number {
    if (i < 0 || i >= MAP.ABI_SLOT_COUNT) throw new RangeError(`ABI slot ${i}`);
    return MAP.ABI_BASE + i * MAP.ABI_SLOT_SIZE;
  }

  /** Address of frame buffer i (memmap.ts FRAME_BASE); each holds FRAME_SLOT_SIZE bytes. */
  static frame(i: number): number {
    if (i < 0 || i >= MAP.FRAME_SLOT_COUNT) throw new RangeError(`frame slot ${i}`);
    return MAP.FRAME_BASE + i * MAP.FRAME_SLOT_SIZE;
  }
}
