/*
 * The control processor's pseudo-interfaces (docs/switching-path.md "The TAP pseudo-
 * interface"): a TAP device per switching port (tun(4): /dev/net/tun, IFF_TAP | IFF_NO_PI),
 * so that what the switching path punts to the control processor reaches the kernel's own
 * stack — ping, an SSH server, any program — and what that stack sends goes back into the
 * core's injection ring. The TypeScript side (host/switch/tap.ts) gives each TAP its port's
 * MAC and the CP's addresses and moves frames between it and the punt rings.
 *
 *   tapOpen(name)                 a TAP named name (non-blocking, close-on-exec): {fd, ifindex, name}
 *   tapRead(fd, buf)              one frame into buf: its length, 0 when none is waiting
 *   tapWrite(fd, frame)           one frame to the kernel: true, or false when its queue is full
 *   tapClose(fd)                  closes it: the kernel removes the device (it is not persistent,
 *                                 so a process that dies, however it dies, leaves none behind)
 *   ioWait(ports, fds, timeoutUs) waits until a linux port's RX socket or one of fds has
 *                                 something to read: the number ready (0: the time ran out)
 *
 * The JavaScript thread calls these; nothing here is reached from the crash path.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lg_napi.h"
#include "lg_port.h"
#include "softnic.h"

#define TAP_MAX_FRAME 65536 /* a read of a TAP returns one whole frame or fails */

static int get_fd(napi_env env, napi_value v, int *fd) {
  int32_t x;
  if (napi_get_value_int32(env, v, &x) != napi_ok || x < 0) {
    napi_throw_type_error(env, NULL, "expected a file descriptor");
    return -1;
  }
  *fd = x;
  return 0;
}

static napi_value js_tap_open(napi_env env, napi_callback_info info) {
  napi_value argv[1], out, namev;
  char name[IFNAMSIZ] = {0};
  size_t len = 0;
  if (args(env, info, 1, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok || len == 0 || len >= IFNAMSIZ - 1) {
    napi_throw_range_error(env, NULL, "tapOpen: the interface name must be 1..15 bytes");
    return NULL;
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open /dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI; /* Ethernet frames, no packet-information header */
  memcpy(ifr.ifr_name, name, len);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int e = errno;
    close(fd);
    char msg[64];
    snprintf(msg, sizeof msg, "TUNSETIFF %s", name);
    return throw_errno(env, msg, e);
  }
  unsigned idx = if_nametoindex(ifr.ifr_name);
  CHECK(env, napi_create_object(env, &out));
  set_num(env, out, "fd", fd);
  set_num(env, out, "ifindex", idx);
  CHECK(env, napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &namev));
  napi_set_named_property(env, out, "name", namev);
  return out;
}

static napi_value js_tap_read(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  int fd;
  uint8_t *buf;
  size_t cap;
  if (args(env, info, 2, argv) || get_fd(env, argv[0], &fd) || get_buffer(env, argv[1], &buf, &cap)) return NULL;
  ssize_t r;
  do r = read(fd, buf, cap > TAP_MAX_FRAME ? TAP_MAX_FRAME : cap);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) r = 0;
    else return throw_errno(env, "read (TAP)", errno);
  }
  CHECK(env, napi_create_int32(env, (int32_t)r, &out));
  return out;
}

static napi_value js_tap_write(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  int fd;
  uint8_t *frame;
  size_t len;
  if (args(env, info, 2, argv) || get_fd(env, argv[0], &fd) || get_buffer(env, argv[1], &frame, &len)) return NULL;
  ssize_t r;
  do r = write(fd, frame, len);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EIO) return throw_errno(env, "write (TAP)", errno);
  /* EIO: the interface is down; the kernel would not take the frame: as a full queue, it is dropped */
  CHECK(env, napi_get_boolean(env, r == (ssize_t)len, &out));
  return out;
}

static napi_value js_tap_close(napi_env env, napi_callback_info info) {
  napi_value argv[1], u;
  int fd;
  if (args(env, info, 1, argv) || get_fd(env, argv[0], &fd)) return NULL;
  close(fd);
  napi_get_undefined(env, &u);
  return u;
}

static int array_u32(napi_env env, napi_value arr, uint32_t *out, uint32_t max, uint32_t *n) {
  bool is_arr = false;
  if (napi_is_array(env, arr, &is_arr) != napi_ok || !is_arr || napi_get_array_length(env, arr, n) != napi_ok || *n > max) {
    napi_throw_type_error(env, NULL, "ioWait: expected an array of small numbers");
    return -1;
  }
  for (uint32_t i = 0; i < *n; i++) {
    napi_value e;
    if (napi_get_element(env, arr, i, &e) != napi_ok || get_u32(env, e, &out[i])) return -1;
  }
  return 0;
}

static napi_value js_io_wait(napi_env env, napi_callback_info info) {
  napi_value argv[3], out;
  uint32_t ports[LG_MAX_PORTS], fds[16], np, nf, timeout_us;
  if (args(env, info, 3, argv) || array_u32(env, argv[0], ports, LG_MAX_PORTS, &np) || array_u32(env, argv[1], fds, 16, &nf) ||
      get_u32(env, argv[2], &timeout_us))
    return NULL;
  struct pollfd pfd[LG_MAX_PORTS + 16];
  nfds_t k = 0;
  for (uint32_t i = 0; i < np; i++) {
    const struct lg_port *p = ports[i] < LG_MAX_PORTS ? &lg_board.port[ports[i]] : NULL;
    if (p && p->kind == LG_PORT_LINUX && p->lx.nic && !p->lx.nic->test) pfd[k++] = (struct pollfd){.fd = p->lx.nic->fd_rx, .events = POLLIN};
  }
  for (uint32_t i = 0; i < nf; i++) pfd[k++] = (struct pollfd){.fd = (int)fds[i], .events = POLLIN};
  struct timespec ts = {.tv_sec = timeout_us / 1000000, .tv_nsec = (long)(timeout_us % 1000000) * 1000};
  int r = ppoll(pfd, k, &ts, NULL);
  if (r < 0 && errno != EINTR) return throw_errno(env, "ppoll", errno);
  CHECK(env, napi_create_int32(env, r < 0 ? 0 : r, &out));
  return out;
}

#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}

napi_value lg_tap_napi(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    FN("tapOpen", js_tap_open), FN("tapRead", js_tap_read), FN("tapWrite", js_tap_write),
    FN("tapClose", js_tap_close), FN("ioWait", js_io_wait),
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
