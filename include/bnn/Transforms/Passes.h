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
#include "mlir/Dialect/Math/IR/Math.h"
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

/// The canonicalizer for code that holds register tiles (after bnn-tile and
/// bnn-vectorize): upstream's rewrite of a chain of vector inserts into one
/// vector.from_elements of every scalar is disabled. On a tile of P rows of
/// B lanes it turns P splats into P * B scalar inserts, which LLVM then
/// folds back at a cost of seconds on a large model.
std::unique_ptr<Pass> createRegisterTileCanonicalizerPass();

/// The labels of the patterns that createRegisterTileCanonicalizerPass
/// disables, for other pattern sets on register tiles.
ArrayRef<std::string> getRegisterTileDisabledPatterns();

#define GEN_PASS_REGISTRATION
#include "bnn/Transforms/Passes.h.inc"

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_PASSES_H
