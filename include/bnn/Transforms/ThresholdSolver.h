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

/// How the float value a channel's sign reads varies with the accumulator,
/// as far as the operations prove it.
enum class Monotonicity { Constant, NonDecreasing, NonIncreasing, Unknown };

/// The monotonicity of f(g(acc)) where g has `inner` and f `outer`.
Monotonicity compose(Monotonicity inner, Monotonicity outer);

/// Solves one channel: `isPositive(acc)` is the channel's sign bit (true for
/// +1) at each accumulator value in [-bound, bound], computed from a value
/// of monotonicity `monotonicity` in acc (sign: NaN and -0.0 are +1).
///
/// When the monotonicity is proven, the bit changes at most once and a
/// bisection finds the crossing with O(log bound) evaluations (bound up to
/// 2^31 - 1). Otherwise every value is evaluated (bound up to 2^30) and
/// nullopt returned when the bit changes more than once. nullopt as well for
/// a bound outside those ranges.
std::optional<ChannelThreshold>
solveChannelThreshold(int64_t bound, Monotonicity monotonicity,
                      llvm::function_ref<bool(int64_t)> isPositive);

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_THRESHOLDSOLVER_H
