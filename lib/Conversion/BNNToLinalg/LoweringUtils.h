//===- LoweringUtils.h - Helpers shared by the bnn lowerings ----*- C++ -*-===//
//
// Small builders for linalg on tensors used by every file of bnn-lower.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_LIB_CONVERSION_BNNTOLINALG_LOWERINGUTILS_H
#define BNN_LIB_CONVERSION_BNNTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::bnn::lowering {

using IteratorType = utils::IteratorType;
using BodyBuilder = function_ref<void(OpBuilder &, Location, ValueRange)>;

/// True when every operand and result has a static shape: the lowering
/// computes masks and reshapes at compile time.
bool hasStaticShapes(Operation *op);
Value constantInt(OpBuilder &b, Location loc, Type type, int64_t value);
Value constantFloat(OpBuilder &b, Location loc, Type type, double value);
/// A tensor of `shape` filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Value value);
/// One linalg.generic with a single result.
Value generic(OpBuilder &b, Location loc, Value init, ValueRange inputs,
              ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iterators,
              BodyBuilder body);
void yieldValue(OpBuilder &b, Location loc, Value value);
SmallVector<IteratorType> iterators(unsigned parallel, unsigned reduction);
/// Pads `source` with `value`: `low` and `high` per dimension.
Value pad(OpBuilder &b, Location loc, Value source, ArrayRef<int64_t> low,
          ArrayRef<int64_t> high, Value value);
/// [..., words * W] -> [..., words, W].
Value splitInnermost(OpBuilder &b, Location loc, Value source,
                     int64_t wordBits);
/// A constant i<W> vector: entry w holds the logical bits of word w of a
/// packed row of `size` elements (all ones but for the tail word).
Value logicalBitsMask(OpBuilder &b, Location loc, int64_t size,
                      unsigned wordBits);
/// popcount(m) - 2 * popcount((a XOR f) AND m), as an i32.
Value maskedDot(OpBuilder &b, Location loc, Value a, Value f, Value m);
/// The i32 accumulators of a packed reduction, starting at 0.
Value zeroAccumulators(OpBuilder &b, Location loc, RankedTensorType type);
/// Body of the packed reductions. args: input word, filter word, then the
/// masks to AND together (filter mask, logical bits, tap validity), then
/// the i32 accumulator.
void accumulateMaskedDot(OpBuilder &b, Location loc, ValueRange args);

/// A lowering that needs static shapes (masks and reshapes are computed at
/// compile time) and replaces the op by one value.
template <typename OpTy>
struct StaticShapeLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const final {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    rewriter.replaceOp(op, lower(op, rewriter));
    return success();
  }
  virtual Value lower(OpTy op, PatternRewriter &rewriter) const = 0;
};

/// The lowerings of the Level 1 (float) ops (Level1Lowerings.cpp).
void populateLevel1LoweringPatterns(RewritePatternSet &patterns);

/// The blocked-layout lowerings of bconv2d and bdense (PackedKernels.cpp):
/// output channels in blocks of `channelBlock`, the layout bnn-tile turns
/// into register tiles.
void populateBlockedPackedKernelPatterns(RewritePatternSet &patterns,
                                         int64_t channelBlock);

} // namespace mlir::bnn::lowering

#endif // BNN_LIB_CONVERSION_BNNTOLINALG_LOWERINGUTILS_H
