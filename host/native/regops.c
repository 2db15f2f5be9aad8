/*
 * The register-operation protocol's host half in C (lg_port.h): the port table, one register
 * dispatched on the port's kind, a whole list performed in order, delays, draining. The
 * TypeScript twin is host/nic/regops.ts. Everything here is async-signal-safe: the crash
 * handler (crash.c) runs it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include "lg_port.h"
#include "lg_consts.h"
#include "softnic.h"

struct lg_board lg_board = {0};

uint64_t lg_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Delays up to this long spin on the clock instead of sleeping, as a kernel's udelay does:
 * the register-operation protocol's delays are poll intervals of microseconds, and a sleep on
 * a busy machine gives the CPU away for a whole scheduling slice (milliseconds) — on the
 * crash path, between a ring reset and its doorbell. */
#define SPIN_MAX_US 2000

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

void lg_delay_us(uint32_t us) {
  if (us == 0) return;
  if (us <= SPIN_MAX_US) {
    uint64_t end = lg_now_ns() + (uint64_t)us * 1000;
    for (uint32_t i = 0; i < 100000000u && lg_now_ns() < end; i++) CPU_RELAX();
    return;
  }
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += us / 1000000u;
  until.tv_nsec += (long)(us % 1000000u) * 1000;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  /* An absolute deadline: a signal that interrupts the sleep does not stretch it. Bounded:
   * each EINTR is a delivered signal, and the deadline does not move. */
  for (int i = 0; i < 1000; i++)
    if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != EINTR) return;
}

/* ---- rehearsal: a pci port answers from a shadow, never from the device ---------------------
 * Small open-addressed table per port (offset -> last value written). Reads of STATUS say the
 * link is up; a TX queue's TDH reads as its TDT (the engine finished at once); TXDCTL reads
 * back QUEUE_ENABLE as written. Enough for the core's takeover and confirmation to run their
 * whole path; MDIC reads READY. */
#define DRY_SLOTS 128
static struct {
  uint32_t off[DRY_SLOTS];
  uint32_t val[DRY_SLOTS];
  uint8_t used[DRY_SLOTS];
} dry_shadow[LG_MAX_PORTS];

void lg_dry_reset(void) { memset(dry_shadow, 0, sizeof dry_shadow); }

static uint32_t *dry_slot(unsigned port, uint32_t off, int create) {
  unsigned h = (off >> 2) * 2654435761u % DRY_SLOTS;
  for (unsigned i = 0; i < DRY_SLOTS; i++) {
    unsigned s = (h + i) % DRY_SLOTS;
    if (dry_shadow[port].used[s] && dry_shadow[port].off[s] == off) return &dry_shadow[port].val[s];
    if (!dry_shadow[port].used[s]) {
      if (!create) return NULL;
      dry_shadow[port].used[s] = 1;
      dry_shadow[port].off[s] = off;
      dry_shadow[port].val[s] = 0;
      return &dry_shadow[port].val[s];
    }
  }
  return NULL;
}

static uint32_t dry_read(unsigned port, uint32_t off) {
  if (off == REG_STATUS) return STATUS_RESET_VALUE;
  if (off == REG_MDIC) { /* a PHY access completes at once */
    uint32_t *m = dry_slot(port, off, 0);
    return (m ? *m : 0) | MDIC_READY;
  }
  /* TDH of any TX queue (0x3810 + 0x100 n) reads as its TDT. */
  if (off >= REG_TDBAL && off < REG_TDBAL + 0x100 * I210_TX_QUEUES && (off & 0xff) == TXQ_OFF_TDH) {
    uint32_t *t = dry_slot(port, off - TXQ_OFF_TDH + TXQ_OFF_TDT, 0);
    return t ? *t : 0;
  }
  uint32_t *v = dry_slot(port, off, 0);
  return v ? *v : 0;
}

static void dry_write(unsigned port, uint32_t off, uint32_t v) {
  uint32_t *s = dry_slot(port, off, 1);
  if (s) *s = (off == REG_CTRL) ? (v & ~(uint32_t)CTRL_RST) : v;
}

/* ---- one register ------------------------------------------------------------------------- */

uint32_t lg_port_read32(struct lg_board *b, unsigned port, uint32_t offset) {
  if (port >= LG_MAX_PORTS) return 0xffffffffu;
  struct lg_port *p = &b->port[port];
  switch (p->kind) {
  case LG_PORT_PCI:
    if (b->dry) return dry_read(port, offset);
    if ((offset & 3) || (size_t)offset + 4 > p->pci.bar_len || !p->pci.bar) return 0xffffffffu;
    return p->pci.bar[offset >> 2];
  case LG_PORT_LINUX:
    return sn_read32(p->lx.nic, offset);
  default:
    return 0xffffffffu; /* nothing there: what a read of a missing PCI device returns */
  }
}

void lg_port_write32(struct lg_board *b, unsigned port, uint32_t offset, uint32_t value) {
  if (port >= LG_MAX_PORTS) return;
  struct lg_port *p = &b->port[port];
  switch (p->kind) {
  case LG_PORT_PCI:
    if (b->dry) {
      dry_write(port, offset, value);
      return;
    }
    if ((offset & 3) || (size_t)offset + 4 > p->pci.bar_len || !p->pci.bar) return;
    p->pci.bar[offset >> 2] = value;
    return;
  case LG_PORT_LINUX:
    sn_write32(p->lx.nic, offset, value);
    return;
  default:
    return;
  }
}

/* ---- a whole list ------------------------------------------------------------------------- */

static uint32_t ld32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v; /* little-endian host, as the core's memory */
}

int lg_perform_regops(struct lg_board *b, uint8_t *mem, uint32_t mem_size) {
  if ((uint64_t)REGOP_BASE + REGOP_SIZE > mem_size) return LG_REGOPS_E_COUNT;
  uint32_t count = ld32(mem + REGOP_BASE + REGOP_OFF_COUNT);
  if (count > REGOP_MAX) return LG_REGOPS_E_COUNT;
  if ((uint64_t)REGOP_OFF_ENTRIES + (uint64_t)count * REGOP_ENTRY_SIZE > REGOP_SIZE) return LG_REGOPS_E_COUNT;
  __sync_synchronize(); /* the core's descriptor stores before any doorbell */
  for (uint32_t i = 0; i < count; i++) {
    uint8_t *e = mem + REGOP_BASE + REGOP_OFF_ENTRIES + i * REGOP_ENTRY_SIZE;
    uint8_t kind = e[REGOP_E_KIND];
    uint8_t port = e[REGOP_E_PORT];
    uint32_t off = ld32(e + REGOP_E_OFFSET);
    uint32_t val = ld32(e + REGOP_E_VALUE);
    if (kind == REGOP_DELAY_US) {
      if (!b->dry) lg_delay_us(val);
    } else if (port >= LG_MAX_PORTS) {
      return LG_REGOPS_E_PORT;
    } else if (kind == REGOP_WRITE) {
      lg_port_write32(b, port, off, val);
    } else if (kind == REGOP_READ) {
      val = lg_port_read32(b, port, off);
      memcpy(e + REGOP_E_VALUE, &val, 4);
    } else {
      return LG_REGOPS_E_KIND;
    }
  }
  __sync_synchronize(); /* what the device wrote before the core reads it */
  return (int)count;
}

int lg_port_drain(struct lg_board *b, unsigned port, uint32_t budget_us) {
  if (port >= LG_MAX_PORTS) return -1;
  struct lg_port *p = &b->port[port];
  switch (p->kind) {
  case LG_PORT_LINUX:
    return lg_linux_drain(p, budget_us);
  case LG_PORT_PCI:
    return lg_pci_drain ? lg_pci_drain(p, budget_us) : 1;
  default:
    return -1;
  }
}
