//===- NormalizePatterns.h - bnn-normalize's rewrites -----------*- C++ -*-===//
//
// bnn-normalize's rewrites in three groups, one file each: values (signs,
// constant folding), layouts (transposes, NCHW and HWCF layers) and layers
// (matmul forms, bias inits); and the small matchers they share.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_LIB_TRANSFORMS_NORMALIZEPATTERNS_H
#define BNN_LIB_TRANSFORMS_NORMALIZEPATTERNS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::bnn::normalize {

/// Signs written as comparisons and selects; elementwise generics on
/// constants folded (NormalizeValues.cpp).
void populateValuePatterns(RewritePatternSet &patterns);
/// Transposes moved and cancelled; hwcf and NCHW layers, the NCHW flatten
/// (NormalizeLayouts.cpp).
void populateLayoutPatterns(RewritePatternSet &patterns);
/// Generic and vector matmuls; bias inits moved after the layer
/// (NormalizeLayers.cpp).
void populateLayerPatterns(RewritePatternSet &patterns);

/// A float constant, seen through the body of a generic (a value defined
/// above it or an arith.constant inside it).
inline std::optional<APFloat> getFloatConstant(Value value) {
  APFloat result(0.0f);
  if (matchPattern(value, m_ConstantFloat(&result)))
    return result;
  return std::nullopt;
}

/// An all-parallel elementwise generic on tensors with an identity output
/// map.
inline bool isElementwise(linalg::GenericOp op) {
  return op.hasPureTensorSemantics() && op.getNumDpsInits() == 1 &&
         op.getNumReductionLoops() == 0 &&
         op.getIndexingMapsArray().back().isIdentity();
}

/// An elementwise generic whose inputs are all read through identity maps.
inline bool isIdentityElementwise(linalg::GenericOp op) {
  return isElementwise(op) &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); });
}

/// The yielded value of a single-result generic.
inline Value getYielded(linalg::GenericOp op) {
  return cast<linalg::YieldOp>(op.getBody()->getTerminator()).getValues()[0];
}

/// A linalg.transpose of `input` by `perm` into a new empty tensor.
Value createTranspose(PatternRewriter &rewriter, Location loc, Value input,
                      ArrayRef<int64_t> perm);

} // namespace mlir::bnn::normalize

#endif // BNN_LIB_TRANSFORMS_NORMALIZEPATTERNS_H
