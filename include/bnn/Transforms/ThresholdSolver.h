//===- ThresholdSolver.h - Integer thresholds of a sign chain ---*- C++ -*-===//
//
// bnn-fuse-threshold's arithmetic, apart from the IR: given the sign bit of
// one output channel for every accumulator value a layer can produce, find
// the integer threshold that gives the same bits, if one exists.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TRANSFORMS_THRESHOLDSOLVER_H
#define BNN_TRANSFORMS_THRESHOLDSOLVER_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <optional>

namespace mlir::bnn {

/// The fused form of one channel: its bit is +1 (0) exactly when
/// `(flipped ? -acc : acc) >= threshold`. INT32_MIN is always met and
/// INT32_MAX never (|acc| stays far below both).
struct ChannelThreshold {
  int32_t threshold = 0;
  bool flipped = false;

  bool operator==(const ChannelThreshold &other) const {
    return threshold == other.threshold && flipped == other.flipped;
  }
};

/// Solves one channel: `isPositive(acc)` is the channel's sign bit (true for
/// +1) at each accumulator value in [-bound, bound]. Returns nullopt when the
/// bit is not monotone in acc (it changes more than once), and for a bound
/// outside [0, 2^30].
std::optional<ChannelThreshold>
solveChannelThreshold(int64_t bound,
                      llvm::function_ref<bool(int64_t)> isPositive);

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_THRESHOLDSOLVER_H
