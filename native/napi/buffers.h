// Native memory exposed to JS as external ArrayBuffers (zero copy): alloc()'d buffers and plan arenas.
//
// Every such ArrayBuffer holds one reference to its AlignedBuffer; a plan (its arena) or an async run (an alloc()'d
// argument it reads without copying) may hold others, and the last one frees the memory. free() detaches the
// ArrayBuffer (every JS view of it then has length 0) and drops its reference at once, instead of at garbage
// collection. The registry is process-wide (worker_threads included) and guarded by a mutex; everything else runs on
// the main thread of the calling environment.
#pragma once
#include <napi.h>

#include <memory>

#include "../aligned.h"

namespace nodeano {
namespace napi {

enum class Origin { Alloc, Arena };

// An external ArrayBuffer over the first `bytes` bytes of `buf` (a plain empty one for 0 bytes).
Napi::Value external_buffer(Napi::Env env, const std::shared_ptr<AlignedBuffer>& buf, size_t bytes, Origin origin);

// The alloc()'d buffer starting at `base`, or nullptr: an async run holds it instead of copying what it reads.
std::shared_ptr<AlignedBuffer> find_alloc(const void* base);

// free(buffer): detaches an ArrayBuffer made by external_buffer and releases its reference. A detached ArrayBuffer
// (already freed, or transferred) or an empty one is left alone; any other value is a TypeError.
void free_buffer(Napi::Env env, napi_value v);

}  // namespace napi
}  // namespace nodeano
