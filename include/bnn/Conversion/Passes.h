//===- Passes.h - bnn conversion passes -------------------------*- C++ -*-===//

#ifndef BNN_CONVERSION_PASSES_H
#define BNN_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mlir::bnn {

/// Patterns rewriting every bnn op into linalg/tensor/arith/math on tensors.
void populateBNNToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "bnn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "bnn/Conversion/Passes.h.inc"

} // namespace mlir::bnn

#endif // BNN_CONVERSION_PASSES_H
