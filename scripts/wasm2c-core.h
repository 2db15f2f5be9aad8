/*
 * Calling the wasm2c-translated core by export name (scripts/wasm2c-core.sh writes core.h and
 * exports.inc): the export table, the lookup, and a call that turns a trap into a flag. Shared
 * by the QEMU rig's guest harness and `lastgasp check --engine native`'s runner. Every export
 * takes and returns only i32 (the core's contract), so a name and an arity are all it takes.
 * The includer defines `static Z_core_instance_t core;` before including this file.
 */
#ifndef LASTGASP_WASM2C_CORE_H
#define LASTGASP_WASM2C_CORE_H

#include <string.h>

#include "core.h"
#include "wasm-rt-impl.h"

typedef u32 (*export_fn)();
struct export { const char *name; int arity; export_fn fn; };
static const struct export exports[] = {
#include "exports.inc" /* {"name", arity, (export_fn)Z_coreZ_name}, */
};
#define EXPORT_COUNT (sizeof exports / sizeof exports[0])

static const struct export *find_export(const char *name) {
  for (size_t i = 0; i < EXPORT_COUNT; i++)
    if (strcmp(exports[i].name, name) == 0) return &exports[i];
  return NULL;
}

/* Calls an export with up to 8 arguments; a trap longjmps back here and is reported as *trap != 0. */
static u32 call_export(const struct export *x, const u32 *a, int *trap) {
  Z_core_instance_t *c = &core;
  *trap = wasm_rt_impl_try();
  if (*trap) return 0;
  switch (x->arity) {
  case 0: return x->fn(c);
  case 1: return x->fn(c, a[0]);
  case 2: return x->fn(c, a[0], a[1]);
  case 3: return x->fn(c, a[0], a[1], a[2]);
  case 4: return x->fn(c, a[0], a[1], a[2], a[3]);
  case 5: return x->fn(c, a[0], a[1], a[2], a[3], a[4]);
  case 6: return x->fn(c, a[0], a[1], a[2], a[3], a[4], a[5]);
  case 7: return x->fn(c, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  default: return x->fn(c, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  }
}

#endif
