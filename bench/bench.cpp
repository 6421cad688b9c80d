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
// Float layers (bnn-vectorize) are measured the same way in G MAC/s against
// a register-resident FMA ceiling. The anchor of every layer is oneDNN's f32
// convolution or inner product of the same shape (Debian libdnnl, one
// thread: scripts/bench.sh sets OMP_NUM_THREADS=1), with the layouts oneDNN
// prefers (format_tag::any) and its weights prepared once, outside the
// timed loop: the most favourable setting for the baseline.
//
//===----------------------------------------------------------------------===//

#include "demo_b1.h"
#include "demo_b64.h"
#include "layers_scalar.h"
#include "layers_tiled.h"
#include "train_b64.h"

#include <benchmark/benchmark.h>
#include <dnnl.hpp>

#include <cstdint>
#include <random>
#include <unordered_map>
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

// The ceilings: A independent accumulator vectors, each with its own weight
// vector, all in registers, fed by one opaque input vector. The loops are
// functions of their own with local accumulators (an accumulator whose
// address escapes to the benchmark would live in memory). The best A
// depends on the core; report.py takes the best of the variants.
typedef uint64_t Vec __attribute__((vector_size(64)));
typedef float FVec __attribute__((vector_size(64)));
constexpr int64_t kCeilingIterations = 1 << 16;

/// XOR + popcount + add on 8 x 64-bit words per vector.
template <int A>
__attribute__((noinline)) uint64_t xorPopcountLoop(const Vec *weights) {
  Vec acc[A] = {}, w[A];
  for (int a = 0; a < A; ++a)
    w[a] = weights[a];
  Vec x = weights[A];
  for (int64_t i = 0; i < kCeilingIterations; ++i) {
#pragma clang loop unroll(full)
    for (int a = 0; a < A; ++a)
      acc[a] += __builtin_elementwise_popcount(x ^ w[a]);
    // Keep x opaque so that the loop is not folded.
    asm volatile("" : "+v"(x));
  }
  uint64_t sum = 0;
  for (int a = 0; a < A; ++a)
    sum += acc[a][0];
  return sum;
}

/// f32 FMA on 16 lanes per vector.
template <int A> __attribute__((noinline)) float fmaLoop(const FVec *weights) {
  FVec acc[A] = {};
  FVec x = weights[0], w = weights[1];
  for (int64_t i = 0; i < kCeilingIterations; ++i) {
#pragma clang loop unroll(full)
    for (int a = 0; a < A; ++a)
      acc[a] = __builtin_elementwise_fma(x, w, acc[a]);
    asm volatile("" : "+v"(x));
  }
  float sum = 0;
  for (int a = 0; a < A; ++a)
    sum += acc[a][0];
  return sum;
}

template <int A> void BM_Ceiling(benchmark::State &state) {
  std::vector<Vec> weights(A + 1);
  for (int a = 0; a <= A; ++a)
    weights[a] = Vec{} + uint64_t((a + 1) * 0x9E3779B97F4A7C15ull);
  for (auto _ : state)
    benchmark::DoNotOptimize(xorPopcountLoop<A>(weights.data()));
  // A vectors of 8 words of 64 bits per iteration.
  double macs = double(A) * 8 * 64 * kCeilingIterations;
  state.counters["GMAC/s"] = benchmark::Counter(macs * state.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Ceiling<8>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Ceiling<12>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Ceiling<14>)->Unit(benchmark::kMicrosecond);

template <int A> void BM_FloatCeiling(benchmark::State &state) {
  std::vector<FVec> weights = {FVec{} + 1.0f, FVec{} + 0.5f};
  for (auto _ : state)
    benchmark::DoNotOptimize(fmaLoop<A>(weights.data()));
  double macs = double(A) * 16 * kCeilingIterations;
  state.counters["GMAC/s"] = benchmark::Counter(macs * state.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FloatCeiling<12>)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FloatCeiling<16>)->Unit(benchmark::kMicrosecond);

/// One oneDNN f32 primitive with its arguments, set up outside the timed
/// loop.
struct OneDnnLayer {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args;

  void add(int arg, const dnnl::memory::desc &desc) {
    dnnl::memory memory(desc, engine);
    float *data = static_cast<float *>(memory.get_data_handle());
    for (size_t i = 0; i < desc.get_size() / sizeof(float); ++i)
      data[i] = static_cast<float>((i * 7919) % 17) / 17.0f - 0.5f;
    args[arg] = memory;
  }
  void run(benchmark::State &state, double macs) {
    for (auto _ : state) {
      primitive.execute(stream, args);
      stream.wait();
    }
    state.counters["GMAC/s"] = benchmark::Counter(
        macs * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  }
};

void runOneDnnConv(benchmark::State &state, int64_t h, int64_t w, int64_t c,
                   int64_t o, int64_t k, int64_t stride, int64_t pad,
                   int64_t groups = 1) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  int64_t oh = (h + 2 * pad - k) / stride + 1,
          ow = (w + 2 * pad - k) / stride + 1;
  OneDnnLayer layer;
  memory::desc src({1, c, h, w}, dt::f32, tag::any);
  memory::desc weights =
      groups == 1 ? memory::desc({o, c, k, k}, dt::f32, tag::any)
                  : memory::desc({groups, o / groups, c / groups, k, k},
                                 dt::f32, tag::any);
  memory::desc dst({1, o, oh, ow}, dt::f32, tag::any);
  convolution_forward::desc desc(prop_kind::forward_inference,
                                 algorithm::convolution_direct, src, weights,
                                 dst, {stride, stride}, {pad, pad}, {pad, pad});
  convolution_forward::primitive_desc pd(desc, layer.engine);
  layer.primitive = convolution_forward(pd);
  layer.add(DNNL_ARG_SRC, pd.src_desc());
  layer.add(DNNL_ARG_WEIGHTS, pd.weights_desc());
  layer.add(DNNL_ARG_DST, pd.dst_desc());
  layer.run(state, double(oh) * ow * o * k * k * c / groups);
}

void runOneDnnDense(benchmark::State &state, int64_t n, int64_t k, int64_t o) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  OneDnnLayer layer;
  memory::desc src({n, k}, dt::f32, tag::any);
  memory::desc weights({o, k}, dt::f32, tag::any);
  memory::desc dst({n, o}, dt::f32, tag::any);
  inner_product_forward::desc desc(prop_kind::forward_inference, src, weights,
                                   dst);
  inner_product_forward::primitive_desc pd(desc, layer.engine);
  layer.primitive = inner_product_forward(pd);
  layer.add(DNNL_ARG_SRC, pd.src_desc());
  layer.add(DNNL_ARG_WEIGHTS, pd.weights_desc());
  layer.add(DNNL_ARG_DST, pd.dst_desc());
  layer.run(state, double(n) * k * o);
}

struct Conv {
  int64_t h, w, c, o, stride, groups = 1;
  int64_t outH() const { return (h + 2 - 3) / stride + 1; }
  int64_t outW() const { return (w + 2 - 3) / stride + 1; }
  int64_t filterWords() const { return o * 9 * (c / groups / 64); }
  double macs() const { return double(outH()) * outW() * o * 9 * c / groups; }
};

template <typename Fn>
void runConv(benchmark::State &state, const Conv &conv, Fn fn) {
  Words x = randomWords(conv.h * conv.w * (conv.c / 64), 1);
  Words f = randomWords(conv.filterWords(), 2);
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
void runDense(benchmark::State &state, int64_t n, int64_t k, int64_t o, Fn fn) {
  Words x = randomWords(n * k / 64, 1);
  std::vector<int32_t> acc(n * o);
  for (auto _ : state) {
    fn(x.data(), acc.data());
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] =
      benchmark::Counter(double(n) * k * o * state.iterations() / 1e9,
                         benchmark::Counter::kIsRate);
}

#define CONV(NAME, H, W, C, O, S, G)                                           \
  void BM_##NAME##_tiled(benchmark::State &s) {                                \
    runConv(s, Conv{H, W, C, O, S, G}, NAME##_tiled);                          \
  }                                                                            \
  void BM_##NAME##_scalar(benchmark::State &s) {                               \
    runConv(s, Conv{H, W, C, O, S, G}, NAME##_scalar);                         \
  }                                                                            \
  void BM_##NAME##_onednn(benchmark::State &s) {                               \
    runOneDnnConv(s, H, W, C, O, 3, S, 1, G);                                  \
  }                                                                            \
  BENCHMARK(BM_##NAME##_tiled)->Unit(benchmark::kMicrosecond);                 \
  BENCHMARK(BM_##NAME##_scalar)->Unit(benchmark::kMicrosecond);                \
  BENCHMARK(BM_##NAME##_onednn)->Unit(benchmark::kMicrosecond);

CONV(conv56x56x64, 56, 56, 64, 64, 1, 1)
CONV(conv28x28x128, 28, 28, 128, 128, 1, 1)
CONV(conv14x14x256, 14, 14, 256, 256, 1, 1)
CONV(conv7x7x512, 7, 7, 512, 512, 1, 1)
CONV(conv56x56x64s2, 56, 56, 64, 128, 2, 1)
CONV(conv28x28x256g2, 28, 28, 256, 256, 1, 2)

void BM_conv28x28x128t_tiled(benchmark::State &s) {
  runTernary(s, Conv{28, 28, 128, 128, 1}, conv28x28x128t_tiled);
}
void BM_conv28x28x128t_scalar(benchmark::State &s) {
  runTernary(s, Conv{28, 28, 128, 128, 1}, conv28x28x128t_scalar);
}
void BM_conv28x28x128t_onednn(benchmark::State &s) {
  runOneDnnConv(s, 28, 28, 128, 128, 3, 1, 1);
}
BENCHMARK(BM_conv28x28x128t_tiled)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_conv28x28x128t_scalar)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_conv28x28x128t_onednn)->Unit(benchmark::kMicrosecond);

#define DENSE(NAME, N, K, O)                                                   \
  void BM_##NAME##_tiled(benchmark::State &s) {                                \
    runDense(s, N, K, O, NAME##_tiled);                                        \
  }                                                                            \
  void BM_##NAME##_scalar(benchmark::State &s) {                               \
    runDense(s, N, K, O, NAME##_scalar);                                       \
  }                                                                            \
  void BM_##NAME##_onednn(benchmark::State &s) { runOneDnnDense(s, N, K, O); } \
  BENCHMARK(BM_##NAME##_tiled)->Unit(benchmark::kMicrosecond);                 \
  BENCHMARK(BM_##NAME##_scalar)->Unit(benchmark::kMicrosecond);                \
  BENCHMARK(BM_##NAME##_onednn)->Unit(benchmark::kMicrosecond);

DENSE(dense1x4096, 1, 4096, 4096)
DENSE(dense16x4096, 16, 4096, 4096)

// Float layers: the same kernels through bnn-vectorize (tiled) and as
// scalar loops (--no-tile).
std::vector<float> randomFloats(size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float &v : values)
    v = dist(rng);
  return values;
}

template <typename Fn>
void runFloat(benchmark::State &state, size_t inputs, size_t weights,
              size_t outputs, double macs, Fn fn) {
  std::vector<float> x = randomFloats(inputs, 1), w = randomFloats(weights, 2);
  std::vector<float> y(outputs);
  for (auto _ : state) {
    fn(x.data(), w.data(), y.data());
    benchmark::ClobberMemory();
  }
  state.counters["GMAC/s"] = benchmark::Counter(macs * state.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
}

#define FCONV(NAME, H, W, C, O, K, S, P)                                       \
  constexpr int64_t NAME##_oh = (H + 2 * P - K) / S + 1;                       \
  constexpr int64_t NAME##_ow = (W + 2 * P - K) / S + 1;                       \
  constexpr double NAME##_macs =                                               \
      double(NAME##_oh) * NAME##_ow * O * K * K * C;                           \
  void BM_##NAME##_tiled(benchmark::State &s) {                                \
    runFloat(s, H * W * C, O * K * K * C, NAME##_oh * NAME##_ow * O,           \
             NAME##_macs, NAME##_tiled);                                       \
  }                                                                            \
  void BM_##NAME##_scalar(benchmark::State &s) {                               \
    runFloat(s, H * W * C, O * K * K * C, NAME##_oh * NAME##_ow * O,           \
             NAME##_macs, NAME##_scalar);                                      \
  }                                                                            \
  void BM_##NAME##_onednn(benchmark::State &s) {                               \
    runOneDnnConv(s, H, W, C, O, K, S, P);                                     \
  }                                                                            \
  BENCHMARK(BM_##NAME##_tiled)->Unit(benchmark::kMicrosecond);                 \
  BENCHMARK(BM_##NAME##_scalar)->Unit(benchmark::kMicrosecond);                \
  BENCHMARK(BM_##NAME##_onednn)->Unit(benchmark::kMicrosecond);

FCONV(fconv224x224x3, 224, 224, 3, 64, 7, 2, 3)
FCONV(fconv28x28x1, 28, 28, 1, 16, 3, 1, 1)

void BM_fdense16x1024_tiled(benchmark::State &s) {
  runFloat(s, 16 * 1024, 1024 * 1024, 16 * 1024, 16.0 * 1024 * 1024,
           fdense16x1024_tiled);
}
void BM_fdense16x1024_scalar(benchmark::State &s) {
  runFloat(s, 16 * 1024, 1024 * 1024, 16 * 1024, 16.0 * 1024 * 1024,
           fdense16x1024_scalar);
}
void BM_fdense16x1024_onednn(benchmark::State &s) {
  runOneDnnDense(s, 16, 1024, 1024);
}
BENCHMARK(BM_fdense16x1024_tiled)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fdense16x1024_scalar)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fdense16x1024_onednn)->Unit(benchmark::kMicrosecond);

// End to end: the Fashion-MNIST demo model (examples/fashion_mnist) at
// batch 1 and 64; report.py divides by the batch and compares with the
// PyTorch anchor (bench/torch_anchor.py).
template <typename Fn>
void runModel(benchmark::State &state, int64_t batch, Fn fn) {
  std::vector<float> images = randomFloats(batch * 28 * 28, 4);
  for (float &v : images)
    v = (v + 1.0f) / 2.0f;
  std::vector<float> logits(batch * 10);
  for (auto _ : state) {
    fn(images.data(), logits.data());
    benchmark::ClobberMemory();
  }
  state.counters["batch"] = static_cast<double>(batch);
}
void BM_demo_b1(benchmark::State &s) { runModel(s, 1, fashion_bnn); }
void BM_demo_b64(benchmark::State &s) { runModel(s, 64, fashion_bnn64); }
BENCHMARK(BM_demo_b1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_demo_b64)->Unit(benchmark::kMicrosecond);

// One training step (forward, loss, backward) of bench/gen_train_model.py
// at batch 64, through the gradient function bnn-generate-gradients wrote.
void BM_train_step_b64(benchmark::State &state) {
  constexpr int64_t batch = 64;
  const size_t sizes[] = {16 * 9,  16,     16, 16,      32 * 9 * 16,
                          16 * 16, 9 * 16, 32, 32,      32 * 9 * 32,
                          32 * 32, 9 * 32, 32, 32,      64 * 288,
                          1,       64,     64, 64 * 10, 10};
  std::vector<std::vector<float>> params, grads;
  unsigned seed = 10;
  for (size_t size : sizes) {
    params.push_back(randomFloats(size, seed++));
    grads.emplace_back(size);
  }
  params[15][0] = 0.785f; // beta: pi / 4
  std::vector<float> images = randomFloats(batch * 28 * 28, 5);
  std::vector<float> delta(64, 0.1f);
  std::vector<int32_t> labels(batch);
  for (int64_t i = 0; i < batch; ++i)
    labels[i] = static_cast<int32_t>(i % 10);
  const auto &p = params;
  auto &g = grads;
  float loss;
  for (auto _ : state) {
    fashion_train_grad(
        images.data(), delta.data(), labels.data(), p[0].data(), p[1].data(),
        p[2].data(), p[3].data(), p[4].data(), p[5].data(), p[6].data(),
        p[7].data(), p[8].data(), p[9].data(), p[10].data(), p[11].data(),
        p[12].data(), p[13].data(), p[14].data(), p[15].data(), p[16].data(),
        p[17].data(), p[18].data(), p[19].data(), &loss, g[0].data(),
        g[1].data(), g[2].data(), g[3].data(), g[4].data(), g[5].data(),
        g[6].data(), g[7].data(), g[8].data(), g[9].data(), g[10].data(),
        g[11].data(), g[12].data(), g[13].data(), g[14].data(), g[15].data(),
        g[16].data(), g[17].data(), g[18].data(), g[19].data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_train_step_b64)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
