// A fixed pool of worker threads for data-parallel loops. parallel_for runs on the calling thread plus the workers
// and returns when every chunk is done; it is not reentrant (kernels do not nest it).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nodeano {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  int threads() const { return n_threads_; }
  void resize(int threads);
  // Splits [0, n) into at most threads() contiguous ranges of at least `grain` items and runs fn(begin, end) on each.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void start(int threads);
  void stop();
  void worker(int id);
  int n_threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0, job_chunks_ = 0;
  int64_t generation_ = 0;
  int pending_ = 0;
  bool quit_ = false;
};

}  // namespace nodeano
