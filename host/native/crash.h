/* The crash path (crash.c): arm, kick, disarm, and what the last run did. */
#ifndef LG_CRASH_H
#define LG_CRASH_H

#include <stdint.h>

#define LG_CRASH_E_TRAP (-1000)   /* the translated core trapped: a core bug */
#define LG_CRASH_E_REGOPS (-1001) /* the performer refused a register-operation list */

struct lg_crash_opts {
  uint32_t watchdog_ms;  /* 0: no watchdog thread */
  uint32_t excerpt_addr; /* where the handler writes its excerpt in the core's memory */
  uint32_t excerpt_cap;
  uint32_t drain_us;     /* per port, after the core confirmed */
  int rehearse;          /* run the whole path once now, on a copy, nothing sent */
};

/* One run of the path (a rehearsal, or the real one). */
struct lg_crash_result {
  uint32_t cause;
  int32_t fire;     /* fault_fire's answer: frames built, or a negative status */
  int32_t result;   /* fault_step's last answer (STEP_DONE: a port confirmed), or LG_CRASH_E_* */
  uint32_t rounds;  /* register-operation rounds */
  uint32_t regops;  /* register operations performed */
  uint32_t fire_us; /* fault_fire alone */
  uint32_t sent_us; /* fault_fire and every round */
  uint32_t drain_us;
  uint32_t drained; /* bit p: port p's frames left the host */
};

struct lg_crash_arm_report {
  int v8_trap_handler; /* v8::TryHandleWebAssemblyTrapPosix found: V8's wasm traps go to V8 first */
  int rehearsed;
  struct lg_crash_result rehearsal;
  uint32_t us; /* the whole arm */
};

/* Arms over mem (V8's buffer of the fault core). 0, or -errno with *what naming the step. */
int lg_crash_arm(uint8_t *mem, uint32_t mem_size, const struct lg_crash_opts *opts, struct lg_crash_arm_report *rep, const char **what);
void lg_crash_disarm(void);
void lg_crash_kick(void);
int lg_crash_armed(void);
int lg_crash_fired(void);
int lg_crash_watchdog(void);
const struct lg_crash_result *lg_crash_last(void);
int32_t lg_crash_digest(uint32_t p, uint32_t len);

#endif
