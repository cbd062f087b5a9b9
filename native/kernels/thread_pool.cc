#include "thread_pool.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <system_error>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace nodeano {

namespace {
// Set while a thread runs a chunk: a nested parallel_for (not supported by design) then runs inline instead of
// deadlocking on the pool it is already part of.
thread_local bool t_in_chunk = false;

// Waiting threads spin this long (re-checking under the mutex) before blocking on a condition variable: a futex
// wake-up costs tens of microseconds on virtual machines, which would eat the gain of splitting mid-sized kernels
// that run back to back.
constexpr auto kSpin = std::chrono::microseconds(50);

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  for (int i = 0; i < 16; i++) _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until ready() (called with `lock` held) or kSpin passes; returns with `lock` held either way.
template <class Ready>
bool spin_until(std::unique_lock<std::mutex>& lock, Ready ready) {
  if (ready()) return true;
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  while (std::chrono::steady_clock::now() < deadline) {
    lock.unlock();
    cpu_relax();
    lock.lock();
    if (ready()) return true;
  }
  return false;
}

// Test hook: NODEANO_TEST_MAX_THREADS=k (read once, k >= 1) makes creating thread number k or later (the caller is
// thread 0) fail with the std::system_error std::thread throws when pthread_create fails (EAGAIN: a pids limit,
// RLIMIT_NPROC, no address space for a stack). Root ignores RLIMIT_NPROC, so the tests need this to reach the
// fallback in start(). Unset, empty or not a positive integer: no limit.
int test_max_threads() {
  static const int limit = [] {
    const char* v = std::getenv("NODEANO_TEST_MAX_THREADS");
    if (v == nullptr || *v == '\0') return 0;
    char* end = nullptr;
    const long k = std::strtol(v, &end, 10);
    return *end == '\0' && k >= 1 && k <= (1 << 20) ? static_cast<int>(k) : 0;
  }();
  return limit;
}

void run_chunk(const std::function<void(int64_t, int64_t)>& fn, int64_t n, int64_t chunks, int64_t i) {
  const int64_t begin = n * i / chunks, end = n * (i + 1) / chunks;
  t_in_chunk = true;
  fn(begin, end);
  t_in_chunk = false;
}
}  // namespace

ThreadPool::ThreadPool(int threads) { start(threads); }

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::resize(int threads) {
  stop();
  start(threads);
}

// The caller is thread 0, so `threads` threads of work need threads - 1 workers. When the OS refuses a thread (a
// container's pids limit, an address-space limit), the pool keeps the workers it has and threads() says how many
// threads it runs on: parallel_for never waits for a chunk no worker will take. Never throws.
void ThreadPool::start(int threads) {
  const int want = std::max(1, threads);
  quit_ = false;
  generation_ = 0;  // new workers start with seen = 0 and must not pick up the last job of the old ones
  job_ = nullptr;
  const int limit = test_max_threads();
  try {
    workers_.reserve(want - 1);
    for (int id = 1; id < want; id++) {
      if (limit > 0 && id >= limit) throw std::system_error(EAGAIN, std::generic_category(), "thread creation refused (NODEANO_TEST_MAX_THREADS)");
      workers_.emplace_back(&ThreadPool::worker, this, id);
    }
  } catch (const std::exception&) {
    // std::system_error from std::thread, or std::bad_alloc from reserve: run on the threads that exist
  }
  n_threads_ = static_cast<int>(workers_.size()) + 1;
}

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  n_threads_ = 1;
}

// Worker `id` runs chunk `id` of each job that has more than `id` chunks. Workers that a job does not need go back
// to sleep without touching pending_, so a small job only waits for the workers it uses.
void ThreadPool::worker(int id) {
  int64_t seen = 0;
  for (;;) {
    const std::function<void(int64_t, int64_t)>* job;
    int64_t n, chunks;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto ready = [&] { return quit_ || generation_ != seen; };
      if (!spin_until(lock, ready)) cv_.wait(lock, ready);
      if (quit_) return;
      seen = generation_;
      job = job_;
      n = job_n_;
      chunks = job_chunks_;
    }
    if (id >= chunks) continue;
    run_chunk(*job, n, chunks, id);
    std::lock_guard<std::mutex> lock(mu_);
    if (--pending_ == 0) done_cv_.notify_one();
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t chunks = std::min<int64_t>(n_threads_, std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
  if (chunks <= 1 || t_in_chunk) {
    fn(0, n);
    return;
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (job_ != nullptr) {  // another thread is using the pool: run serially rather than interleave two jobs
      lock.unlock();
      fn(0, n);
      return;
    }
    job_ = &fn;
    job_n_ = n;
    job_chunks_ = chunks;
    pending_ = static_cast<int>(chunks - 1);
    generation_++;
  }
  cv_.notify_all();
  run_chunk(fn, n, chunks, 0);
  std::unique_lock<std::mutex> lock(mu_);
  auto done = [&] { return pending_ == 0; };
  if (!spin_until(lock, done)) done_cv_.wait(lock, done);
  job_ = nullptr;
}

}  // namespace nodeano
