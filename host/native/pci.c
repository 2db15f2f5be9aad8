/*
 * The pci board kind's half of the native addon (docs/real-hardware.md): a real NIC by PCI
 * address, and the core's linear memory made DMA-able in place, so that the NIC reads and
 * writes the very rings the core (under V8, or its wasm2c translation in the crash path)
 * keeps in that memory.
 *
 * Registers (BAR0), two ways:
 *   vfio   the device bound to vfio-pci: its IOMMU group joins the process's one VFIO
 *          container (type1 IOMMU), BAR0 is mmapped from the device fd, memory space and bus
 *          mastering are enabled through the config region (Documentation/driver-api/vfio.rst).
 *   sysfs  the device bound to no driver: memory space and bus mastering set in
 *          /sys/bus/pci/devices/<bdf>/config (the command register, offset 4), BAR0 mmapped
 *          from .../resource0 (ixy's way).
 *
 * DMA placement of a core's linear memory (a WebAssembly.Memory's ArrayBuffer: V8 never
 * moves it, since the core's memory never grows):
 *   iommu  VFIO_IOMMU_MAP_DMA of the buffer's virtual range at a fixed IOVA: linear offset X
 *          is IOVA base + X for the NIC. The kernel pins the pages for as long as the
 *          container is open.
 *   devmem RAM the kernel was told to leave alone (memmap=SIZE$ADDR, an E820 reserved range)
 *          is mapped from /dev/mem, the buffer's contents copied into it, and the same
 *          physical range mapped MAP_SHARED|MAP_FIXED over the buffer's virtual range; the
 *          two mappings are checked to alias. Linear offset X is the physical base + X.
 *
 * Every BAR opened here becomes a pci entry of the addon's port table (lg_port.h), which the
 * register-list call and the crash path both drive. Errors are returned as an errno and a
 * one-line message naming what failed and why; the N-API layer turns them into an Error
 * whose .code is the errno's name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <node_api.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lg_napi.h"
#include "lg_consts.h"
#include "lg_port.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

enum { ACCESS_VFIO = 1, ACCESS_SYSFS = 2 };

struct pci_dev {
  int access; /* 0: not open */
  char bdf[32];
  int group_fd;  /* vfio */
  int device_fd; /* vfio */
  void *bar;
  size_t bar_len;
  int reset; /* VFIO_DEVICE_RESET done at open */
};

static struct pci_dev devs[LG_MAX_PORTS];
/* One VFIO container for the process: every group joins it, every DMA map is made once. */
static int container = -1;
static int container_has_iommu;

struct pci_err {
  int errnum;
  char msg[320];
};

static int fail(struct pci_err *e, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  e->errnum = errnum ? errnum : EIO;
  return -1;
}

/* Permission problems name the fix: these operations need root (or the capabilities). */
static const char *why(int err) {
  if (err == EACCES || err == EPERM) return "permission denied: run as root";
  return strerror(err);
}

static int valid_bdf(const char *bdf) {
  unsigned dom, bus, dev, fn;
  char tail;
  return strlen(bdf) < 32 && sscanf(bdf, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4 && dev < 32 && fn < 8;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- registers through VFIO ------------------------------------------------------------ */

static int container_open(struct pci_err *e) {
  if (container >= 0) return 0;
  int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
  if (fd < 0) return fail(e, errno, "/dev/vfio/vfio: %s%s", why(errno), errno == ENOENT ? " (load the vfio module)" : "");
  if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
    close(fd);
    return fail(e, ENOTSUP, "/dev/vfio/vfio: unknown VFIO API version");
  }
  if (!ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) && !ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU)) {
    close(fd);
    return fail(e, ENOTSUP, "VFIO has no type1 IOMMU backend (load vfio_iommu_type1)");
  }
  container = fd;
  return 0;
}

static int vfio_open(struct pci_dev *d, struct pci_err *e) {
  char path[PATH_MAX], link[256];
  snprintf(path, sizeof path, SYSFS_PCI "/%s/iommu_group", d->bdf);
  ssize_t n = readlink(path, link, sizeof link - 1);
  if (n < 0) return fail(e, ENODEV, "%s has no IOMMU group: the kernel runs without an IOMMU (boot with intel_iommu=on, or use sysfs access with devmem placement)", d->bdf);
  link[n] = 0;
  const char *group = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
  if (container_open(e)) return -1;

  snprintf(path, sizeof path, "/dev/vfio/%s", group);
  d->group_fd = open(path, O_RDWR | O_CLOEXEC);
  if (d->group_fd < 0) {
    int err = errno;
    if (err == ENOENT) return fail(e, ENODEV, "%s: no %s: the device is not bound to vfio-pci", d->bdf, path);
    if (err == EBUSY) return fail(e, EBUSY, "%s: %s is in use by another process", d->bdf, path);
    return fail(e, err, "%s: %s: %s", d->bdf, path, why(err));
  }
  struct vfio_group_status status = {.argsz = sizeof status};
  if (ioctl(d->group_fd, VFIO_GROUP_GET_STATUS, &status) < 0) return fail(e, errno, "%s: VFIO_GROUP_GET_STATUS: %s", d->bdf, strerror(errno));
  if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
    return fail(e, EBUSY, "%s: IOMMU group %s is not viable: every device in it must be bound to vfio-pci or to no driver", d->bdf, group);
  if (!(status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET)) {
    if (ioctl(d->group_fd, VFIO_GROUP_SET_CONTAINER, &container) < 0) return fail(e, errno, "%s: VFIO_GROUP_SET_CONTAINER: %s", d->bdf, strerror(errno));
  }
  if (!container_has_iommu) {
    int type = ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
    if (ioctl(container, VFIO_SET_IOMMU, type) < 0) {
      int err = errno;
      return fail(e, err, "%s: VFIO_SET_IOMMU: %s%s", d->bdf, strerror(err),
                  err == EPERM ? " (the IOMMU has no interrupt remapping: VFIO refuses it)" : "");
    }
    container_has_iommu = 1;
  }
  d->device_fd = ioctl(d->group_fd, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
  if (d->device_fd < 0) return fail(e, errno, "%s: VFIO_GROUP_GET_DEVICE_FD: %s", d->bdf, strerror(errno));

  struct vfio_device_info info = {.argsz = sizeof info};
  if (ioctl(d->device_fd, VFIO_DEVICE_GET_INFO, &info) < 0) return fail(e, errno, "%s: VFIO_DEVICE_GET_INFO: %s", d->bdf, strerror(errno));
  if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) return fail(e, ENODEV, "%s: not a PCI device", d->bdf);
  /* A function-level (or PM) reset where the device has one: the register file starts from
   * its reset values. QEMU's e1000 offers none. */
  if ((info.flags & VFIO_DEVICE_FLAGS_RESET) && ioctl(d->device_fd, VFIO_DEVICE_RESET) == 0) d->reset = 1;

  struct vfio_region_info bar = {.argsz = sizeof bar, .index = VFIO_PCI_BAR0_REGION_INDEX};
  if (ioctl(d->device_fd, VFIO_DEVICE_GET_REGION_INFO, &bar) < 0) return fail(e, errno, "%s: BAR0 region info: %s", d->bdf, strerror(errno));
  if (bar.size == 0 || !(bar.flags & VFIO_REGION_INFO_FLAG_MMAP)) return fail(e, ENODEV, "%s: BAR0 cannot be mapped (size %llu)", d->bdf, (unsigned long long)bar.size);
  void *p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->device_fd, (off_t)bar.offset);
  if (p == MAP_FAILED) return fail(e, errno, "%s: mmap BAR0: %s", d->bdf, strerror(errno));
  d->bar = p;
  d->bar_len = bar.size;

  struct vfio_region_info cfg = {.argsz = sizeof cfg, .index = VFIO_PCI_CONFIG_REGION_INDEX};
  if (ioctl(d->device_fd, VFIO_DEVICE_GET_REGION_INFO, &cfg) < 0) return fail(e, errno, "%s: config region info: %s", d->bdf, strerror(errno));
  uint16_t cmd = 0;
  if (pread(d->device_fd, &cmd, 2, (off_t)cfg.offset + PCI_COMMAND) != 2) return fail(e, errno, "%s: read the command register: %s", d->bdf, strerror(errno));
  cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
  if (pwrite(d->device_fd, &cmd, 2, (off_t)cfg.offset + PCI_COMMAND) != 2) return fail(e, errno, "%s: write the command register: %s", d->bdf, strerror(errno));
  return 0;
}

/* ---- registers through sysfs ----------------------------------------------------------- */

static int sysfs_open(struct pci_dev *d, struct pci_err *e) {
  char path[PATH_MAX];
  /* Everything that can be refused is opened before anything is written. */
  snprintf(path, sizeof path, SYSFS_PCI "/%s/resource0", d->bdf);
  int res = open(path, O_RDWR | O_CLOEXEC | O_SYNC);
  if (res < 0) return fail(e, errno, "%s: %s", path, why(errno));
  struct stat st;
  if (fstat(res, &st) < 0 || st.st_size <= 0) {
    close(res);
    return fail(e, ENODEV, "%s: BAR0 has no size", path);
  }
  snprintf(path, sizeof path, SYSFS_PCI "/%s/config", d->bdf);
  int cfg = open(path, O_RDWR | O_CLOEXEC);
  if (cfg < 0) {
    int err = errno;
    close(res);
    return fail(e, err, "%s: %s", path, why(err));
  }
  /* A function reset where the kernel knows one for the device (FLR, PM, a bus of its own):
   * the register file starts from its reset values. It clears the command register too, so
   * it comes before that is set. QEMU's e1000 has none (no reset file). */
  snprintf(path, sizeof path, SYSFS_PCI "/%s/reset", d->bdf);
  int rst = open(path, O_WRONLY | O_CLOEXEC);
  if (rst >= 0) {
    d->reset = write(rst, "1", 1) == 1;
    close(rst);
  }
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, res, 0);
  int err = errno;
  close(res); /* the mapping stays */
  if (p == MAP_FAILED) {
    close(cfg);
    return fail(e, err, "%s: mmap resource0: %s", d->bdf, why(err));
  }
  uint16_t cmd = 0;
  if (pread(cfg, &cmd, 2, PCI_COMMAND) != 2) {
    err = errno;
    close(cfg);
    munmap(p, (size_t)st.st_size);
    return fail(e, err, "%s: read the command register: %s", d->bdf, why(err));
  }
  cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
  if (pwrite(cfg, &cmd, 2, PCI_COMMAND) != 2) {
    err = errno;
    close(cfg);
    munmap(p, (size_t)st.st_size);
    return fail(e, err, "%s: write the command register: %s", d->bdf, why(err));
  }
  close(cfg);
  d->bar = p;
  d->bar_len = (size_t)st.st_size;
  return 0;
}

static void dev_close(struct pci_dev *d) {
  if (d->bar) munmap(d->bar, d->bar_len);
  if (d->device_fd >= 0) close(d->device_fd);
  if (d->group_fd >= 0) close(d->group_fd);
  memset(d, 0, sizeof *d);
  d->group_fd = d->device_fd = -1;
  /* The container (and every DMA map in it) goes with the last VFIO device. */
  for (int i = 0; i < LG_MAX_PORTS; i++)
    if (devs[i].access == ACCESS_VFIO) return;
  if (container >= 0) close(container);
  container = -1;
  container_has_iommu = 0;
}

int lg_pci_open(int port, const char *bdf, int access, struct pci_err *e) {
  if (port < 0 || port >= LG_MAX_PORTS) return fail(e, EINVAL, "port %d out of range", port);
  if (!valid_bdf(bdf)) return fail(e, EINVAL, "%s is not a PCI address (DDDD:BB:DD.F)", bdf);
  struct pci_dev *d = &devs[port];
  if (d->access) dev_close(d);
  memset(d, 0, sizeof *d);
  d->group_fd = d->device_fd = -1;
  snprintf(d->bdf, sizeof d->bdf, "%s", bdf);
  d->access = access;
  int rc = access == ACCESS_VFIO ? vfio_open(d, e) : sysfs_open(d, e);
  if (rc) {
    dev_close(d);
    return -1;
  }
  /* The seam: from here on the register-list call and the crash path drive this BAR. */
  struct lg_port *lp = &lg_board.port[port];
  lp->pci.bar = (volatile uint32_t *)d->bar;
  lp->pci.bar_len = d->bar_len;
  lp->pci.fd = d->access == ACCESS_VFIO ? d->device_fd : -1;
  __sync_synchronize();
  lp->kind = LG_PORT_PCI;
  return 0;
}

/* ---- DMA placement --------------------------------------------------------------------- */

static int map_iommu(void *vaddr, size_t len, uint64_t iova, struct pci_err *e) {
  if (container < 0 || !container_has_iommu) return fail(e, EINVAL, "iommu placement needs a port opened through vfio first");
  struct vfio_iommu_type1_dma_map map = {
      .argsz = sizeof map,
      .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
      .vaddr = (uint64_t)(uintptr_t)vaddr,
      .iova = iova,
      .size = len,
  };
  if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0) {
    int err = errno;
    const char *hint = err == ENOMEM ? " (the memlock limit is too low: ulimit -l, or run as root)"
                       : err == EEXIST ? " (overlaps an IOVA range already mapped)"
                       : err == EINVAL ? " (IOVA not page aligned, or in a range the IOMMU reserves)"
                                       : "";
    return fail(e, err, "VFIO_IOMMU_MAP_DMA of %zu bytes at IOVA 0x%llx: %s%s", len, (unsigned long long)iova, strerror(err), hint);
  }
  return 0;
}

static int place_devmem(void *vaddr, size_t len, uint64_t phys, struct pci_err *e) {
  int fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
  if (fd < 0) return fail(e, errno, "/dev/mem: %s", why(errno));
  /* Write-back mapping (no O_SYNC): x86 DMA is cache-coherent. */
  uint8_t *ram = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)phys);
  if (ram == MAP_FAILED) {
    int err = errno;
    close(fd);
    return fail(e, err, "/dev/mem at 0x%llx (%zu bytes): %s%s", (unsigned long long)phys, len, strerror(err),
                err == EPERM ? " (not reserved RAM: the kernel refuses System RAM; reserve it with memmap= on its command line)" : "");
  }
  /* Nothing else writes the core's memory meanwhile: this runs on the JavaScript thread,
   * which alone runs the core. */
  memcpy(ram, vaddr, len);
  void *p = mmap(vaddr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, (off_t)phys);
  int err = errno;
  close(fd);
  if (p == MAP_FAILED) {
    munmap(ram, len);
    return fail(e, err, "/dev/mem over the core's memory: %s", strerror(err));
  }
  /* The two mappings must be the same RAM: a store through one is seen through the other. */
  volatile uint8_t *core = vaddr;
  size_t probes[3] = {0, len / 2, len - 1};
  int ok = 1;
  for (int i = 0; i < 3 && ok; i++) {
    size_t k = probes[i];
    uint8_t keep = ram[k], flipped = (uint8_t)(keep ^ 0xff);
    ram[k] = flipped;
    __sync_synchronize();
    ok = core[k] == flipped;
    ram[k] = keep;
    ok = ok && core[k] == keep;
  }
  munmap(ram, len);
  if (!ok) return fail(e, EIO, "/dev/mem at 0x%llx does not alias the core's memory after the remap", (unsigned long long)phys);
  return 0;
}

/* ---- the crash path's last wait ----------------------------------------------------- */

/* TX queue n's registers: txQueueBase(n) in assembly/shared/e1000.ts (queues 0..3). */
#define PCI_TXQ(n, off) (REG_TDBAL + 0x100u * (n) + (off))
#define PCI_TX_QUEUES 4
/* The largest transmit FIFO of the supported NICs (8254x: up to 24 KiB of the 40..64 KiB
 * packet buffer, PBA; I210: 20 KiB): what may still wait to be serialised once every
 * descriptor has been fetched. */
#define PCI_TX_FIFO_BYTES (24u * 1024u)

/*
 * Before the process ends (and VFIO resets the device and tears its DMA mappings down, or
 * the driver that comes next does), what the fault path queued must have left: every TX
 * queue's head has reached its tail (the NIC fetched each descriptor and read its frame),
 * then the time the transmit FIFO takes to empty at the link's speed (STATUS.SPEED). QEMU's
 * e1000 sends synchronously, so there TDH == TDT at once. Async-signal-safe; bounded by
 * budget_us. Returns 1 drained, 0 budget exhausted, -1 not a pci port.
 */
int lg_pci_drain(struct lg_port *p, uint32_t budget_us) {
  volatile uint32_t *bar = p->pci.bar;
  if (p->kind != LG_PORT_PCI || !bar) return -1;
  if (lg_board.dry) return 1; /* a rehearsal sends nothing: nothing to wait for */
  uint64_t deadline = lg_now_ns() + (uint64_t)budget_us * 1000u;
  for (;;) {
    int idle = 1;
    for (unsigned q = 0; q < PCI_TX_QUEUES && PCI_TXQ(q, TXQ_OFF_TDT) + 4 <= p->pci.bar_len; q++)
      if (bar[PCI_TXQ(q, TXQ_OFF_TDH) / 4] != bar[PCI_TXQ(q, TXQ_OFF_TDT) / 4]) idle = 0;
    if (idle) break;
    if (lg_now_ns() >= deadline) return 0;
    lg_delay_us(10);
  }
  /* STATUS.SPEED (SDM 13.4.2): 00 10 Mb/s, 01 100 Mb/s, 1x 1000 Mb/s. */
  uint32_t speed = bar[REG_STATUS / 4] & STATUS_SPEED_MASK;
  uint32_t mbps = speed >= STATUS_SPEED_1000 ? 1000u : speed ? 100u : 10u;
  uint64_t fifo_us = (uint64_t)PCI_TX_FIFO_BYTES * 8u / mbps;
  uint64_t now = lg_now_ns();
  uint64_t left_us = now < deadline ? (deadline - now) / 1000u : 0;
  lg_delay_us((uint32_t)(fifo_us < left_us ? fifo_us : left_us));
  return fifo_us <= left_us;
}

/* ---- N-API ----------------------------------------------------------------------------- */

static napi_value throw_pci(napi_env env, const struct pci_err *e) {
  char code[32];
  const char *name = strerrorname_np(e->errnum);
  snprintf(code, sizeof code, "%s", name ? name : "EIO");
  napi_throw_error(env, code, e->msg);
  return NULL;
}

static int arg_string(napi_env env, napi_value v, char *buf, size_t cap, const char *what) {
  size_t len = 0;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string || napi_get_value_string_utf8(env, v, buf, cap, &len) != napi_ok || len == 0 || len >= cap - 1) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s must be a non-empty string", what);
    napi_throw_type_error(env, NULL, msg);
    return -1;
  }
  return 0;
}

static int arg_port(napi_env env, napi_value v, int *port) {
  int32_t p = -1;
  if (napi_get_value_int32(env, v, &p) != napi_ok || p < 0 || p >= LG_MAX_PORTS) {
    napi_throw_range_error(env, NULL, "port must be an integer 0..LG_MAX_PORTS-1");
    return -1;
  }
  *port = p;
  return 0;
}

/* pciOpen(port, bdf, "vfio" | "sysfs") -> { barLength, reset } */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  char bdf[32], how[8];
  int port;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || arg_port(env, argv[0], &port) || arg_string(env, argv[1], bdf, sizeof bdf, "bdf") || arg_string(env, argv[2], how, sizeof how, "access")) return NULL;
  int access = !strcmp(how, "vfio") ? ACCESS_VFIO : !strcmp(how, "sysfs") ? ACCESS_SYSFS : 0;
  if (!access) {
    napi_throw_range_error(env, NULL, "access must be \"vfio\" or \"sysfs\"");
    return NULL;
  }
  struct pci_err e = {0};
  if (lg_pci_open(port, bdf, access, &e)) return throw_pci(env, &e);
  CHECK(env, napi_create_object(env, &out));
  set_num(env, out, "barLength", (double)devs[port].bar_len);
  set_bool(env, out, "reset", devs[port].reset);
  return out;
}

/* pciPlace(memoryBuffer, "iommu" | "devmem", base) -> milliseconds the placement took.
 * base: the IOVA (iommu) or physical address (devmem) of linear offset 0, page aligned. */
static napi_value js_place(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  char how[8];
  bool is_ab = false;
  double base = -1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "pciPlace(memoryBuffer, placement, base)");
    return NULL;
  }
  CHECK(env, napi_is_arraybuffer(env, argv[0], &is_ab));
  if (!is_ab) {
    napi_throw_type_error(env, NULL, "pciPlace: the core's memory.buffer (an ArrayBuffer)");
    return NULL;
  }
  if (arg_string(env, argv[1], how, sizeof how, "placement")) return NULL;
  if (napi_get_value_double(env, argv[2], &base) != napi_ok || base < 0 || base > 9007199254740991.0 || (uint64_t)base != base) {
    napi_throw_range_error(env, NULL, "pciPlace: base must be a non-negative integer");
    return NULL;
  }
  void *data = NULL;
  size_t len = 0;
  CHECK(env, napi_get_arraybuffer_info(env, argv[0], &data, &len));
  long page = sysconf(_SC_PAGESIZE);
  struct pci_err e = {0};
  if (((uintptr_t)data % (uintptr_t)page) || len % (size_t)page || (uint64_t)base % (uint64_t)page) {
    fail(&e, EINVAL, "pciPlace: the memory (%p, %zu bytes) and base 0x%llx must be page aligned", data, len, (unsigned long long)base);
    return throw_pci(env, &e);
  }
  double t0 = now_ms();
  int rc = !strcmp(how, "iommu") ? map_iommu(data, len, (uint64_t)base, &e)
           : !strcmp(how, "devmem") ? place_devmem(data, len, (uint64_t)base, &e)
                                    : fail(&e, EINVAL, "placement must be \"iommu\" or \"devmem\", not %s", how);
  if (rc) return throw_pci(env, &e);
  CHECK(env, napi_create_double(env, now_ms() - t0, &out));
  return out;
}

/* pciClose(port): the port's table entry cleared, the BAR unmapped, the VFIO device and group
 * closed; the container (and its DMA maps) closes with the last VFIO device. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int port;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || arg_port(env, argv[0], &port)) return NULL;
  struct pci_dev *d = &devs[port];
  if (!d->access) return NULL;
  lg_board.port[port].kind = LG_PORT_NONE; /* first: nothing reaches the BAR from now on */
  __sync_synchronize();
  memset(&lg_board.port[port].pci, 0, sizeof lg_board.port[port].pci);
  lg_board.port[port].pci.fd = -1;
  dev_close(d);
  return NULL;
}

napi_value lg_pci_napi(napi_env env, napi_value exports) {
  for (int i = 0; i < LG_MAX_PORTS; i++) devs[i].group_fd = devs[i].device_fd = -1;
  napi_property_descriptor props[] = {
      {"pciOpen", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pciPlace", NULL, js_place, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pciClose", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}
