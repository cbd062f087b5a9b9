// 64-byte aligned allocation for arenas, shared-variable storage, constants and staging buffers.
// Plain C++, no N-API; safe to use from any thread.
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace nodeano {

constexpr size_t kAlign = 64;
// Blocks at least this large come straight from mmap: page-aligned and zero-filled lazily by the kernel, so a big
// zeroed arena costs no memset and no memory until it is touched.
constexpr size_t kMmapThreshold = size_t(1) << 20;
// Blocks at least this large ask for transparent huge pages (2 MiB): on a machine whose THP mode is "madvise" (Debian's
// default), the first touch of a fresh 64 MiB output then takes 32 faults instead of 16384, which is what NumPy's
// allocator does for its arrays (madvise(MADV_HUGEPAGE) from 4 MiB up).
constexpr size_t kHugeThreshold = size_t(4) << 20;
constexpr size_t kHugePage = size_t(2) << 20;

// Asks for huge pages on the 2 MiB-aligned part of [p, p + bytes) when it is large enough; memory already touched
// keeps its pages (the hint only affects later faults and khugepaged). Best effort: a kernel without THP ignores it.
inline void advise_huge(void* p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (bytes < kHugeThreshold) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// An owned, immovable 64-byte aligned block (at least 64 bytes are always allocated, so data() is never null).
// Held through std::shared_ptr when several owners (a plan, the JS ArrayBuffer that exposes it, an async run) must
// keep it alive; the last one frees it, on whichever thread drops it.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() {
    if (mapped_) munmap(data_, mapped_);
    else std::free(data_);
  }

  // `bytes` usable bytes, zeroed when `zero` is true. Returns nullptr when the memory cannot be had; never throws.
  static std::shared_ptr<AlignedBuffer> make(size_t bytes, bool zero) {
    if (bytes > (SIZE_MAX >> 2)) return nullptr;
    const size_t n = bytes < kAlign ? kAlign : (bytes + kAlign - 1) & ~(kAlign - 1);
    void* p = nullptr;
    size_t mapped = 0;
    if (n >= kHugeThreshold) {
      // a 2 MiB-aligned mapping (over-map by one huge page, unmap the ends), so every page of it can be huge
      const size_t len = (n + kHugePage - 1) & ~(kHugePage - 1);
      void* raw = mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (raw == MAP_FAILED) return nullptr;
      const uintptr_t r = reinterpret_cast<uintptr_t>(raw), a = (r + kHugePage - 1) & ~(kHugePage - 1);
      if (a > r) munmap(raw, a - r);
      if (r + kHugePage > a) munmap(reinterpret_cast<void*>(a + len), r + kHugePage - a);
      p = reinterpret_cast<void*>(a);
      mapped = len;  // already zero
      advise_huge(p, len);
    } else if (n >= kMmapThreshold) {
      p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return nullptr;
      mapped = n;  // already zero
    } else {
      if (posix_memalign(&p, kAlign, n) != 0) return nullptr;
      if (zero) std::memset(p, 0, n);
    }
    try {
      auto b = std::make_shared<AlignedBuffer>();
      b->data_ = p;
      b->bytes_ = bytes;
      b->mapped_ = mapped;
      return b;
    } catch (...) {
      if (mapped) munmap(p, mapped);
      else std::free(p);
      return nullptr;
    }
  }

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  size_t mapped_ = 0;  // mmap length, 0 for posix_memalign
};

}  // namespace nodeano
