// Reads a WebAssembly binary's type, import, function, memory, export and start sections
// (WebAssembly Core Specification §5.5) — enough to check the core's contract without
// trusting any engine's reflection API.

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref" | string;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface WasmExport {
  name: string;
  kind: "func" | "table" | "memory" | "global" | string;
  index: number;
  /** For functions: the signature. */
  type?: FuncType;
}

export interface WasmInfo {
  imports: { module: string; name: string; kind: string }[];
  exports: WasmExport[];
  memories: { min: number; max?: number }[];
  hasStart: boolean;
}

const VALTYPES: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
const KINDS = ["func", "table", "memory", "global"];

export function inspectWasm(bin: Uint8Array): WasmInfo {
  let pos = 0;
  const byte = () => {
    if (pos >= bin.length) throw new Error("wasm: unexpected end");
    return bin[pos++];
  };
  const uleb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const name = () => {
    const n = uleb();
    const s = Buffer.from(bin.subarray(pos, pos + n)).toString("utf8");
    pos += n;
    return s;
  };
  const limits = () => {
    const flag = byte();
    const min = uleb();
    return flag & 1 ? { min, max: uleb() } : { min };
  };

  if (bin.length < 8 || bin[0] !== 0 || bin[1] !== 0x61 || bin[2] !== 0x73 || bin[3] !== 0x6d) throw new Error("not a wasm binary");
  pos = 8;
  const types: FuncType[] = [];
  const funcTypeIdx: number[] = []; // imported functions first, then defined
  const info: WasmInfo = { imports: [], exports: [], memories: [], hasStart: false };
  const rawExports: { name: string; kind: number; index: number }[] = [];

  while (pos < bin.length) {
    const id = byte();
    const size = uleb();
    const end = pos + size;
    switch (id) {
      case 1: // type
        for (let n = uleb(); n > 0; n--) {
          if (byte() !== 0x60) throw new Error("wasm: bad functype");
          const params = Array.from({ length: uleb() }, () => VALTYPES[byte()] ?? "?");
          const results = Array.from({ length: uleb() }, () => VALTYPES[byte()] ?? "?");
          types.push({ params, results });
        }
        break;
      case 2: // import
        for (let n = uleb(); n > 0; n--) {
          const module = name();
          const field = name();
          const kind = byte();
          info.imports.push({ module, name: field, kind: KINDS[kind] ?? String(kind) });
          if (kind === 0) funcTypeIdx.push(uleb());
          else if (kind === 1) { byte(); limits(); }
          else if (kind === 2) info.memories.push(limits());
          else if (kind === 3) { byte(); byte(); }
        }
        break;
      case 3: // function
        for (let n = uleb(); n > 0; n--) funcTypeIdx.push(uleb());
        break;
      case 5: // memory
        for (let n = uleb(); n > 0; n--) info.memories.push(limits());
        break;
      case 7: // export
        for (let n = uleb(); n > 0; n--) rawExports.push({ name: name(), kind: byte(), index: uleb() });
        break;
      case 8: // start
        info.hasStart = true;
        break;
    }
    pos = end;
  }
  for (const e of rawExports) {
    const ex: WasmExport = { name: e.name, kind: KINDS[e.kind] ?? String(e.kind), index: e.index };
    if (e.kind === 0) ex.type = types[funcTypeIdx[e.index]];
    info.exports.push(ex);
  }
  return info;
}
