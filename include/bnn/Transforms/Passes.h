//===- Passes.h - bnn transformation passes ---------------------*- C++ -*-===//

#ifndef BNN_TRANSFORMS_PASSES_H
#define BNN_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include "llvm/ADT/ArrayRef.h"

#include <memory>
#include <string>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::bnn {

/// Format of the model summary (bnn-summary's `format`, the inference
/// pipeline's and bnn-compile's `summary`); None only for the latter two.
enum class SummaryFormat { None, Text, Json };

#define GEN_PASS_DECL
#include "bnn/Transforms/Passes.h.inc"

/// The bnn-normalize rewrites: sign patterns to bnn.sign, generic and
/// other named layouts of matmuls and convolutions to the ones bnn-binarize
/// reads, transposes moved and folded, bias inits moved after the layer.
void populateBNNNormalizePatterns(RewritePatternSet &patterns);

/// The bnn-binarize rewrites (convolution and matmul on signs with +-alpha
/// weights to packed kernels), for reuse in other passes; `wordBits` is 32,
/// 64 or 0 (per layer). They emit a remark each time a candidate is refused.
void populateBNNBinarizePatterns(RewritePatternSet &patterns,
                                 unsigned wordBits);

/// bnn-fuse-threshold's first rewrite: a max pool of signs becomes
/// bnn.bmaxpool2d on the packed signs. Remarks say why a pool is refused.
void populateBNNFuseMaxPoolPatterns(RewritePatternSet &patterns);

/// bnn-fuse-threshold's second rewrite: pack(sign(...)) of a binary layer's
/// scale and per-channel float steps becomes bnn.threshold of its integer
/// accumulator. Remarks say why a chain is refused.
void populateBNNFuseThresholdPatterns(RewritePatternSet &patterns);

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
