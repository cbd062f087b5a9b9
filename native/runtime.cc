// The process-wide runtime (see runtime.h).
#include "runtime.h"

#include <cblas.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "kernels/thread_pool.h"

extern "C" {
// From OpenBLAS (declared here so the runtime does not depend on which cblas.h the include path finds).
void openblas_set_num_threads(int num_threads);
char* openblas_get_config(void);
}

namespace nodeano {

namespace {

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  return int(std::min<unsigned>(n, kMaxThreads));
}

class Runtime {
 public:
  // Any thread. Takes the pool when it is free (creating it on first use); otherwise returns nullptr and the
  // caller's kernels run single-threaded. Pending thread-count changes are applied when no run is in progress.
  ThreadPool* acquire() {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_ == 0 && pending_) apply_locked();
    active_++;
    if (pool_taken_) return nullptr;
    if (!pool_) {
      try {
        pool_ = new ThreadPool(threads_);  // never deleted: joining workers during process exit is not safe
      } catch (...) {
        pool_ = nullptr;
        return nullptr;
      }
      if (blas_pending_) set_blas_threads_locked();
    }
    pool_taken_ = true;
    return pool_;
  }

  // Any thread: the thread that called acquire.
  void release(ThreadPool* p) {
    std::lock_guard<std::mutex> lock(mu_);
    active_--;
    if (p) pool_taken_ = false;
    if (active_ == 0 && pending_) apply_locked();
  }

  // Any thread (called from the main thread by setThreads).
  void set_threads(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    threads_ = std::max(1, std::min(n, kMaxThreads));
    pending_ = true;
    if (active_ == 0) apply_locked();
  }

  int threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }

 private:
  void apply_locked() {
    pending_ = false;
    if (pool_ && pool_->threads() != threads_) pool_->resize(threads_);  // never throws; may get fewer threads
    if (pool_) {
      set_blas_threads_locked();
    } else {
      blas_pending_ = true;  // set when the pool is created, once it is known how many threads the OS gives
    }
  }

  // OpenBLAS gets no more threads than the pool could create: an OS that refused the pool's threads would refuse
  // OpenBLAS's too, and OpenBLAS has no fallback we can rely on when its pthread_create fails.
  void set_blas_threads_locked() {
    blas_pending_ = false;
    openblas_set_num_threads(std::min(threads_, pool_->threads()));
  }

  std::mutex mu_;
  ThreadPool* pool_ = nullptr;
  bool pool_taken_ = false;
  int active_ = 0;
  int threads_ = default_threads();
  bool pending_ = false;
  bool blas_pending_ = false;
};

Runtime& runtime() {
  static Runtime* r = new Runtime();  // never destroyed (see acquire)
  return *r;
}

}  // namespace

PoolLease::PoolLease() : pool_(runtime().acquire()) {}
PoolLease::~PoolLease() { runtime().release(pool_); }

int runtime_threads() { return runtime().threads(); }
void runtime_set_threads(int n) { runtime().set_threads(n); }

const char* runtime_blas_config() {
  const char* c = openblas_get_config();
  return c ? c : "";
}

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

bool cpu_has_fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

void raw_sgemm(const float* a, const float* b, float* c, int m, int n, int k, bool trans_a, bool trans_b) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              trans_a ? m : k, b, trans_b ? k : n, 0.0f, c, n);
}

}  // namespace nodeano
