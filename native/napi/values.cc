#include "values.h"

#include <cmath>

#include "../kernels/kernel.h"

namespace nodeano {
namespace napi {

const char* typed_array_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "a typed array";
  }
}

napi_typedarray_type array_type_of(int32_t dtype) {
  switch (dtype) {
    case F32: return napi_float32_array;
    case F64: return napi_float64_array;
    case I32: return napi_int32_array;
    default: return napi_uint8_array;
  }
}

int32_t dtype_of_array_type(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return F32;
    case napi_float64_array: return F64;
    case napi_int32_array: return I32;
    case napi_uint8_array: return BOOL;
    default: return -1;
  }
}

const char* dtype_name(int32_t d) {
  switch (d) {
    case F32: return "float32";
    case F64: return "float64";
    case I32: return "int32";
    case BOOL: return "bool";
    default: return "?";
  }
}

size_t element_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

std::string describe(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return "an unknown value";
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_bigint: return "a bigint";
    case napi_function: return "a function";
    case napi_external: return "an External";
    default: break;
  }
  bool b = false;
  if (napi_is_typedarray(env, v, &b) == napi_ok && b) {
    napi_typedarray_type tt;
    size_t len;
    if (napi_get_typedarray_info(env, v, &tt, &len, nullptr, nullptr, nullptr) == napi_ok) return std::string("a ") + typed_array_name(tt);
  }
  if (napi_is_array(env, v, &b) == napi_ok && b) return "an array";
  if (napi_is_arraybuffer(env, v, &b) == napi_ok && b) return "an ArrayBuffer";
  return "an object";
}

bool typed_view(napi_env env, napi_value v, TypedView* out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  return napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, nullptr, nullptr) == napi_ok;
}

bool is_detached_view(napi_env env, napi_value v) {
  napi_typedarray_type t;
  size_t len;
  napi_value ab = nullptr;
  bool detached = false;
  if (napi_get_typedarray_info(env, v, &t, &len, nullptr, &ab, nullptr) != napi_ok || !ab) return false;
  if (napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok) return false;
  return detached;
}

napi_value object_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  napi_value v = arg(info, i);
  napi_valuetype t;
  if (napi_typeof(info.Env(), v, &t) != napi_ok || t != napi_object) type_fail(info.Env(), std::string(what) + " must be an object, got " + describe(info.Env(), v));
  return v;
}

napi_value get_prop(Napi::Env env, napi_value obj, const char* key) {
  napi_value v;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) throw Napi::Error::New(env);  // a getter threw: rethrow it
  return v;
}

bool is_nullish(Napi::Env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) throw Napi::Error::New(env);
  return t == napi_undefined || t == napi_null;
}

double integer_field(Napi::Env env, napi_value v, const char* what, double lo, double hi) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) type_fail(env, std::string(what) + " must be a number, got " + describe(env, v));
  if (!(d >= lo && d <= hi) || std::floor(d) != d)
    fail(env, kInvalid, std::string(what) + " must be an integer in [" + std::to_string(int64_t(lo)) + ", " + std::to_string(int64_t(hi)) + "]", Kind::RangeError);
  return d;
}

void array_elements(Napi::Env env, napi_value v, const char* what, std::vector<napi_value>* out, uint32_t max_len) {
  bool is = false;
  if (napi_is_array(env, v, &is) != napi_ok || !is) type_fail(env, std::string(what) + " must be an array, got " + describe(env, v));
  uint32_t n = 0;
  if (napi_get_array_length(env, v, &n) != napi_ok) type_fail(env, std::string(what) + " must be an array");
  if (n > max_len) fail(env, kInvalid, std::string(what) + " has too many elements", Kind::RangeError);
  out->resize(n);
  for (uint32_t i = 0; i < n; i++)
    if (napi_get_element(env, v, i, &(*out)[i]) != napi_ok) throw Napi::Error::New(env);
}

}  // namespace napi
}  // namespace nodeano
