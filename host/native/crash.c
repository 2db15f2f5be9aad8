/*
 * The crash path: when the host process dies, the armed gasp still leaves — with neither V8
 * nor JavaScript. The release core, translated to C by wasm2c (scripts/gen-native.js), is
 * linked into this addon; at arm time its instance's memory is pointed at the fault core's
 * very linear memory (V8's buffer, not a copy). The core keeps no fault-time state in wasm
 * globals (test/core-globals.test.ts), so the translation continues where V8 left off: the
 * armed templates, keys, sequence numbers and NIC configuration are all in that memory.
 *
 *   SIGSEGV SIGBUS SIGILL SIGFPE SIGABRT   handler on an alternate stack: V8 first
 *                                          (v8::TryHandleWebAssemblyTrapPosix: a wasm trap
 *                                          of V8's own stays a RuntimeError); otherwise
 *   the watchdog thread (no crashKick for    fault_fire, then fault_step rounds, each round's
 *   watchdogMs): SIGABRT to the JS thread,   register operations performed here (the TDT
 *   or the path itself if that never runs    write of a linux port sends); wait until the
 *                                            frames have left the host; the process then
 *                                            dies by the signal it got (core dump and exit
 *                                            status as without lastgasp).
 *
 * Rules on that path: no JavaScript, no allocation, no lock, no stdio; once only (a
 * compare-and-swap; a second fault in another thread waits for the first to finish); every
 * loop bounded. SIGKILL, the OOM killer and a kernel panic cannot run it: there the peer's
 * heartbeat decides.
 *
 * The wasm2c runtime: built without guard pages or a signal handler of its own
 * (WASM_RT_MEMCHECK_SIGNAL_HANDLER=0, explicit bounds checks against the memory's size), so
 * wasm_rt_init installs nothing. Z_core_instantiate allocates a private memory and applies
 * the module's data segments to it — never to V8's memory; the private memory is freed and
 * the instance's memory pointed at V8's buffer (whose data segments V8 applied at its own
 * instantiation; the core never writes its static data). The start function: the core has
 * none (its contract).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "core.h"
#include "wasm-rt-impl.h"

#include "crash.h"
#include "lg_consts.h"
#include "lg_port.h"
#include "softnic.h"

#define NSIGNALS 5
static const int SIGNALS[NSIGNALS] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define ALTSTACK_SIZE (1u << 20)
#define MAX_ROUNDS 10000 /* bounds a core bug, as host/nic/regops.ts runSteps */

typedef bool (*v8_trap_fn)(int, siginfo_t *, void *);

static Z_core_instance_t core_i;
static int module_ready;

static struct {
  volatile int armed;
  volatile int fired; /* 0 until the path is taken, then 1 for good */
  volatile int done;  /* the path finished */
  uint8_t *mem;
  uint32_t mem_size;
  struct lg_crash_opts opts;
  uint64_t arm_ns;
  volatile uint64_t kick_ns;
  volatile int wd_pending; /* the watchdog asked the JS thread to run the path */
  volatile int wd_stop;
  int wd_running;
  pthread_t js_thread, wd_thread;
  v8_trap_fn v8_try;
  void *altstack;
  stack_t old_altstack;
  struct sigaction old[NSIGNALS];
  struct lg_crash_result last;
} g;

/* Sleeps (never spins: lg_delay_us spins short delays, which a thread that waits should not). */
static void sleep_us(uint32_t us) {
  struct timespec t = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000};
  nanosleep(&t, NULL);
}

/* ---- async-signal-safe text ------------------------------------------------------------------ */

struct text {
  uint8_t *p;
  uint32_t n, cap;
};
static void put(struct text *t, const char *s) {
  while (*s && t->n < t->cap) t->p[t->n++] = (uint8_t)*s++;
}
static void put_hex(struct text *t, uint64_t v) {
  char d[19] = "0x";
  int k = 0;
  char r[16];
  do {
    r[k++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v && k < 16);
  int i = 2;
  while (k) d[i++] = r[--k];
  d[i] = 0;
  put(t, d);
}
static void put_dec(struct text *t, uint64_t v) {
  char r[21];
  int k = 0;
  do {
    r[k++] = (char)('0' + v % 10);
    v /= 10;
  } while (v && k < 20);
  char d[21];
  int i = 0;
  while (k) d[i++] = r[--k];
  d[i] = 0;
  put(t, d);
}
static const char *signame(int sig) {
  switch (sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGILL: return "SIGILL";
  case SIGFPE: return "SIGFPE";
  case SIGABRT: return "SIGABRT";
  default: return "signal";
  }
}

/* ---- the fault entry through the translated core --------------------------------------------- */

static uint32_t excerpt(uint32_t cause, int sig, uint64_t addr, uint64_t pc, uint64_t silent_ms) {
  struct text t = {g.mem + g.opts.excerpt_addr, 0, g.opts.excerpt_cap};
  if (cause == GASP_CAUSE_WATCHDOG) {
    put(&t, "watchdog: no kick for ");
    put_dec(&t, silent_ms);
    put(&t, " ms");
  } else if (sig == SIGABRT) {
    put(&t, "SIGABRT: abort()");
  } else {
    put(&t, signame(sig));
    put(&t, " at ");
    put_hex(&t, addr);
  }
  if (pc) {
    put(&t, " pc ");
    put_hex(&t, pc);
  }
  return t.n;
}

/*
 * fault_fire, then fault_step rounds with their register operations, in the translated core
 * over g.mem (or a rehearsal's copy). Returns the core's final status (STEP_DONE when a port
 * confirmed the gasp); LG_CRASH_E_TRAP when the translated core trapped (a core bug).
 */
static int32_t run_entry(uint32_t cause, uint32_t vector, uint64_t pc, uint32_t exlen, struct lg_crash_result *r) {
  uint64_t t0 = lg_now_ns();
  uint64_t up = (t0 - g.arm_ns) / 1000;
  r->rounds = r->regops = 0;
  if (wasm_rt_impl_try() != 0) {
    r->result = LG_CRASH_E_TRAP;
    return r->result;
  }
  int32_t rc = (int32_t)Z_coreZ_fault_fire(&core_i, cause, vector, (uint32_t)(pc >> 32), (uint32_t)pc, (uint32_t)(up >> 32), (uint32_t)up,
                                            g.opts.excerpt_addr, exlen);
  r->fire = rc;
  r->fire_us = (uint32_t)((lg_now_ns() - t0) / 1000);
  if (rc >= 0) {
    for (int round = 0; round < MAX_ROUNDS; round++) {
      rc = (int32_t)Z_coreZ_fault_step(&core_i);
      if (rc != STEP_IO) break;
      int n = lg_perform_regops(&lg_board, core_i.w2c_memory.data, core_i.w2c_memory.size);
      r->rounds++;
      if (n < 0) {
        rc = LG_CRASH_E_REGOPS;
        break;
      }
      r->regops += (uint32_t)n;
    }
  }
  r->result = rc;
  r->sent_us = (uint32_t)((lg_now_ns() - t0) / 1000);
  return rc;
}

/* Every open port: what it was given leaves the host (bounded by opts.drain_us each). */
static void drain_ports(struct lg_crash_result *r) {
  r->drained = 0;
  for (unsigned p = 0; p < LG_MAX_PORTS; p++)
    if (lg_board.port[p].kind != LG_PORT_NONE && lg_port_drain(&lg_board, p, g.opts.drain_us) == 1) r->drained |= 1u << p;
}

/* The path itself, once per process. A second caller waits (bounded) for the first. */
static void take_path(uint32_t cause, int sig, uint64_t addr, uint64_t pc, uint64_t silent_ms) {
  if (__sync_val_compare_and_swap(&g.fired, 0, 1) != 0) {
    for (int i = 0; i < 1000 && !g.done; i++) sleep_us(10000);
    return;
  }
  uint32_t n = excerpt(cause, sig, addr, pc, silent_ms);
  struct lg_crash_result *r = &g.last;
  r->cause = cause;
  run_entry(cause, (uint32_t)sig, pc, n, r);
  uint64_t t = lg_now_ns();
  drain_ports(r);
  r->drain_us = (uint32_t)((lg_now_ns() - t) / 1000);
  __sync_synchronize();
  g.done = 1;
}

/* Ends the process by `sig` with its default action (a core dump where the system keeps them). */
static void die_by(int sig) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  /* In the handler sig is blocked: raise makes it pending, and returning delivers it (or,
   * for a synchronous fault, the faulting instruction runs again and faults for good). */
  raise(sig);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static uint64_t pc_of(void *ucv) {
  ucontext_t *uc = ucv;
  if (!uc) return 0;
#if defined(__x86_64__)
  return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uint64_t)uc->uc_mcontext.pc;
#else
  return 0;
#endif
}

static void on_fatal(int sig, siginfo_t *si, void *ucv) {
  int saved = errno;
  /* V8 first: an out-of-bounds access of its own wasm code resumes at its landing pad and
   * becomes a RuntimeError, as without lastgasp. */
  if ((sig == SIGSEGV || sig == SIGBUS) && g.v8_try && g.v8_try(sig, si, ucv)) {
    errno = saved;
    return;
  }
  if (g.armed) {
    int watchdog = sig == SIGABRT && g.wd_pending && si && si->si_code == SI_TKILL;
    uint32_t cause = watchdog ? GASP_CAUSE_WATCHDOG : sig == SIGABRT ? GASP_CAUSE_EXCEPTION : GASP_CAUSE_TRAP;
    uint64_t silent = watchdog ? (lg_now_ns() - g.kick_ns) / 1000000 : 0;
    take_path(cause, sig, si ? (uint64_t)(uintptr_t)si->si_addr : 0, pc_of(ucv), silent);
  }
  die_by(sig);
  errno = saved;
}

/* ---- the watchdog thread ------------------------------------------------------------------------ */


static void *watchdog_main(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL); /* process-directed signals go to other threads */
  uint64_t period_ns = (uint64_t)g.opts.watchdog_ms * 1000000u;
  uint32_t tick_us = g.opts.watchdog_ms * 1000u / 8;
  if (tick_us < 1000) tick_us = 1000;
  if (tick_us > 50000) tick_us = 50000;
  while (!g.wd_stop) {
    sleep_us(tick_us);
    if (g.wd_stop || !g.armed) continue;
    uint64_t now = lg_now_ns(), last = g.kick_ns;
    if (now < last || now - last < period_ns) continue;
    /* A hang: the path runs on the JavaScript thread (its stack in a core dump shows where
     * it hung), unless that thread never takes the signal (blocked, or stuck in the kernel). */
    g.wd_pending = 1;
    __sync_synchronize();
    pthread_kill(g.js_thread, SIGABRT);
    for (int i = 0; i < 200 && !g.fired; i++) sleep_us(1000);
    if (!g.fired) {
      take_path(GASP_CAUSE_WATCHDOG, 0, 0, 0, (lg_now_ns() - last) / 1000000);
      struct sigaction dfl;
      memset(&dfl, 0, sizeof dfl);
      dfl.sa_handler = SIG_DFL;
      sigaction(SIGABRT, &dfl, NULL);
      kill(getpid(), SIGABRT);
    }
    for (;;) sleep_us(1000000); /* the process ends */
  }
  return NULL;
}

/* ---- arming ----------------------------------------------------------------------------------- */

void lg_crash_kick(void) { g.kick_ns = lg_now_ns(); }

int lg_crash_armed(void) { return g.armed; }
int lg_crash_fired(void) { return g.fired; }
int lg_crash_watchdog(void) { return g.wd_running; }

static int init_module(void) {
  if (module_ready) return 0;
  wasm_rt_init(); /* installs nothing: built without the signal-handler memory checks */
  Z_core_init_module();
  /* Instantiate (private memory, the module's data segments applied to it), then free that
   * memory: the instance's memory is V8's buffer from now on. */
  Z_core_instantiate(&core_i);
  wasm_rt_free_memory(&core_i.w2c_memory);
  core_i.w2c_memory.data = NULL;
  core_i.w2c_memory.size = 0;
  module_ready = 1;
  return 0;
}

/* Points the instance at mem (V8's buffer, or a rehearsal's copy). */
static void point_at(uint8_t *mem, uint32_t size) {
  core_i.w2c_memory.data = mem;
  core_i.w2c_memory.size = size;
  core_i.w2c_memory.pages = size / PAGE_SIZE;
  core_i.w2c_memory.max_pages = size / PAGE_SIZE;
}

/*
 * The rehearsal: the whole path once, at arm time, on a copy of the memory with the board in
 * dry mode (nothing reaches a device or the wire; linux ports' soft e1000 state saved and
 * restored), so the first real run is not the first execution of its code and data.
 */
static int rehearse(struct lg_crash_result *r) {
  /* The copy has the memory's full size (the translated core checks bounds against it), but
   * only what the fault path reads is copied: everything below the end of the DMA region
   * (static data, STATE, the ABI slots, frames, REGOP, GASP, the rings). The switching
   * path's tables above it stay untouched zero pages. */
  uint8_t *copy = mmap(NULL, g.mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct lg_softnic *saved[LG_MAX_PORTS] = {0};
  if (copy == MAP_FAILED) return -ENOMEM;
  uint32_t used = (uint32_t)DMA_BASE + (uint32_t)DMA_SIZE < g.mem_size ? (uint32_t)DMA_BASE + (uint32_t)DMA_SIZE : g.mem_size;
  memcpy(copy, g.mem, used);
  for (unsigned p = 0; p < LG_MAX_PORTS; p++) {
    struct lg_softnic *n = lg_board.port[p].kind == LG_PORT_LINUX ? lg_board.port[p].lx.nic : NULL;
    if (!n) continue;
    saved[p] = malloc(sizeof *n);
    if (!saved[p]) {
      for (unsigned q = 0; q < p; q++) free(saved[q]);
      munmap(copy, g.mem_size);
      return -ENOMEM;
    }
    memcpy(saved[p], n, sizeof *n);
  }
  uint8_t *host[LG_MAX_WINDOWS];
  for (unsigned w = 0; w < lg_board.windows; w++) {
    host[w] = lg_board.window[w].host;
    if (host[w] >= g.mem && host[w] < g.mem + g.mem_size) lg_board.window[w].host = copy + (host[w] - g.mem);
  }
  lg_dry_reset();
  lg_board.dry = 1;
  point_at(copy, g.mem_size);
  struct text t = {copy + g.opts.excerpt_addr, 0, g.opts.excerpt_cap};
  put(&t, "rehearsal");
  uint64_t t0 = lg_now_ns();
  run_entry(GASP_CAUSE_TRAP, 0, 0, t.n, r);
  drain_ports(r);
  r->drain_us = 0;
  r->sent_us = (uint32_t)((lg_now_ns() - t0) / 1000);
  point_at(g.mem, g.mem_size);
  lg_board.dry = 0;
  for (unsigned w = 0; w < lg_board.windows; w++) lg_board.window[w].host = host[w];
  for (unsigned p = 0; p < LG_MAX_PORTS; p++) {
    if (!saved[p]) continue;
    memcpy(lg_board.port[p].lx.nic, saved[p], sizeof *saved[p]);
    free(saved[p]);
  }
  munmap(copy, g.mem_size);
  return 0;
}

int lg_crash_arm(uint8_t *mem, uint32_t mem_size, const struct lg_crash_opts *opts, struct lg_crash_arm_report *rep, const char **what) {
  memset(rep, 0, sizeof *rep);
  uint64_t t0 = lg_now_ns();
  if (g.fired) return (*what = "the crash path already ran in this process", -EALREADY);
  if (g.armed) lg_crash_disarm();
  if ((uint64_t)opts->excerpt_addr + opts->excerpt_cap > mem_size) return (*what = "excerpt outside the core's memory", -EINVAL);
  init_module();
  g.mem = mem;
  g.mem_size = mem_size;
  g.opts = *opts;
  g.arm_ns = lg_now_ns();
  g.kick_ns = g.arm_ns;
  g.wd_pending = 0;
  g.js_thread = pthread_self();
  point_at(mem, mem_size);
  g.v8_try = (v8_trap_fn)dlsym(RTLD_DEFAULT, "_ZN2v829TryHandleWebAssemblyTrapPosixEiP9siginfo_tPv");
  rep->v8_trap_handler = g.v8_try != NULL;

  if (opts->rehearse) {
    int rc = rehearse(&rep->rehearsal);
    if (rc < 0) return (*what = "rehearsal", rc);
    rep->rehearsed = 1;
  }

  /* The alternate stack, touched now so the handler does not fault its pages in later. */
  if (!g.altstack) {
    g.altstack = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g.altstack == MAP_FAILED) {
      g.altstack = NULL;
      return (*what = "mmap(alternate stack)", -errno);
    }
    memset(g.altstack, 0, ALTSTACK_SIZE);
  }
  stack_t ss = {.ss_sp = g.altstack, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
  if (sigaltstack(&ss, &g.old_altstack) < 0) return (*what = "sigaltstack", -errno);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&sa.sa_mask); /* nothing else interrupts the path */
  for (int i = 0; i < NSIGNALS; i++) {
    if (sigaction(SIGNALS[i], &sa, &g.old[i]) < 0) {
      int e = errno;
      for (int j = 0; j < i; j++) sigaction(SIGNALS[j], &g.old[j], NULL);
      sigaltstack(&g.old_altstack, NULL);
      return (*what = "sigaction", -e);
    }
  }
  g.armed = 1;
  if (opts->watchdog_ms > 0) {
    g.wd_stop = 0;
    if (pthread_create(&g.wd_thread, NULL, watchdog_main, NULL) != 0) {
      lg_crash_disarm();
      return (*what = "pthread_create(watchdog)", -EAGAIN);
    }
    g.wd_running = 1;
  }
  rep->us = (uint32_t)((lg_now_ns() - t0) / 1000);
  g.kick_ns = lg_now_ns(); /* arming (a rehearsal on a slow machine) is not a hang */
  return 0;
}

void lg_crash_disarm(void) {
  if (!g.armed) return;
  g.armed = 0;
  if (g.wd_running) {
    g.wd_stop = 1;
    pthread_join(g.wd_thread, NULL);
    g.wd_running = 0;
  }
  for (int i = 0; i < NSIGNALS; i++) sigaction(SIGNALS[i], &g.old[i], NULL);
  sigaltstack(&g.old_altstack, NULL);
}

const struct lg_crash_result *lg_crash_last(void) { return &g.last; }

/* region_digest through the translated core, over the memory it is armed on (tests: the
 * instance reads V8's buffer, not a copy). -1 when not armed or on a trap. */
int32_t lg_crash_digest(uint32_t p, uint32_t len) {
  if (!g.armed || !core_i.w2c_memory.data) return -1;
  if (wasm_rt_impl_try() != 0) return -1;
  return (int32_t)Z_coreZ_region_digest(&core_i, p, len);
}
