//===- Passes.h - bnn transformation passes ---------------------*- C++ -*-===//

#ifndef BNN_TRANSFORMS_PASSES_H
#define BNN_TRANSFORMS_PASSES_H

#include "bnn/Dialect/BNN/BNNDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::bnn {

#define GEN_PASS_DECL
#include "bnn/Transforms/Passes.h.inc"

/// The bnn-binarize rewrites (convolution and matmul on signs with +-alpha
/// weights to packed kernels), for reuse in other passes; `wordBits` is 32,
/// 64 or 0 (per layer). They emit a remark each time a candidate is refused.
void populateBNNBinarizePatterns(RewritePatternSet &patterns,
                                 unsigned wordBits);

/// Float convolution filters to HWCF and matmul weights read as [N, K] to
/// [K, N] (constants permuted at compile time): output channels innermost,
/// where a vectorized register tile reads them (used by bnn-vectorize).
void populateVectorKernelLayoutPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "bnn/Transforms/Passes.h.inc"

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_PASSES_H
