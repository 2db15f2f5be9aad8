/*
 * N-API helpers shared by the board addon's C files (board.c, tap.c, pci.c): arguments, numbers,
 * buffers, result objects, and errors that name the call and strerror(errno), with .code the
 * errno's name. Static inline: each file gets its own copy; no state.
 */
#ifndef LG_NAPI_H
#define LG_NAPI_H

#include <node_api.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHECK(env, call)                                                     \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error((env), NULL, "lastgasp_board: N-API call failed");    \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static inline napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256], code[32];
  const char *name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  snprintf(code, sizeof code, "%s", name ? name : "EUNKNOWN");
  napi_throw_error(env, code, msg);
  return NULL;
}

static inline napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static inline int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "lastgasp_board: missing arguments");
    return -1;
  }
  return 0;
}

static inline int get_u32(napi_env env, napi_value v, uint32_t *out) {
  if (napi_get_value_uint32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "lastgasp_board: expected a number");
    return -1;
  }
  return 0;
}

static inline int get_buffer(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is_ab = false, is_ta = false;
  napi_is_arraybuffer(env, v, &is_ab);
  if (is_ab) return napi_get_arraybuffer_info(env, v, (void **)data, len) == napi_ok ? 0 : -1;
  napi_is_typedarray(env, v, &is_ta);
  if (is_ta) {
    napi_typedarray_type t;
    if (napi_get_typedarray_info(env, v, &t, len, (void **)data, NULL, NULL) == napi_ok && t == napi_uint8_array) return 0;
  }
  napi_throw_type_error(env, NULL, "lastgasp_board: expected an ArrayBuffer or a Uint8Array");
  return -1;
}

static inline void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value x;
  napi_create_double(env, v, &x);
  napi_set_named_property(env, obj, key, x);
}

static inline void set_bool(napi_env env, napi_value obj, const char *key, int v) {
  napi_value x;
  napi_get_boolean(env, v != 0, &x);
  napi_set_named_property(env, obj, key, x);
}

#endif
