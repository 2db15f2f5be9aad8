/*
 * lastgasp_board: the N-API face of the board addon (host/native/board.ts declares it for
 * TypeScript). Everything it exposes goes through the port table of lg_port.h:
 *
 *   regops(memory)                    a core's whole register-operation list, one native call
 *   read32 / write32(port, off[, v])  one register
 *   delayUs(us), nowNs(), wallUs()  monotonic ns; wall-clock µs (what capture timestamps use)
 *   dmaWindow(bus, memory, off, size), dmaClear()   where the soft e1000's DMA lands
 *   portClose(port)
 *   linuxOpen(port, ifname, mac), linuxPump(port, waitUs), linuxTap(port, on), linuxStats(port)
 *   softnicTest(port, mac[, fd]), softnicTestTake(port), softnicTestInject(port, frame),
 *   softnicTestLink(port, up)         a soft e1000 without an interface (test/softnic.test.ts)
 *   crashArm(memory, opts), crashKick(), crashDisarm(), crashState()   the crash path
 *   crashDigest(p, len)               region_digest through the translated core (tests)
 *   die(how)                          dies on purpose in native code (drills, tests)
 *   tapOpen, tapRead, tapWrite, tapClose, ioWait   the control processor's TAP devices (tap.c)
 *
 * Errors throw an Error naming the call and strerror(errno), with .code the errno's name.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crash.h"
#include "lg_consts.h"
#include "lg_port.h"
#include "linux_port.h"
#include "softnic.h"

#include "lg_napi.h"

napi_value lg_tap_napi(napi_env env, napi_value exports); /* tap.c: the TAP pseudo-interfaces, ioWait */

static int get_port(napi_env env, napi_value v, unsigned *port) {
  uint32_t p;
  if (get_u32(env, v, &p)) return -1;
  if (p >= LG_MAX_PORTS) {
    napi_throw_range_error(env, NULL, "lastgasp_board: port out of range");
    return -1;
  }
  *port = p;
  return 0;
}

/* ---- registers -------------------------------------------------------------------------------- */

static napi_value js_regops(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  uint8_t *mem;
  size_t len;
  if (args(env, info, 1, argv) || get_buffer(env, argv[0], &mem, &len)) return NULL;
  int n = lg_perform_regops(&lg_board, mem, len > 0xffffffffu ? 0xffffffffu : (uint32_t)len);
  if (n < 0) {
    napi_throw_error(env, "E_REGOPS", n == LG_REGOPS_E_PORT ? "register-operation list names a port beyond the board's table"
                                      : n == LG_REGOPS_E_KIND ? "register-operation list has an entry of unknown kind"
                                                              : "register-operation list too long");
    return NULL;
  }
  CHECK(env, napi_create_int32(env, n, &out));
  return out;
}

static napi_value js_read32(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  unsigned port;
  uint32_t off;
  if (args(env, info, 2, argv) || get_port(env, argv[0], &port) || get_u32(env, argv[1], &off)) return NULL;
  CHECK(env, napi_create_uint32(env, lg_port_read32(&lg_board, port, off), &out));
  return out;
}

static napi_value js_write32(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  unsigned port;
  uint32_t off, v;
  if (args(env, info, 3, argv) || get_port(env, argv[0], &port) || get_u32(env, argv[1], &off) || get_u32(env, argv[2], &v)) return NULL;
  lg_port_write32(&lg_board, port, off, v);
  return undefined(env);
}

static napi_value js_delay_us(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t us;
  if (args(env, info, 1, argv) || get_u32(env, argv[0], &us)) return NULL;
  lg_delay_us(us);
  return undefined(env);
}

static napi_value js_now_ns(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_double(env, (double)lg_now_ns(), &out));
  return out;
}

static napi_value js_wall_us(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  CHECK(env, napi_create_double(env, (double)t.tv_sec * 1e6 + (double)(t.tv_nsec / 1000), &out));
  return out;
}

static napi_value js_dma_window(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  double bus;
  uint8_t *mem;
  size_t len;
  uint32_t off, size;
  if (args(env, info, 4, argv)) return NULL;
  if (napi_get_value_double(env, argv[0], &bus) != napi_ok || bus < 0 || bus > 9007199254740991.0) {
    napi_throw_range_error(env, NULL, "dmaWindow: bus address must be 0..2^53");
    return NULL;
  }
  if (get_buffer(env, argv[1], &mem, &len) || get_u32(env, argv[2], &off) || get_u32(env, argv[3], &size)) return NULL;
  if ((uint64_t)off + size > len) {
    napi_throw_range_error(env, NULL, "dmaWindow: the window is outside the memory");
    return NULL;
  }
  if (lg_board.windows >= LG_MAX_WINDOWS) {
    napi_throw_error(env, NULL, "dmaWindow: no free window");
    return NULL;
  }
  lg_board.window[lg_board.windows] = (struct lg_dma_window){.bus = (uint64_t)bus, .host = mem + off, .size = size};
  __sync_synchronize();
  lg_board.windows++;
  return undefined(env);
}

static napi_value js_dma_clear(napi_env env, napi_callback_info info) {
  (void)info;
  lg_board.windows = 0;
  return undefined(env);
}

static void close_port(unsigned port) {
  struct lg_port *p = &lg_board.port[port];
  if (p->kind == LG_PORT_LINUX) {
    struct lg_softnic *n = p->lx.nic;
    p->kind = LG_PORT_NONE;
    __sync_synchronize();
    if (n) {
      lg_linux_close(n);
      free(n);
    }
    memset(&p->lx, 0, sizeof p->lx);
  } else {
    p->kind = LG_PORT_NONE; /* pci.c releases its mapping through its own close */
  }
}

static napi_value js_port_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  unsigned port;
  if (args(env, info, 1, argv) || get_port(env, argv[0], &port)) return NULL;
  if (lg_board.port[port].kind == LG_PORT_LINUX) close_port(port);
  return undefined(env);
}

/* ---- linux ports -------------------------------------------------------------------------------- */

static struct lg_softnic *new_softnic(napi_env env, unsigned port, napi_value mac_v) {
  uint8_t *mac;
  size_t mac_len;
  if (get_buffer(env, mac_v, &mac, &mac_len)) return NULL;
  if (mac_len != 6) {
    napi_throw_range_error(env, NULL, "the MAC must be 6 bytes");
    return NULL;
  }
  if (lg_board.port[port].kind != LG_PORT_NONE) {
    napi_throw_error(env, "EBUSY", "the port is already open");
    return NULL;
  }
  struct lg_softnic *n = calloc(1, sizeof *n);
  if (!n) {
    throw_errno(env, "calloc(soft e1000)", ENOMEM);
    return NULL;
  }
  n->fd_tx = n->fd_rx = n->test_fd = -1;
  memcpy(n->mac, mac, 6);
  return n;
}

static void install(unsigned port, struct lg_softnic *n, const char *ifname) {
  struct lg_port *p = &lg_board.port[port];
  p->lx.nic = n;
  p->lx.fd = n->fd_tx;
  p->lx.ifindex = n->ifindex;
  snprintf(p->lx.ifname, sizeof p->lx.ifname, "%s", ifname);
  __sync_synchronize();
  p->kind = LG_PORT_LINUX;
}

static napi_value js_linux_open(napi_env env, napi_callback_info info) {
  napi_value argv[3], out, macv;
  unsigned port;
  char ifname[IFNAMSIZ] = {0};
  size_t len = 0;
  if (args(env, info, 3, argv) || get_port(env, argv[0], &port)) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], ifname, sizeof ifname, &len) != napi_ok || len == 0 || len >= IFNAMSIZ - 1) {
    napi_throw_range_error(env, NULL, "interface name must be 1..15 bytes");
    return NULL;
  }
  struct lg_softnic *n = new_softnic(env, port, argv[2]);
  if (!n) return NULL;
  struct lg_linux_open_info oi;
  const char *what = "open";
  int rc = lg_linux_open(n, ifname, n->mac, &oi, &what);
  if (rc < 0) {
    lg_linux_close(n);
    free(n);
    char msg[96];
    snprintf(msg, sizeof msg, "%s %s", what, ifname);
    return throw_errno(env, msg, -rc);
  }
  sn_init(n, n->mac); /* registers at their reset values, STATUS.LU as the interface says */
  install(port, n, ifname);
  CHECK(env, napi_create_object(env, &out));
  set_num(env, out, "ifindex", oi.ifindex);
  void *mp;
  CHECK(env, napi_create_buffer_copy(env, 6, oi.mac, &mp, &macv));
  napi_set_named_property(env, out, "mac", macv);
  set_bool(env, out, "promisc", oi.promisc);
  set_bool(env, out, "carrier", oi.carrier);
  return out;
}

static struct lg_softnic *linux_nic(napi_env env, napi_value v) {
  unsigned port;
  if (get_port(env, v, &port)) return NULL;
  if (lg_board.port[port].kind != LG_PORT_LINUX || !lg_board.port[port].lx.nic) {
    napi_throw_error(env, "ENODEV", "not an open linux port");
    return NULL;
  }
  return lg_board.port[port].lx.nic;
}

static napi_value js_linux_pump(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  uint32_t wait;
  if (args(env, info, 2, argv)) return NULL;
  struct lg_softnic *n = linux_nic(env, argv[0]);
  if (!n || get_u32(env, argv[1], &wait)) return NULL;
  CHECK(env, napi_create_int32(env, lg_linux_pump(n, wait), &out));
  return out;
}

static napi_value js_linux_tap(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  bool on;
  if (args(env, info, 2, argv)) return NULL;
  struct lg_softnic *n = linux_nic(env, argv[0]);
  if (!n || napi_get_value_bool(env, argv[1], &on) != napi_ok) return NULL;
  int rc = lg_linux_tap(n, on);
  if (rc < 0) return throw_errno(env, "SO_ATTACH_FILTER (tap)", -rc);
  return undefined(env);
}

static napi_value js_linux_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (args(env, info, 1, argv)) return NULL;
  struct lg_softnic *n = linux_nic(env, argv[0]);
  if (!n) return NULL;
  CHECK(env, napi_create_object(env, &out));
  set_num(env, out, "txFrames", (double)n->st.tx_frames);
  set_num(env, out, "txBytes", (double)n->st.tx_bytes);
  set_num(env, out, "txErrors", (double)n->st.tx_errors);
  set_num(env, out, "txBusy", (double)n->st.tx_busy);
  set_num(env, out, "txBadFcs", (double)n->st.tx_bad_fcs);
  set_num(env, out, "txBogusRing", (double)n->st.tx_bogus_ring);
  set_num(env, out, "rxFrames", (double)n->st.rx_frames);
  set_num(env, out, "rxFiltered", (double)n->st.rx_filtered);
  set_num(env, out, "rxDropped", (double)n->st.rx_dropped);
  set_num(env, out, "rxSocketDrops", (double)lg_linux_socket_drops(n));
  set_num(env, out, "dmaErrors", (double)n->st.dma_errors);
  return out;
}

/* ---- test ports: a soft e1000 without an interface ------------------------------------------- */

static napi_value js_softnic_test(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  unsigned port;
  size_t argc = 3;
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "softnicTest(port, mac[, fd])");
    return NULL;
  }
  if (get_port(env, argv[0], &port)) return NULL;
  if (argc > 2 && napi_get_value_int32(env, argv[2], &fd) != napi_ok) fd = -1;
  struct lg_softnic *n = new_softnic(env, port, argv[1]);
  if (!n) return NULL;
  n->test = 1;
  n->test_link = 1;
  n->test_fd = fd;
  sn_init(n, n->mac);
  install(port, n, "test");
  return undefined(env);
}

static napi_value js_softnic_test_take(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (args(env, info, 1, argv)) return NULL;
  struct lg_softnic *n = linux_nic(env, argv[0]);
  if (!n) return NULL;
  CHECK(env, napi_create_array_with_length(env, n->test_count, &out));
  for (uint32_t i = 0; n->test_count; i++) {
    napi_value b;
    void *d;
    CHECK(env, napi_create_buffer_copy(env, n->test_len[n->test_head], n->test_ring[n->test_head], &d, &b));
    napi_set_element(env, out, i, b);
    n->test_head = (n->test_head + 1) % SN_TEST_RING;
    n->test_count--;
  }
  return out;
}

static napi_value js_softnic_test_inject(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  uint8_t *f;
  size_t len;
  if (args(env, info, 2, argv)) return NULL;
  struct lg_softnic *n = linux_nic(env, argv[0]);
  if (!n || get_buffer(env, argv[1], &f, &len)) return NULL;
  if (len > SN_RX_MAX - ETH_FCS_LEN) len = SN_RX_MAX - ETH_FCS_LEN;
  CHECK(env, napi_get_boolean(env, sn_receive(n, f, (uint32_t)len) != 0, &out));
  return out;
}

static napi_value js_softnic_test_link(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  bool up;
  if (args(env, info, 2, argv)) return NULL;
  struct lg_softnic *n = linux_nic(env, argv[0]);
  if (!n || napi_get_value_bool(env, argv[1], &up) != napi_ok) return NULL;
  n->test_link = up;
  sn_read32(n, REG_STATUS); /* the soft e1000 notices at once, as the model's setLink */
  return undefined(env);
}

/* ---- the crash path ---------------------------------------------------------------------------- */

static int opt_u32(napi_env env, napi_value obj, const char *key, uint32_t def, uint32_t *out) {
  bool has = false;
  napi_value v;
  *out = def;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return 0;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return -1;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return 0;
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, v, &b);
    *out = b;
    return 0;
  }
  return get_u32(env, v, out);
}

static napi_value result_object(napi_env env, const struct lg_crash_result *r) {
  napi_value o;
  napi_create_object(env, &o);
  set_num(env, o, "cause", r->cause);
  set_num(env, o, "fire", r->fire);
  set_num(env, o, "result", r->result);
  set_num(env, o, "rounds", r->rounds);
  set_num(env, o, "regops", r->regops);
  set_num(env, o, "fireUs", r->fire_us);
  set_num(env, o, "us", r->sent_us);
  set_num(env, o, "drainUs", r->drain_us);
  set_num(env, o, "drained", r->drained);
  return o;
}

static napi_value js_crash_arm(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  uint8_t *mem;
  size_t len;
  struct lg_crash_opts o;
  uint32_t rehearse;
  if (args(env, info, 2, argv) || get_buffer(env, argv[0], &mem, &len)) return NULL;
  if (opt_u32(env, argv[1], "watchdogMs", 0, &o.watchdog_ms) || opt_u32(env, argv[1], "excerptAddr", 0, &o.excerpt_addr) ||
      opt_u32(env, argv[1], "excerptCap", 0, &o.excerpt_cap) || opt_u32(env, argv[1], "drainUs", 100000, &o.drain_us) ||
      opt_u32(env, argv[1], "rehearse", 1, &rehearse))
    return NULL;
  o.rehearse = rehearse != 0;
  struct lg_crash_arm_report rep;
  const char *what = "crashArm";
  int rc = lg_crash_arm(mem, len > 0xffffffffu ? 0xffffffffu : (uint32_t)len, &o, &rep, &what);
  if (rc < 0) return throw_errno(env, what, -rc);
  CHECK(env, napi_create_object(env, &out));
  set_bool(env, out, "v8TrapHandler", rep.v8_trap_handler);
  set_num(env, out, "us", rep.us);
  if (rep.rehearsed) {
    napi_value r = result_object(env, &rep.rehearsal);
    napi_set_named_property(env, out, "rehearsal", r);
  } else {
    napi_value nul;
    napi_get_null(env, &nul);
    napi_set_named_property(env, out, "rehearsal", nul);
  }
  return out;
}

static napi_value js_crash_kick(napi_env env, napi_callback_info info) {
  (void)info;
  lg_crash_kick();
  return undefined(env);
}

static napi_value js_crash_disarm(napi_env env, napi_callback_info info) {
  (void)info;
  lg_crash_disarm();
  return undefined(env);
}

static napi_value js_crash_digest(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  uint32_t p, len;
  if (args(env, info, 2, argv) || get_u32(env, argv[0], &p) || get_u32(env, argv[1], &len)) return NULL;
  int32_t d = lg_crash_digest(p, len);
  CHECK(env, napi_create_int32(env, d, &out));
  return out;
}

static napi_value js_crash_state(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_object(env, &out));
  set_bool(env, out, "armed", lg_crash_armed());
  set_bool(env, out, "fired", lg_crash_fired());
  set_bool(env, out, "watchdog", lg_crash_watchdog());
  napi_value last = result_object(env, lg_crash_last());
  napi_set_named_property(env, out, "last", last);
  return out;
}

/* ---- dying on purpose ------------------------------------------------------------------------- */

static volatile int *volatile null_ptr = NULL;

static napi_value js_die(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char how[32] = {0};
  size_t len;
  if (args(env, info, 1, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], how, sizeof how, &len) != napi_ok) return NULL;
  if (!strcmp(how, "null-store")) *null_ptr = 0x4c47; /* a store through NULL: SIGSEGV */
  else if (!strcmp(how, "abort")) abort();
  else if (!strcmp(how, "sigill")) __builtin_trap();
  else if (!strcmp(how, "sigfpe")) raise(SIGFPE);
  else if (!strcmp(how, "sigbus")) raise(SIGBUS);
  else {
    napi_throw_range_error(env, NULL, "die: null-store, abort, sigill, sigfpe or sigbus");
    return NULL;
  }
  return undefined(env);
}

/* ---- module --------------------------------------------------------------------------------------- */

#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    FN("regops", js_regops),           FN("read32", js_read32),
    FN("write32", js_write32),         FN("delayUs", js_delay_us),
    FN("nowNs", js_now_ns),            FN("wallUs", js_wall_us),
    FN("dmaWindow", js_dma_window),
    FN("dmaClear", js_dma_clear),      FN("portClose", js_port_close),
    FN("linuxOpen", js_linux_open),    FN("linuxPump", js_linux_pump),
    FN("linuxTap", js_linux_tap),      FN("linuxStats", js_linux_stats),
    FN("softnicTest", js_softnic_test), FN("softnicTestTake", js_softnic_test_take),
    FN("softnicTestInject", js_softnic_test_inject), FN("softnicTestLink", js_softnic_test_link),
    FN("crashArm", js_crash_arm),      FN("crashKick", js_crash_kick),
    FN("crashDisarm", js_crash_disarm), FN("crashState", js_crash_state),
    FN("crashDigest", js_crash_digest),
    FN("die", js_die),
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  if (!lg_tap_napi(env, exports)) return NULL;
  if (lg_pci_napi) return lg_pci_napi(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
