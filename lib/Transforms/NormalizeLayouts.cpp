//===- NormalizeLayouts.cpp - Layouts to NHWC/FHWC
//--------------------------===//
//
// hwcf filters and NCHW convolutions and pools become the NHWC/FHWC forms
// with transposes around them; the transposes then move into signs, pads,
// fills and elementwise layers, compose and cancel, and fold on constants;
// an NCHW flatten before a dense layer becomes a permutation of its
// constant weights.
//
//===----------------------------------------------------------------------===//

#include "NormalizePatterns.h"

#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Matchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::bnn;
using namespace mlir::bnn::normalize;

Value mlir::bnn::normalize::createTranspose(PatternRewriter &rewriter,
                                            Location loc, Value input,
                                            ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  Value init =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, input, init, perm)
      .getResult()[0];
}

namespace {

//===----------------------------------------------------------------------===//
// Transposes
//===----------------------------------------------------------------------===//

/// transpose(constant) -> constant, within the fold size limit.
struct FoldConstantTranspose : public OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr input;
    if (!op.hasPureTensorSemantics() ||
        !matchPattern(op.getInput(), m_Constant(&input)))
      return rewriter.notifyMatchFailure(op, "input is not a constant");
    auto resultType = cast<RankedTensorType>(op.getResult()[0].getType());
    if (input.isSplat()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, input.resizeSplat(resultType));
      return success();
    }
    if (!isFoldableSize(input) || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "constant too large to fold");
    ArrayRef<int64_t> perm = op.getPermutation();
    ArrayRef<int64_t> inShape = input.getType().getShape();
    ArrayRef<int64_t> outShape = resultType.getShape();
    int64_t rank = perm.size();
    SmallVector<int64_t> inStrides(rank, 1), outStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d) {
      inStrides[d] = inStrides[d + 1] * inShape[d + 1];
      outStrides[d] = outStrides[d + 1] * outShape[d + 1];
    }
    SmallVector<Attribute> values(input.getValues<Attribute>());
    SmallVector<Attribute> result(values.size());
    for (int64_t k = 0; k < static_cast<int64_t>(values.size()); ++k) {
      int64_t src = 0;
      for (int64_t d = 0; d < rank; ++d)
        src += ((k / outStrides[d]) % outShape[d]) * inStrides[perm[d]];
      result[k] = values[src];
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::get(resultType, result));
    return success();
  }
};

/// transpose(sign(x)) -> sign(transpose(x)), transpose(fill) -> fill, and
/// transpose(pad(x)) -> pad(transpose(x)): the transposes that an NCHW
/// layer's normalization leaves move towards the producer, where the
/// layer's input is a sign (or a pad of one) again and its init a fill.
struct SinkTransposeIntoProducer
    : public OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Location loc = op.getLoc();
    ArrayRef<int64_t> perm = op.getPermutation();
    Value input = op.getInput();
    if (auto sign = input.getDefiningOp<SignOp>()) {
      Value moved = createTranspose(rewriter, loc, sign.getX(), perm);
      rewriter.replaceOpWithNewOp<SignOp>(op, moved, sign.getEstimator());
      return success();
    }
    if (auto fill = input.getDefiningOp<linalg::FillOp>()) {
      auto type = cast<RankedTensorType>(op.getResult()[0].getType());
      Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                            type.getElementType());
      rewriter.replaceOpWithNewOp<linalg::FillOp>(op, fill.getInputs()[0],
                                                  empty);
      return success();
    }
    if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
      Value padValue = pad.getConstantPaddingValue();
      if (!padValue || ShapedType::isDynamicShape(pad.getStaticLow()) ||
          ShapedType::isDynamicShape(pad.getStaticHigh()))
        return rewriter.notifyMatchFailure(op, "pad is not static constant");
      Value moved = createTranspose(rewriter, loc, pad.getSource(), perm);
      SmallVector<OpFoldResult> low, high;
      for (int64_t p : perm) {
        low.push_back(rewriter.getIndexAttr(pad.getStaticLow()[p]));
        high.push_back(rewriter.getIndexAttr(pad.getStaticHigh()[p]));
      }
      rewriter.replaceOpWithNewOp<tensor::PadOp>(
          op, op.getResult()[0].getType(), moved, low, high, padValue);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no producer to move into");
  }
};

/// transpose(transpose(x, p1), p2) -> transpose(x, p1 o p2), or x.
struct ComposeTransposes : public OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!inner || !op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    ArrayRef<int64_t> p1 = inner.getPermutation(), p2 = op.getPermutation();
    SmallVector<int64_t> composed;
    bool identity = true;
    for (auto [j, p] : llvm::enumerate(p2)) {
      composed.push_back(p1[p]);
      identity &= composed.back() == static_cast<int64_t>(j);
    }
    if (identity) {
      rewriter.replaceOp(op, inner.getInput());
      return success();
    }
    rewriter.replaceOp(
        op, createTranspose(rewriter, op.getLoc(), inner.getInput(), composed));
    return success();
  }
};

/// transpose(elementwise generic) -> elementwise generic on transposed
/// loops: the transposes around a layout change meet and cancel (an NCHW
/// model's batch norm between two convolutions).
struct SinkTransposeThroughElementwise
    : public OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto generic = op.getInput().getDefiningOp<linalg::GenericOp>();
    if (!generic || !op.hasPureTensorSemantics() ||
        !generic.hasPureTensorSemantics() || generic.getNumResults() != 1 ||
        generic.getNumReductionLoops() != 0 || !generic->hasOneUse() ||
        !generic.getIndexingMapsArray().back().isIdentity() ||
        !llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap map) {
          return map.isProjectedPermutation(/*allowZeroInResults=*/true);
        }))
      return rewriter.notifyMatchFailure(op,
                                         "not a one-use elementwise generic");
    // The body must not read its init (a fresh output).
    if (generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)))
      return rewriter.notifyMatchFailure(op, "the generic reads its init");
    ArrayRef<int64_t> perm = op.getPermutation();
    SmallVector<unsigned> inverse(perm.size());
    for (auto [i, p] : llvm::enumerate(perm))
      inverse[p] = i;
    // Old loop k is new loop inverse[k].
    AffineMap oldFromNew =
        AffineMap::getPermutationMap(inverse, rewriter.getContext());
    SmallVector<AffineMap> maps;
    SmallVector<AffineMap> oldMaps = generic.getIndexingMapsArray();
    for (AffineMap map : ArrayRef(oldMaps).drop_back())
      maps.push_back(map.compose(oldFromNew));
    maps.push_back(rewriter.getMultiDimIdentityMap(perm.size()));
    auto type = cast<RankedTensorType>(op.getResult()[0].getType());
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), type.getShape(),
                                         type.getElementType());
    auto moved = linalg::GenericOp::create(
        rewriter, generic.getLoc(), TypeRange{type}, generic.getDpsInputs(),
        ValueRange{init}, maps, generic.getIteratorTypesArray());
    rewriter.inlineRegionBefore(generic.getRegion(), moved.getRegion(),
                                moved.getRegion().begin());
    rewriter.replaceOp(op, moved.getResults());
    rewriter.eraseOp(generic);
    return success();
  }
};

/// An elementwise generic reading transpose(x) reads x through a permuted
/// map instead.
struct FoldTransposeIntoElementwise
    : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() != 0)
      return rewriter.notifyMatchFailure(op, "not an elementwise generic");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<Value> inputs(op.getDpsInputs());
    bool changed = false;
    for (auto [i, input] : llvm::enumerate(inputs)) {
      auto transpose = input.getDefiningOp<linalg::TransposeOp>();
      if (!transpose || !transpose.hasPureTensorSemantics())
        continue;
      // transpose: result dim j is input dim perm[j]; so input dim perm[j]
      // is read where the map gave result dim j.
      ArrayRef<int64_t> perm = transpose.getPermutation();
      SmallVector<AffineExpr> results(perm.size());
      for (auto [j, p] : llvm::enumerate(perm))
        results[p] = maps[i].getResult(j);
      maps[i] =
          AffineMap::get(maps[i].getNumDims(), 0, results, op.getContext());
      input = transpose.getInput();
      changed = true;
    }
    if (!changed)
      return rewriter.notifyMatchFailure(op, "no transposed input");
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputsMutable().assign(inputs);
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// conv_2d_nhwc_hwcf -> conv_2d_nhwc_fhwc with the filter transposed.
struct ConvHWCFToFHWC : public OpRewritePattern<linalg::Conv2DNhwcHwcfOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNhwcHwcfOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value filter =
        createTranspose(rewriter, op.getLoc(), op.getInputs()[1], {3, 0, 1, 2});
    rewriter.replaceOpWithNewOp<linalg::Conv2DNhwcFhwcOp>(
        op, op.getResultTypes(), ValueRange{op.getInputs()[0], filter},
        op.getOutputs(), op.getStrides(), op.getDilations());
    return success();
  }
};

/// An NCHW convolution or max pool -> transposes around its NHWC form
/// (NhwcOpTy): the input and the init to NHWC, a convolution's filter FCHW
/// to FHWC (the window of a pool has no layout), the result back to NCHW.
template <typename NchwOpTy, typename NhwcOpTy, bool transposeFilter>
struct NCHWToNHWC : public OpRewritePattern<NchwOpTy> {
  using OpRewritePattern<NchwOpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(NchwOpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Location loc = op.getLoc();
    SmallVector<int64_t> toNHWC = {0, 2, 3, 1}, toNCHW = {0, 3, 1, 2};
    Value input = createTranspose(rewriter, loc, op.getInputs()[0], toNHWC);
    Value filter = op.getInputs()[1];
    if (transposeFilter)
      filter = createTranspose(rewriter, loc, filter, toNHWC);
    Value init = createTranspose(rewriter, loc, op.getOutputs()[0], toNHWC);
    auto nhwc = NhwcOpTy::create(rewriter, loc, TypeRange{init.getType()},
                                 ValueRange{input, filter}, ValueRange{init},
                                 op.getStrides(), op.getDilations());
    rewriter.replaceOp(
        op, createTranspose(rewriter, loc, nhwc.getResult(0), toNCHW));
    return success();
  }
};

/// matmul(collapse(transpose(x_nhwc -> nchw)), W) with constant weights ->
/// matmul(collapse(x_nhwc), W') with W's K axis permuted to NHWC order: an
/// NCHW model's flatten before its first dense layer, without a transpose.
struct FlattenTransposeIntoWeights : public OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto collapse = op.getInputs()[0].getDefiningOp<tensor::CollapseShapeOp>();
    if (!collapse || collapse.getReassociationIndices() !=
                         SmallVector<ReassociationIndices>{{0}, {1, 2, 3}})
      return rewriter.notifyMatchFailure(op, "A is not a flatten");
    auto transpose = collapse.getSrc().getDefiningOp<linalg::TransposeOp>();
    if (!transpose ||
        transpose.getPermutation() != ArrayRef<int64_t>{0, 3, 1, 2})
      return rewriter.notifyMatchFailure(op, "no NHWC -> NCHW transpose");
    DenseElementsAttr weights;
    if (!matchPattern(op.getInputs()[1], m_Constant(&weights)) ||
        !isFoldableSize(weights) || !weights.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "weights are not constant");
    std::optional<MatmulB> layout = getMatmulBLayout(op.getIndexingMapsArray());
    if (!layout)
      return rewriter.notifyMatchFailure(op, "maps are not a matmul's");
    bool transposedB = *layout == MatmulB::NK;
    auto nhwcType = cast<RankedTensorType>(transpose.getInput().getType());
    int64_t h = nhwcType.getDimSize(1), w = nhwcType.getDimSize(2),
            c = nhwcType.getDimSize(3);
    int64_t kAxis = transposedB ? 1 : 0;
    ArrayRef<int64_t> shape = weights.getType().getShape();
    SmallVector<float> values(weights.getValues<float>());
    SmallVector<float> permuted(values.size());
    int64_t kStride = kAxis == 1 ? 1 : shape[1];
    for (int64_t e = 0; e < static_cast<int64_t>(values.size()); ++e) {
      int64_t physical = (e / kStride) % shape[kAxis];
      int64_t hh = physical / (w * c), ww = (physical / c) % w,
              cc = physical % c;
      int64_t logical = cc * h * w + hh * w + ww;
      permuted[e] = values[e + (logical - physical) * kStride];
    }
    Location loc = op.getLoc();
    Value newWeights = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(weights.getType(), ArrayRef<float>(permuted)));
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, collapse.getResultType(), transpose.getInput(),
        collapse.getReassociationIndices());
    rewriter.modifyOpInPlace(op, [&] {
      op->setOperand(0, flat);
      op->setOperand(1, newWeights);
    });
    return success();
  }
};

} // namespace

void mlir::bnn::normalize::populateLayoutPatterns(RewritePatternSet &patterns) {
  patterns.add<
      FoldConstantTranspose, SinkTransposeIntoProducer, ComposeTransposes,
      SinkTransposeThroughElementwise, FoldTransposeIntoElementwise,
      ConvHWCFToFHWC,
      NCHWToNHWC<linalg::Conv2DNchwFchwOp, linalg::Conv2DNhwcFhwcOp, true>,
      NCHWToNHWC<linalg::PoolingNchwMaxOp, linalg::PoolingNhwcMaxOp, false>,
      FlattenTransposeIntoWeights>(patterns.getContext());
}
