// The core's export surface. Each subsystem declares its exports in its own file; this
// entry re-exports them. The contract every export obeys is in docs/core-abi.md: no imports,
// i32 results, pointers range-checked, no allocation, bad input never traps.

import "./abort"; // the custom abort (asconfig "use"); imported so the compiler sees it

export * from "./exports/wire";
export * from "./exports/nic";
export * from "./exports/gasp";
export * from "./exports/ha";
export * from "./exports/fault";
export * from "./exports/switch";
export * from "./exports/engine";
export * from "./exports/image";
export * from "./exports/dialect";
export * from "./exports/flash";
