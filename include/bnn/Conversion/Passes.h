//===- Passes.h - bnn conversion passes -------------------------*- C++ -*-===//

#ifndef BNN_CONVERSION_PASSES_H
#define BNN_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

#include <cstdint>
#include <memory>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::bnn {

/// Patterns rewriting every bnn op into linalg/tensor/arith/math on tensors.
/// With `channelBlock` > 0, bdense and ungrouped bconv2d use the blocked
/// formulation that bnn-tile tiles (see bnn-lower's description).
void populateBNNToLinalgPatterns(RewritePatternSet &patterns,
                                 int64_t channelBlock = 0);

#define GEN_PASS_DECL
#include "bnn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "bnn/Conversion/Passes.h.inc"

} // namespace mlir::bnn

#endif // BNN_CONVERSION_PASSES_H
