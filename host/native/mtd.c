/*
 * lastgasp_mtd: the smallest N-API addon that gives the flasher a Linux MTD character device
 * (/dev/mtdN, linux/Documentation and include/uapi/mtd/mtd-abi.h). Self-contained: its own
 * target in binding.gyp, no code shared with the other addons. The decisions (which block,
 * what to write, whether what came back is right) are the core's; this file only performs.
 *
 *   open(path, writable)   -> fd              open(2), O_CLOEXEC
 *   info(fd)               -> {type, flags, size, erasesize, writesize, oobsize}   MEMGETINFO
 *   read(fd, off, buf)     -> bytes read      pread(2) into a Uint8Array (NAND: ECC errors
 *                                             are NOT reported by mtdchar's read: check data)
 *   write(fd, off, buf)    -> bytes written   pwrite(2) (NAND: whole pages)
 *   erase(fd, off, len)    -> undefined       MEMERASE64
 *   isBad(fd, off)         -> boolean         MEMGETBADBLOCK (0 on NOR: no bad blocks)
 *   eccStats(fd)           -> {corrected, failed, badblocks, bbtblocks}   ECCGETSTATS
 *   close(fd)              -> undefined       close(2); on a writable fd mtdchar then calls
 *                                             mtd_sync(), which block2mtd turns into a flush
 *
 * Errors throw an Error whose message names the call, the offset and strerror(errno), with
 * .code set to the errno's name ("EIO", "EINVAL", ...). Linux only.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <mtd/mtd-abi.h>

#define CHECK(env, call)                                                \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error((env), NULL, "lastgasp_mtd: N-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int64_t off, int err) {
  char msg[256];
  char code[16];
  const char *name = strerrorname_np(err); /* glibc >= 2.32 */
  if (off >= 0) snprintf(msg, sizeof msg, "%s at 0x%llx: %s", what, (unsigned long long)off, strerror(err));
  else snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  if (name) snprintf(code, sizeof code, "%s", name);
  else snprintf(code, sizeof code, "E%d", err);
  napi_throw_error(env, code, msg);
  return NULL;
}

static int arg_fd(napi_env env, napi_value v, int32_t *fd) {
  if (napi_get_value_int32(env, v, fd) != napi_ok || *fd < 0) {
    napi_throw_type_error(env, NULL, "fd must be a non-negative integer");
    return -1;
  }
  return 0;
}

static int arg_off(napi_env env, napi_value v, int64_t *off) {
  if (napi_get_value_int64(env, v, off) != napi_ok || *off < 0) {
    napi_throw_range_error(env, NULL, "offset must be a non-negative integer");
    return -1;
  }
  return 0;
}

static int arg_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_typed = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "buffer must be a Uint8Array");
    return -1;
  }
  return 0;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  char path[256] = {0};
  size_t len = 0;
  bool writable = false;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len == 0 || len >= sizeof path - 1 ||
      napi_get_value_bool(env, argv[1], &writable) != napi_ok) {
    napi_throw_type_error(env, NULL, "open(path, writable): a path of 1..254 bytes and a boolean");
    return NULL;
  }
  int fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, path, -1, errno);
  CHECK(env, napi_create_int32(env, fd, &out));
  return out;
}

static napi_value set_u32(napi_env env, napi_value obj, const char *key, uint32_t v) {
  napi_value n;
  CHECK(env, napi_create_uint32(env, v, &n));
  CHECK(env, napi_set_named_property(env, obj, key, n));
  return obj;
}

static napi_value js_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t fd;
  struct mtd_info_user mi;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || arg_fd(env, argv[0], &fd)) return NULL;
  if (ioctl(fd, MEMGETINFO, &mi) < 0) return throw_errno(env, "MEMGETINFO", -1, errno);
  CHECK(env, napi_create_object(env, &out));
  if (!set_u32(env, out, "type", mi.type) || !set_u32(env, out, "flags", mi.flags) || !set_u32(env, out, "size", mi.size) ||
      !set_u32(env, out, "erasesize", mi.erasesize) || !set_u32(env, out, "writesize", mi.writesize) || !set_u32(env, out, "oobsize", mi.oobsize))
    return NULL;
  return out;
}

static napi_value js_read(napi_env env, napi_callback_info info) {
  size_t argc = 3, len = 0;
  napi_value argv[3], out;
  int32_t fd;
  int64_t off;
  void *data = NULL;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || arg_fd(env, argv[0], &fd) || arg_off(env, argv[1], &off) || arg_bytes(env, argv[2], &data, &len)) return NULL;
  size_t done = 0;
  while (done < len) { /* a short read is retried; a read of 0 bytes is the end of the device */
    ssize_t n = pread(fd, (char *)data + done, len - done, (off_t)(off + (int64_t)done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return throw_errno(env, "read", off + (int64_t)done, errno);
    if (n == 0) return throw_errno(env, "read past the end", off + (int64_t)done, EINVAL);
    done += (size_t)n;
  }
  CHECK(env, napi_create_int64(env, (int64_t)done, &out));
  return out;
}

static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 3, len = 0;
  napi_value argv[3], out;
  int32_t fd;
  int64_t off;
  void *data = NULL;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || arg_fd(env, argv[0], &fd) || arg_off(env, argv[1], &off) || arg_bytes(env, argv[2], &data, &len)) return NULL;
  size_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd, (const char *)data + done, len - done, (off_t)(off + (int64_t)done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return throw_errno(env, "write", off + (int64_t)done, n < 0 ? errno : ENOSPC);
    done += (size_t)n;
  }
  CHECK(env, napi_create_int64(env, (int64_t)done, &out));
  return out;
}

static napi_value js_erase(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd;
  int64_t off, len;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || arg_fd(env, argv[0], &fd) || arg_off(env, argv[1], &off) || arg_off(env, argv[2], &len)) return NULL;
  struct erase_info_user64 ei = {.start = (uint64_t)off, .length = (uint64_t)len};
  if (ioctl(fd, MEMERASE64, &ei) < 0) return throw_errno(env, "MEMERASE64", off, errno);
  return NULL;
}

static napi_value js_is_bad(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  int32_t fd;
  int64_t off;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || arg_fd(env, argv[0], &fd) || arg_off(env, argv[1], &off)) return NULL;
  long long o = (long long)off; /* the kernel reads a loff_t (64-bit) */
  int r = ioctl(fd, MEMGETBADBLOCK, &o);
  if (r < 0 && errno == EOPNOTSUPP) r = 0; /* a device without bad blocks */
  if (r < 0) return throw_errno(env, "MEMGETBADBLOCK", off, errno);
  CHECK(env, napi_get_boolean(env, r > 0, &out));
  return out;
}

static napi_value js_ecc_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t fd;
  struct mtd_ecc_stats st;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || arg_fd(env, argv[0], &fd)) return NULL;
  if (ioctl(fd, ECCGETSTATS, &st) < 0) return throw_errno(env, "ECCGETSTATS", -1, errno);
  CHECK(env, napi_create_object(env, &out));
  if (!set_u32(env, out, "corrected", st.corrected) || !set_u32(env, out, "failed", st.failed) ||
      !set_u32(env, out, "badblocks", st.badblocks) || !set_u32(env, out, "bbtblocks", st.bbtblocks))
    return NULL;
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || arg_fd(env, argv[0], &fd)) return NULL;
  if (close(fd) < 0) return throw_errno(env, "close", -1, errno);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"info", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL},
    {"read", NULL, js_read, NULL, NULL, NULL, napi_enumerable, NULL},
    {"write", NULL, js_write, NULL, NULL, NULL, napi_enumerable, NULL},
    {"erase", NULL, js_erase, NULL, NULL, NULL, napi_enumerable, NULL},
    {"isBad", NULL, js_is_bad, NULL, NULL, NULL, napi_enumerable, NULL},
    {"eccStats", NULL, js_ecc_stats, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
