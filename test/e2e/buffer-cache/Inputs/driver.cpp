// Calls a compiled model many times, from several threads at once, and checks
// every result against the result of a first, single-threaded call on the
// same input: the temporaries come from the object's buffer cache
// (bnn-buffer-cache), which must hand a buffer to one call at a time and
// never mix sizes. Prints "ok" or the first mismatch.
#include "model.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

int main() {
  constexpr int kInputs = 6, kThreads = 4, kCallsPerThread = 150;
  constexpr size_t kX = 2 * 16 * 16 * 64, kF = 40 * 9, kY = 2 * 16 * 16 * 40;
  std::mt19937_64 rng(7);
  std::vector<std::vector<float>> xs(kInputs, std::vector<float>(kX));
  std::vector<std::vector<uint64_t>> fs(kInputs, std::vector<uint64_t>(kF));
  std::vector<std::vector<int32_t>> expected(kInputs, std::vector<int32_t>(kY));
  for (int i = 0; i < kInputs; ++i) {
    for (float &v : xs[i])
      v = static_cast<float>(static_cast<int64_t>(rng() % 2001) - 1000);
    for (uint64_t &w : fs[i])
      w = rng();
    layer(xs[i].data(), fs[i].data(), expected[i].data());
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::vector<int32_t> y(kY);
      for (int call = 0; call < kCallsPerThread; ++call) {
        int i = (call + t) % kInputs;
        std::memset(y.data(), 0x5a, y.size() * sizeof(int32_t));
        layer(xs[i].data(), fs[i].data(), y.data());
        if (y != expected[i] && failures.fetch_add(1) == 0)
          std::printf("FAIL: thread %d call %d input %d differs from the "
                      "single-threaded result\n",
                      t, call, i);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  if (failures == 0)
    std::printf("ok: %d calls on %d threads\n", kThreads * kCallsPerThread,
                kThreads);
  return failures == 0 ? 0 : 1;
}
