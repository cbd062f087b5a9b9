// The process-wide runtime: one ThreadPool shared by every plan and environment (worker_threads included), OpenBLAS's
// thread count, CPU feature detection. Plain C++, no N-API; every function is safe from any thread.
#pragma once

namespace nodeano {

class ThreadPool;

constexpr int kMaxThreads = 1024;

// A run takes the pool if it is free and otherwise runs its kernels single-threaded (pool == nullptr), because
// ThreadPool::parallel_for is not reentrant. Held for the duration of one run, on the thread that runs it.
class PoolLease {
 public:
  PoolLease();
  ~PoolLease();
  PoolLease(const PoolLease&) = delete;
  PoolLease& operator=(const PoolLease&) = delete;
  ThreadPool* pool() const { return pool_; }

 private:
  ThreadPool* pool_;
};

int runtime_threads();
// Sets the ThreadPool size and OpenBLAS's thread count; applied at once when no run is in progress, otherwise by
// the last run to finish. n is clamped to [1, kMaxThreads]. When the OS cannot create n threads, both run on as many
// as it gave (runtime_threads still reads n back).
void runtime_set_threads(int n);
const char* runtime_blas_config();
bool cpu_has_avx2();
bool cpu_has_fma();

// c = op(a) op(b) through cblas_sgemm, row-major, on the caller's buffers: the bound a compiled dot is benchmarked
// against (bench/run.ts), nothing else uses it.
void raw_sgemm(const float* a, const float* b, float* c, int m, int n, int k, bool trans_a, bool trans_b);

}  // namespace nodeano
