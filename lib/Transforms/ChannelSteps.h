//===- ChannelSteps.h - Per-channel float steps of a layer ------*- C++ -*-===//
//
// bnn-fuse-threshold's view of the float glue between a binary layer's
// scale and the next sign: elementwise linalg.generic steps whose other
// operands are per-channel or scalar f32 constants, and a small interpreter
// that evaluates a step in f32 exactly as the compiled code does.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_LIB_TRANSFORMS_CHANNELSTEPS_H
#define BNN_LIB_TRANSFORMS_CHANNELSTEPS_H

#include "bnn/Transforms/ThresholdSolver.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::bnn {

/// One elementwise linalg.generic of the chain: `activation` is the index of
/// the input that carries the layer's values; the other inputs are constants
/// read per channel ([O] on the innermost axis) or as scalars.
struct ChainStep {
  linalg::GenericOp op;
  unsigned activation = 0;
  // For each input: per-channel values, or one value for a scalar, or empty
  // for the activation.
  SmallVector<SmallVector<float>> constants;
};

/// Matches an elementwise per-channel affine step; `why` explains a refusal.
FailureOr<ChainStep> matchStep(linalg::GenericOp op, Value activation,
                               std::string &why);

/// The body of a step as straight-line f32 code over numbered slots (block
/// arguments first), evaluated once per accumulator value of every channel:
/// the search runs it millions of times on a large model.
struct StepProgram {
  enum class Kind {
    Constant,
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Sqrt,
    // arith.maximumf / minimumf (NaN-propagating): hardtanh, ReLU.
    Max,
    Min,
    // arith.cmpf (result 1 or 0 in its slot) and arith.select (`third` is
    // the false value): PReLU, leaky ReLU.
    Cmp,
    Select
  };
  struct Instruction {
    Kind kind;
    unsigned lhs = 0, rhs = 0, third = 0;
    float constant = 0.0f;
    arith::CmpFPredicate predicate = arith::CmpFPredicate::AlwaysFalse;
  };
  SmallVector<Instruction> code;
  unsigned numArguments = 0, result = 0;
  SmallVector<float> slots;

  explicit StepProgram(ChainStep &step);

  /// Loads the constants of channel `o` into the argument slots.
  void setChannel(ChainStep &step, int64_t o);

  /// The step's f32 result for activation `x` (after setChannel).
  float run(unsigned activation, float x);

  /// How the result varies with the activation for the current channel
  /// (after setChannel), as the operations prove it: IEEE rounding is
  /// monotone, so adding a finite constant, multiplying or dividing by a
  /// finite non-zero one, and negating keep (or flip) the direction. Any
  /// other use of the activation (two activation-dependent operands, sqrt,
  /// a constant divided by it, a zero or non-finite constant) is Unknown.
  /// max and min of operands that vary the same way (or not at all) keep
  /// it; a comparison or select of the activation is Unknown (the solver
  /// then checks every accumulator value).
  Monotonicity getMonotonicity(unsigned activation);
};

} // namespace mlir::bnn

#endif // BNN_LIB_TRANSFORMS_CHANNELSTEPS_H
