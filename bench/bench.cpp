//===- bench.cpp - Packed kernels against the machine's ceiling ---------===//
//
// Google Benchmark driver of scripts/bench.sh. Every layer of
// gen_layers.py is linked twice: `_tiled` (the inference pipeline as it is:
// blocked layout, bnn-tile register tiles) and `_scalar` (bnn-compile
// --no-tile: one scalar loop nest per kernel). Each reports its rate in
// binary multiply-accumulates per second (one MAC = one bit of one filter
// tap), next to the ceiling measured in the same run: a register-resident
// loop of XOR, popcount and add on the widest vectors the compiler targets
// (-march=native), with no loads.
//
//===----------------------------------------------------------------------===//

#include "layers_scalar.h"
#include "layers_tiled.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

namespace {

using Words = std::vector<uint64_t>;

Words randomWords(size_t count, unsigned seed) {
  std::mt19937_64 rng(seed);
  Words words(count);
  for (uint64_t &w : words)
    w = rng();
  return words;
}

// The ceiling: 16 independent accumulator vectors of 8 x 64-bit words.
typedef uint64_t Vec __attribute__((vector_size(64)));

void BM_Ceiling(benchmark::State &state) {
  Vec acc[16] = {};
  Vec x = {1, 2, 3, 4, 5, 6, 7, 8};
  Vec w = {9, 10, 11, 12, 13, 14, 15, 16};
  const int64_t iterations = 1 << 16;
  for (auto _ : state) {
    for (int64_t i = 0; i < iterations; ++i) {
#pragma clang loop unroll(full)
      for (int a = 0; a < 16; ++a)
        acc[a] += __builtin_elementwise_popcount(x ^ (w + a));
      // Keep x opaque so that the loop is not folded.
      asm volatile("" : "+v"(x));
    }
    benchmark::DoNotOptimize(acc);
  }
  // 16 vectors of 8 words of 64 bits per iteration.
  double macs = 16.0 * 8 * 64 * iterations;
  state.counters["GMAC/s"] = benchmark::Counter(
      macs * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Ceiling)->Unit(benchmark::kMicrosecond);

struct Conv {
  int64_t h, w, c, o, stride;
  int64_t outH() const { return (h + 2 - 3) / stride + 1; }
  int64_t outW() const { return (w + 2 - 3) / stride + 1; }
  double macs() const { return double(outH()) * outW() * o * 9 * c; }
};

template <typename Fn>
void runConv(benchmark::State &state, const Conv &conv, Fn fn) {
  Words x = randomWords(conv.h * conv.w * (conv.c / 64), 1);
  Words f = randomWords(conv.o * 9 * (conv.c / 64), 2);
  std::vector<int32_t> acc(conv.outH() * conv.outW() * conv.o);
  for (auto _ : state) {
    fn(x.data(), f.data(), acc.data());
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] = benchmark::Counter(
      conv.macs() * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

template <typename Fn>
void runTernary(benchmark::State &state, const Conv &conv, Fn fn) {
  Words x = randomWords(conv.h * conv.w * (conv.c / 64), 1);
  Words f = randomWords(conv.o * 9 * (conv.c / 64), 2);
  Words m = randomWords(conv.o * 9 * (conv.c / 64), 3);
  std::vector<int32_t> acc(conv.outH() * conv.outW() * conv.o);
  for (auto _ : state) {
    fn(x.data(), f.data(), m.data(), acc.data());
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] = benchmark::Counter(
      conv.macs() * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

template <typename Fn>
void runDense(benchmark::State &state, int64_t n, int64_t k, int64_t o,
              Fn fn) {
  Words x = randomWords(n * k / 64, 1);
  std::vector<int32_t> acc(n * o);
  for (auto _ : state) {
    fn(x.data(), acc.data());
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] = benchmark::Counter(
      double(n) * k * o * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
}

#define CONV(NAME, H, W, C, O, S)                                              \
  void BM_##NAME##_tiled(benchmark::State &s) {                                \
    runConv(s, Conv{H, W, C, O, S}, NAME##_tiled);                             \
  }                                                                            \
  void BM_##NAME##_scalar(benchmark::State &s) {                               \
    runConv(s, Conv{H, W, C, O, S}, NAME##_scalar);                            \
  }                                                                            \
  BENCHMARK(BM_##NAME##_tiled)->Unit(benchmark::kMicrosecond);                 \
  BENCHMARK(BM_##NAME##_scalar)->Unit(benchmark::kMicrosecond);

CONV(conv56x56x64, 56, 56, 64, 64, 1)
CONV(conv28x28x128, 28, 28, 128, 128, 1)
CONV(conv14x14x256, 14, 14, 256, 256, 1)
CONV(conv7x7x512, 7, 7, 512, 512, 1)
CONV(conv56x56x64s2, 56, 56, 64, 128, 2)

void BM_conv28x28x128t_tiled(benchmark::State &s) {
  runTernary(s, Conv{28, 28, 128, 128, 1}, conv28x28x128t_tiled);
}
void BM_conv28x28x128t_scalar(benchmark::State &s) {
  runTernary(s, Conv{28, 28, 128, 128, 1}, conv28x28x128t_scalar);
}
BENCHMARK(BM_conv28x28x128t_tiled)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_conv28x28x128t_scalar)->Unit(benchmark::kMicrosecond);

#define DENSE(NAME, N, K, O)                                                   \
  void BM_##NAME##_tiled(benchmark::State &s) {                                \
    runDense(s, N, K, O, NAME##_tiled);                                        \
  }                                                                            \
  void BM_##NAME##_scalar(benchmark::State &s) {                               \
    runDense(s, N, K, O, NAME##_scalar);                                       \
  }                                                                            \
  BENCHMARK(BM_##NAME##_tiled)->Unit(benchmark::kMicrosecond);                 \
  BENCHMARK(BM_##NAME##_scalar)->Unit(benchmark::kMicrosecond);

DENSE(dense1x4096, 1, 4096, 4096)
DENSE(dense16x4096, 16, 4096, 4096)

} // namespace

BENCHMARK_MAIN();
