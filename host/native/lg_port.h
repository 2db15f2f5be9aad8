/*
 * The board addon's seam (lastgasp_board.node): the port table the register-operation
 * performer and the crash path iterate, one entry per board port, whatever the port is.
 *
 *   kind   filled by          registers                          frames leave through
 *   pci    pci.c              BAR0 mapped (VFIO or resource0)    the NIC's own DMA
 *   linux  linux.c            the soft e1000 (softnic.c)         AF_PACKET (the TDT write sends)
 *
 * The core never does I/O: it lists register operations (assembly/shared/regop.ts) and the
 * host performs them. lg_perform_regops below is that host half in C — the TypeScript twin
 * is host/nic/regops.ts — and it serves two callers: the N-API call that performs a whole
 * list in one native call (board.c `regops`), and the crash handler (crash.c), which runs
 * the fault entry of the wasm2c-translated core and performs each round's list itself.
 *
 * Rules for everything reachable from lg_perform_regops and lg_port_drain: async-signal-safe
 * (syscalls only: no malloc, no stdio, no locks, no errno-dependent retry without bound),
 * every loop bounded. A port's entry is filled at open time (N-API, JavaScript thread) and
 * only read afterwards; closing a port sets kind to LG_PORT_NONE first.
 */
#ifndef LG_PORT_H
#define LG_PORT_H

#include <stddef.h>
#include <stdint.h>

#define LG_MAX_PORTS 4   /* boards/schema.json: 1..4 ports; a REGOP entry's port is an index here */
#define LG_MAX_WINDOWS 4 /* bus-address windows: the OS core's and the fault core's DMA regions, spare */

enum lg_port_kind {
  LG_PORT_NONE = 0,  /* not open: reads 0xffffffff (a missing device), writes ignored */
  LG_PORT_PCI = 1,   /* a real NIC's BAR0 */
  LG_PORT_LINUX = 2, /* a Linux interface behind the soft e1000 */
};

struct lg_softnic; /* softnic.h: the soft e1000's registers and engines */

struct lg_pci_port {
  volatile uint32_t *bar; /* BAR0, mapped; registers at byte offsets, 32-bit, little-endian */
  size_t bar_len;         /* bytes mapped: accesses at or beyond it read 0xffffffff / are dropped */
  int fd;                 /* what pci.c keeps open for the mapping (VFIO device, resource0), or -1 */
};

struct lg_linux_port {
  int fd;                 /* AF_PACKET SOCK_RAW socket bound to ifindex */
  int ifindex;
  char ifname[16];        /* IFNAMSIZ */
  struct lg_softnic *nic; /* its register file, TX engine and RX fill (allocated at open) */
};

struct lg_port {
  enum lg_port_kind kind;
  struct lg_pci_port pci;
  struct lg_linux_port lx;
};

/*
 * A bus-address window: where a descriptor's buffer address lands in this process. The soft
 * e1000 DMAs through these (a real NIC DMAs through the IOMMU or physical memory instead):
 * the board maps each core's DMA region (memmap.ts DMA_BASE, DMA_SIZE) at the address the
 * board file gives it (dma.os, dma.fault), as the virtual board does (host/nic/dma.ts).
 */
struct lg_dma_window {
  uint64_t bus;  /* the address the NIC uses */
  uint8_t *host; /* where those bytes are: inside a core's linear memory (V8's buffer) */
  uint64_t size;
};

struct lg_board {
  struct lg_port port[LG_MAX_PORTS];
  struct lg_dma_window window[LG_MAX_WINDOWS];
  unsigned windows;
  /*
   * Rehearsal (crash.c touches the path at arm time): delays are not waited, nothing reaches
   * a device register or the wire. pci ports answer from a shadow register file; linux
   * ports run their soft e1000 on a saved copy with sends suppressed.
   */
  int dry;
};

/* One per process: a signal handler reaches it without arguments. */
extern struct lg_board lg_board;

/* lg_perform_regops: the list was refused (nothing from the bad entry on was performed). */
#define LG_REGOPS_E_COUNT (-1) /* count > REGOP_MAX, or the list runs past the memory */
#define LG_REGOPS_E_PORT (-2)  /* an entry names a port >= LG_MAX_PORTS */
#define LG_REGOPS_E_KIND (-3)  /* an entry of unknown kind */

/*
 * Performs the pending register-operation list in `mem` (a core's linear memory of
 * `mem_size` bytes; the list at REGOP_BASE) on b's ports, in order: writes, reads (the value
 * stored back into the entry), delays. Returns the number of operations, or LG_REGOPS_E_*.
 * A full memory barrier goes before the first and after the last operation (the core's
 * descriptor stores before any doorbell; the device's stores before the core reads them).
 */
int lg_perform_regops(struct lg_board *b, uint8_t *mem, uint32_t mem_size);

/* One register, dispatched on the port's kind (pci: the BAR; linux: the soft e1000). */
uint32_t lg_port_read32(struct lg_board *b, unsigned port, uint32_t offset);
void lg_port_write32(struct lg_board *b, unsigned port, uint32_t offset, uint32_t value);

/* Waits `us` microseconds (clock_nanosleep, restarted on EINTR until the deadline). */
void lg_delay_us(uint32_t us);

/* Monotonic time in nanoseconds (clock_gettime: async-signal-safe). */
uint64_t lg_now_ns(void);

/*
 * The crash path's last step before the process ends: waits at most budget_us until what
 * the port was given has left this host (linux: the socket's send queue is empty, i.e. the
 * driver freed every frame; pci: lg_pci_drain). Returns 1 when it has, 0 when the budget ran
 * out, -1 when the port is not open.
 */
int lg_port_drain(struct lg_board *b, unsigned port, uint32_t budget_us);

/*
 * Hooks pci.c provides (weak here: an addon built without pci.c links, and reports pci ports
 * as unsupported).
 *  lg_pci_napi   adds the pci functions to the addon's exports at load time.
 *  lg_pci_drain  the pci half of lg_port_drain (e.g. TDH == TDT and a little longer).
 */
#ifdef SRC_NODE_API_H_ /* node_api.h included first */
napi_value lg_pci_napi(napi_env env, napi_value exports) __attribute__((weak));
#endif
int lg_pci_drain(struct lg_port *p, uint32_t budget_us) __attribute__((weak));

#endif
