#include "buffers.h"

#include <mutex>
#include <unordered_map>

#include "errors.h"
#include "values.h"

namespace nodeano {
namespace napi {

namespace {

// The finalizer hint of one external ArrayBuffer: its reference, dropped by free() or at collection.
struct Holder {
  std::shared_ptr<AlignedBuffer> buf;
  Origin origin;
};

std::mutex g_mu;
// Live holders by data pointer. Never destroyed: finalizers may run during static destruction.
auto* g_holders = new std::unordered_map<const void*, Holder*>();

// Removes `h` from the registry if it is still there (a freed holder's address may be reused meanwhile).
void unregister_locked(Holder* h) {
  if (!h->buf) return;
  auto it = g_holders->find(h->buf->data());
  if (it != g_holders->end() && it->second == h) g_holders->erase(it);
}

// Finalizer of every external ArrayBuffer (main thread of the owning environment, after collection, detachment or
// at teardown).
void release_holder(napi_env, void*, void* hint) {
  auto* h = static_cast<Holder*>(hint);
  std::shared_ptr<AlignedBuffer> drop;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    unregister_locked(h);
    drop = std::move(h->buf);
  }
  delete h;  // `drop` frees the memory unless a plan or an async run still holds it
}

}  // namespace

Napi::Value external_buffer(Napi::Env env, const std::shared_ptr<AlignedBuffer>& buf, size_t bytes, Origin origin) {
  if (bytes == 0) return Napi::ArrayBuffer::New(env, 0);  // holds no memory (V8 reports no data pointer for it anyway)
  auto* h = new Holder{buf, origin};
  {
    std::lock_guard<std::mutex> lock(g_mu);
    (*g_holders)[buf->data()] = h;
  }
  napi_value ab;
  if (napi_create_external_arraybuffer(env, buf->data(), bytes, release_holder, h, &ab) != napi_ok) {
    release_holder(env, nullptr, h);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) throw Napi::Error::New(env);
    fail(env, kUnsupported, "this runtime does not allow external ArrayBuffers");
  }
  return Napi::Value(env, ab);
}

std::shared_ptr<AlignedBuffer> find_alloc(const void* base) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_holders->find(base);
  return it == g_holders->end() || it->second->origin != Origin::Alloc ? nullptr : it->second->buf;
}

void free_buffer(Napi::Env env, napi_value v) {
  auto not_ours = [&] { type_fail(env, "free: buffer must be an ArrayBuffer from alloc() or createPlan(), got " + describe(env, v)); };
  bool is = false, detached = false;
  if (napi_is_arraybuffer(env, v, &is) != napi_ok || !is) not_ours();
  if (napi_is_detached_arraybuffer(env, v, &detached) != napi_ok) throw Napi::Error::New(env);
  if (detached) return;
  void* base = nullptr;
  size_t len = 0;
  if (napi_get_arraybuffer_info(env, v, &base, &len) != napi_ok) throw Napi::Error::New(env);
  if (len == 0) return;  // external_buffer makes zero-length buffers without native memory
  Holder* h = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = base ? g_holders->find(base) : g_holders->end();
    if (it != g_holders->end()) h = it->second;
  }
  if (!h) not_ours();
  if (napi_detach_arraybuffer(env, v) != napi_ok) {
    clear_pending(env);
    fail(env, kUnsupported, "free: this runtime cannot detach the buffer");
  }
  std::shared_ptr<AlignedBuffer> drop;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    unregister_locked(h);
    drop = std::move(h->buf);  // the holder itself goes in the finalizer, which detaching schedules
  }
}

}  // namespace napi
}  // namespace nodeano
