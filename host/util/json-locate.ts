// Where each value of a JSON text is: JSON Pointer (RFC 6901) -> line and column, so a
// problem found in the parsed value can name the place in the file. A small scanner over
// text JSON.parse has already accepted; members are located at their key (where an editor
// should put the cursor for "unknown field" as for "wrong value"), array items at the item.

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
}

/** "~" and "/" escaped as RFC 6901 §3 says. */
export function pointerToken(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Positions of every value in a JSON text that parses; an empty map when it does not scan. */
export function locateJson(text: string): Map<string, Position> {
  const out = new Map<string, Position>();
  let i = 0;
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const pos = (at: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - lineStarts[lo] + 1 };
  };
  const ws = () => {
    while (i < text.length && " \t\r\n\ufeff".includes(text[i])) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (ptr: string, at: number | null): void => {
    ws();
    if (!out.has(ptr)) out.set(ptr, pos(at ?? i));
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        const keyAt = i;
        const key = str();
        ws();
        i++; // ':'
        value(`${ptr}/${pointerToken(key)}`, keyAt);
        ws();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (let n = 0; ; n++) {
        value(`${ptr}/${n}`, null);
        ws();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') return void str();
    while (i < text.length && !",}] \t\r\n".includes(text[i])) i++;
  };
  try {
    value("", null);
  } catch {
    return new Map();
  }
  return out;
}

/** The position of a pointer, or of its nearest ancestor that exists (a missing field: its object). */
export function positionOf(map: Map<string, Position>, pointer: string): Position | undefined {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
    const hit = map.get(p);
    if (hit || p === "") return hit;
  }
}

/** The value at a JSON Pointer, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  let v: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** "line L column C" of a JSON.parse error message, from the position V8 reports. */
export function parseErrorPosition(text: string, message: string): Position | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /position (\d+)/.exec(message);
  if (!at) {
    // "Unexpected end of JSON input": the end of the text.
    if (/end of JSON/.test(message)) {
      const lines = text.split("\n");
      return { line: lines.length, column: lines[lines.length - 1].length + 1 };
    }
    return undefined;
  }
  const before = text.slice(0, Number(at[1]));
  return { line: before.split("\n").length, column: before.length - before.lastIndexOf("\n") };
}
