//===- Initializers.cpp - Deterministic parameter initialization ----------===//

#include "bnn/Runtime/Initializers.h"

#include <cmath>
#include <utility>

namespace bnn::runtime {
namespace {
/// SplitMix64: a small, fully specified generator (the same numbers with
/// every standard library, unlike std::uniform_real_distribution).
uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
} // namespace

std::vector<float> kaimingUniform(int64_t count, int64_t fanIn, uint64_t seed,
                                  uint64_t stream) {
  double bound = std::sqrt(6.0 / static_cast<double>(fanIn > 0 ? fanIn : 1));
  uint64_t state =
      seed * 0x100000001B3ull ^ (stream + 1) * 0x9E3779B97F4A7C15ull;
  std::vector<float> values(count);
  for (float &v : values) {
    // 53 random bits -> [0, 1) -> [-bound, bound).
    double unit = static_cast<double>(splitMix64(state) >> 11) * 0x1.0p-53;
    v = static_cast<float>((2.0 * unit - 1.0) * bound);
  }
  return values;
}

std::vector<float> constant(int64_t count, float value) {
  return std::vector<float>(count, value);
}

std::vector<int64_t> shuffledOrder(int64_t count, uint64_t seed,
                                   int64_t epoch) {
  std::vector<int64_t> order(count);
  for (int64_t i = 0; i < count; ++i)
    order[i] = i;
  uint64_t state = seed * 0x2545F4914F6CDD1Dull ^
                   static_cast<uint64_t>(epoch + 1) * 0xD1B54A32D192ED03ull;
  for (int64_t i = count - 1; i > 0; --i) {
    // Multiply-shift: uniform enough for shuffling, exact and portable.
    uint64_t r = splitMix64(state);
    auto j = static_cast<int64_t>(
        (static_cast<unsigned __int128>(r) * static_cast<uint64_t>(i + 1)) >>
        64);
    std::swap(order[i], order[j]);
  }
  return order;
}

} // namespace bnn::runtime
