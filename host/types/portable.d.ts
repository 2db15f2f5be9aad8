// AssemblyScript's integer type names as plain numbers, so the portable files in
// assembly/shared/ (constants and small pure functions) type-check under tsc too.
// Keep portable code to values and arithmetic that mean the same in both: results below
// 2^31, bit operations on i32.

type i8 = number;
type i16 = number;
type i32 = number;
type u8 = number;
type u16 = number;
type u32 = number;
type isize = number;
type usize = number;
type bool = boolean;
