//===- ThresholdSolver.cpp - Integer thresholds of a sign chain ---------===//

#include "bnn/Transforms/ThresholdSolver.h"

#include <limits>

using namespace mlir::bnn;

std::optional<ChannelThreshold>
mlir::bnn::solveChannelThreshold(int64_t bound,
                                 llvm::function_ref<bool(int64_t)> isPositive) {
  if (bound < 0 || bound > (int64_t(1) << 30))
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
