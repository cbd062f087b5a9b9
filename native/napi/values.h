// Reading JS values: typed arrays and their dtypes, descriptor fields, argument descriptions for error messages.
// Main thread of the calling environment only.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "errors.h"

namespace nodeano {
namespace napi {

const char* typed_array_name(napi_typedarray_type t);
// The TypedArray type that carries a dtype (bool is Uint8Array), and back (-1 for any other type).
napi_typedarray_type array_type_of(int32_t dtype);
int32_t dtype_of_array_type(napi_typedarray_type t);
const char* dtype_name(int32_t dtype);
size_t element_size(napi_typedarray_type t);
// "a Float32Array", "an object", "undefined", ... for error messages.
std::string describe(napi_env env, napi_value v);

struct TypedView {
  napi_typedarray_type type;
  size_t length;  // elements
  void* data;     // nullptr when detached (then length is 0)
};
bool typed_view(napi_env env, napi_value v, TypedView* out);
bool is_detached_view(napi_env env, napi_value v);

// Argument i, or undefined past the end.
inline napi_value arg(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? napi_value(info[i]) : napi_value(info.Env().Undefined()); }
napi_value object_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
// A property (a getter that throws rethrows here).
napi_value get_prop(Napi::Env env, napi_value obj, const char* key);
bool is_nullish(Napi::Env env, napi_value v);
// A number that must be an integer in [lo, hi].
double integer_field(Napi::Env env, napi_value v, const char* what, double lo, double hi);
// The elements of a JS array (running any getters); `what` names it in errors.
void array_elements(Napi::Env env, napi_value v, const char* what, std::vector<napi_value>* out, uint32_t max_len);

// A descriptor field that must be a typed array of one type; an empty one gives data = nullptr. Read only after
// every getter of the descriptor has run (see callers), so no JS can detach the buffer while native code reads it.
template <class T>
void typed_field(Napi::Env env, napi_value v, napi_typedarray_type want, const char* what, const T** data, size_t* len) {
  TypedView tv;
  if (!typed_view(env, v, &tv) || tv.type != want) type_fail(env, std::string(what) + " must be a " + typed_array_name(want) + ", got " + describe(env, v));
  if (!tv.data) {
    if (tv.length || is_detached_view(env, v)) fail(env, kInvalid, std::string(what) + " is detached");
    *data = nullptr;
    *len = 0;
    return;
  }
  *data = static_cast<const T*>(tv.data);
  *len = tv.length;
}

// The same for an optional field: undefined or null leaves data = nullptr.
template <class T>
void optional_typed_field(Napi::Env env, napi_value v, napi_typedarray_type want, const char* what, const T** data, size_t* len) {
  if (!is_nullish(env, v)) typed_field(env, v, want, what, data, len);
}

}  // namespace napi
}  // namespace nodeano
