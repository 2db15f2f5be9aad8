/*
 * lastgasp_raw: the smallest N-API addon that puts a ready-made Ethernet frame on an
 * existing Linux interface through an AF_PACKET raw socket (packet(7)). The frame bytes
 * come from the core's encoders; this file only opens, sends and closes. Linux only; needs
 * CAP_NET_RAW (root).
 *
 *   ifindex(name)        -> number            if_nametoindex(3)
 *   hwaddr(name)         -> Buffer(6)         SIOCGIFHWADDR (netdevice(7))
 *   open(name)           -> fd                socket(AF_PACKET, SOCK_RAW, 0) bound to name
 *   send(fd, bytes)      -> bytes sent        send(2): the frame as is, Ethernet header first
 *   close(fd)            -> undefined
 *
 * Protocol 0 at socket() time means the socket receives nothing: it only transmits.
 * Errors throw an Error whose message names the call, the interface and strerror(errno),
 * with .code set to the errno's name ("EPERM", "ENODEV", ...).
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), NULL, "lastgasp_raw: N-API call failed");    \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, const char *ifname, int err) {
  char msg[256];
  char code[16];
  const char *name = strerrorname_np(err); /* glibc >= 2.32 */
  snprintf(msg, sizeof msg, "%s%s%s: %s", what, ifname ? " " : "", ifname ? ifname : "", strerror(err));
  if (name) snprintf(code, sizeof code, "%s", name);
  else snprintf(code, sizeof code, "E%d", err);
  napi_throw_error(env, code, msg);
  return NULL;
}

/* Reads argument i as an interface name into buf (IFNAMSIZ). Returns 0 or throws. */
static int arg_ifname(napi_env env, napi_value v, char *buf) {
  size_t len = 0;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    napi_throw_type_error(env, NULL, "interface name must be a string");
    return -1;
  }
  if (napi_get_value_string_utf8(env, v, buf, IFNAMSIZ, &len) != napi_ok || len == 0 || len >= IFNAMSIZ - 1) {
    napi_throw_range_error(env, NULL, "interface name must be 1..15 bytes");
    return -1;
  }
  return 0;
}

static napi_value js_ifindex(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  char name[IFNAMSIZ] = {0};
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || arg_ifname(env, argv[0], name)) return NULL;
  unsigned idx = if_nametoindex(name);
  if (idx == 0) return throw_errno(env, "if_nametoindex", name, errno);
  CHECK(env, napi_create_uint32(env, idx, &out));
  return out;
}

static napi_value js_hwaddr(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  char name[IFNAMSIZ] = {0};
  void *data = NULL;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || arg_ifname(env, argv[0], name)) return NULL;
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", name, errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, strlen(name));
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "SIOCGIFHWADDR", name, err);
  }
  close(fd);
  CHECK(env, napi_create_buffer_copy(env, ETH_ALEN, ifr.ifr_hwaddr.sa_data, &data, &out));
  return out;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  char name[IFNAMSIZ] = {0};
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || arg_ifname(env, argv[0], name)) return NULL;
  unsigned idx = if_nametoindex(name);
  if (idx == 0) return throw_errno(env, "if_nametoindex", name, errno);
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET, SOCK_RAW)", name, errno);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = 0; /* transmit only */
  sll.sll_ifindex = (int)idx;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "bind(AF_PACKET)", name, err);
  }
  CHECK(env, napi_create_int32(env, fd, &out));
  return out;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  int32_t fd = -1;
  bool is_typed = false;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "send(fd, frame): fd must be a non-negative integer");
    return NULL;
  }
  CHECK(env, napi_is_typedarray(env, argv[1], &is_typed));
  if (!is_typed) {
    napi_throw_type_error(env, NULL, "send(fd, frame): frame must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  CHECK(env, napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL));
  if (type != napi_uint8_array || length < ETH_HLEN || length > 65535) {
    napi_throw_range_error(env, NULL, "send(fd, frame): a Uint8Array of 14..65535 bytes");
    return NULL;
  }
  ssize_t n = send(fd, data, length, 0);
  if (n < 0) return throw_errno(env, "send", NULL, errno);
  CHECK(env, napi_create_int64(env, (int64_t)n, &out));
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "close(fd): fd must be a non-negative integer");
    return NULL;
  }
  if (close(fd) < 0) return throw_errno(env, "close", NULL, errno);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"ifindex", NULL, js_ifindex, NULL, NULL, NULL, napi_enumerable, NULL},
    {"hwaddr", NULL, js_hwaddr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
