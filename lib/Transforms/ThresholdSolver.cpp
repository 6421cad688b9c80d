//===- ThresholdSolver.cpp - Integer thresholds of a sign chain ---------===//

#include "bnn/Transforms/ThresholdSolver.h"

#include <cstdint>
#include <limits>

using namespace mlir::bnn;

Monotonicity mlir::bnn::compose(Monotonicity inner, Monotonicity outer) {
  if (inner == Monotonicity::Constant || outer == Monotonicity::Constant)
    return Monotonicity::Constant;
  if (inner == Monotonicity::Unknown || outer == Monotonicity::Unknown)
    return Monotonicity::Unknown;
  return inner == outer ? Monotonicity::NonDecreasing
                        : Monotonicity::NonIncreasing;
}

/// The bit of a monotone channel: one evaluation for a constant, the two
/// ends, then a bisection for the first value where the bit differs from
/// the lower end's.
static std::optional<ChannelThreshold>
solveMonotone(int64_t bound, Monotonicity monotonicity,
              llvm::function_ref<bool(int64_t)> isPositive) {
  if (bound > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  ChannelThreshold result;
  bool low = isPositive(-bound);
  bool high = monotonicity == Monotonicity::Constant ? low : isPositive(bound);
  if (low == high) {
    result.threshold = low ? std::numeric_limits<int32_t>::min()
                           : std::numeric_limits<int32_t>::max();
    return result;
  }
  // The bit differs from `low` exactly on (lo, hi] ... [first, bound].
  int64_t lo = -bound, hi = bound;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    (isPositive(mid) == low ? lo : hi) = mid;
  }
  if (high) {
    result.threshold = static_cast<int32_t>(hi); // +1 iff acc >= hi
  } else {
    // +1 iff acc <= hi - 1 iff -acc >= 1 - hi.
    result.flipped = true;
    result.threshold = static_cast<int32_t>(1 - hi);
  }
  return result;
}

std::optional<ChannelThreshold>
mlir::bnn::solveChannelThreshold(int64_t bound, Monotonicity monotonicity,
                                 llvm::function_ref<bool(int64_t)> isPositive) {
  if (bound < 0)
    return std::nullopt;
  if (monotonicity != Monotonicity::Unknown)
    return solveMonotone(bound, monotonicity, isPositive);
  if (bound > (int64_t(1) << 30))
    return std::nullopt;
  // Every value is evaluated: the bit is only known to be monotone once each
  // accumulator value has been seen.
  bool first = isPositive(-bound), previous = first;
  int64_t changes = 0, at = 0;
  for (int64_t acc = -bound + 1; acc <= bound; ++acc) {
    bool bit = isPositive(acc);
    if (bit != previous) {
      ++changes;
      at = acc;
    }
    previous = bit;
  }
  ChannelThreshold result;
  if (changes == 0) {
    result.threshold = first ? std::numeric_limits<int32_t>::min()
                             : std::numeric_limits<int32_t>::max();
  } else if (changes == 1 && previous) {
    result.threshold = static_cast<int32_t>(at); // +1 iff acc >= at
  } else if (changes == 1) {
    // +1 iff acc <= at - 1 iff -acc >= 1 - at.
    result.flipped = true;
    result.threshold = static_cast<int32_t>(1 - at);
  } else {
    return std::nullopt;
  }
  return result;
}
