//===- BNNFolds.cpp - bnn folders and canonicalization patterns ---------===//
//
// Constants fold through the reference library (bnn::ref), the one
// definition of each op's semantics, so that a folded constant is exactly
// what the lowered code would compute.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Reference/Packing.h"
#include "bnn/Reference/Reference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::bnn;
namespace ref = ::bnn::ref;

/// The dialect's enums (ODS) and the reference library's (which does not
/// depend on MLIR) list the same cases with the same values.
static_assert(static_cast<int>(Plane::Sign) ==
                      static_cast<int>(ref::Plane::Sign) &&
                  static_cast<int>(Plane::Nonzero) ==
                      static_cast<int>(ref::Plane::Nonzero),
              "bnn::Plane and bnn::ref::Plane disagree");
static_assert(static_cast<int>(Estimator::Ste) ==
                      static_cast<int>(ref::Estimator::Ste) &&
                  static_cast<int>(Estimator::Approx) ==
                      static_cast<int>(ref::Estimator::Approx) &&
                  static_cast<int>(Estimator::Swish) ==
                      static_cast<int>(ref::Estimator::Swish) &&
                  static_cast<int>(Estimator::Identity) ==
                      static_cast<int>(ref::Estimator::Identity),
              "bnn::Estimator and bnn::ref::Estimator disagree");

static ref::Plane toReference(Plane plane) {
  return static_cast<ref::Plane>(plane);
}

//===----------------------------------------------------------------------===//
// Constant helpers for folders
//===----------------------------------------------------------------------===//

/// The values of a float constant as doubles, if each converts exactly.
static std::optional<std::vector<double>> getExactDoubles(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense || !isFoldableSize(dense))
    return std::nullopt;
  std::vector<double> values;
  values.reserve(dense.getNumElements());
  for (APFloat v : dense.getValues<APFloat>()) {
    bool losesInfo = false;
    v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
    if (losesInfo)
      return std::nullopt;
    values.push_back(v.convertToDouble());
  }
  return values;
}

/// A constant as a reference-library tensor; only f32, so that folding with
/// the float reference is exact.
static std::optional<ref::Tensor> getF32Tensor(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense || !dense.getElementType().isF32() || !isFoldableSize(dense))
    return std::nullopt;
  ref::Tensor t;
  t.shape.assign(dense.getType().getShape().begin(),
                 dense.getType().getShape().end());
  t.data.reserve(dense.getNumElements());
  for (float v : dense.getValues<float>())
    t.data.push_back(v);
  return t;
}

static DenseElementsAttr makeF32Attr(Type type, ArrayRef<float> values) {
  return DenseElementsAttr::get(cast<ShapedType>(type), values);
}

static DenseElementsAttr makeFloatAttr(ShapedType type,
                                       ArrayRef<double> values) {
  auto floatType = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> converted;
  converted.reserve(values.size());
  for (double v : values) {
    APFloat f(v);
    bool losesInfo = false;
    f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    converted.push_back(f);
  }
  return DenseElementsAttr::get(type, converted);
}

static bool isConstantIdentity(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense || dense.getType().getRank() != 2 || !isFoldableSize(dense))
    return false;
  int64_t n = dense.getType().getDimSize(0);
  int64_t i = 0;
  for (APFloat v : dense.getValues<APFloat>()) {
    bool diagonal = i / n == i % n;
    if (!(diagonal ? v.isExactlyValue(1.0) : v.isPosZero() || v.isNegZero()))
      return false;
    ++i;
  }
  return true;
}

OpFoldResult SignOp::fold(FoldAdaptor adaptor) {
  // Only estimators with gradient 1 at +-1 keep the gradient of the inner
  // sign unchanged.
  // (Not in a cycle of signs, which a graph region allows: the fold would
  // replace the op by itself forever.)
  if (auto inner = getX().getDefiningOp<SignOp>();
      inner && inner != *this && inner.getX() != getResult())
    if (getEstimator() == Estimator::Ste ||
        getEstimator() == Estimator::Identity)
      return getX();
  // A splat folds to a splat, however large.
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getX())) {
    APFloat value = splat.getSplatValue<APFloat>();
    APFloat one(value.getSemantics(), 1);
    if (value.isNegative() && !value.isNaN() && !value.isZero())
      one.changeSign();
    return SplatElementsAttr::get(getType(), one);
  }
  if (auto values = getExactDoubles(adaptor.getX())) {
    for (double &v : *values)
      v = ref::packedBit(v, ref::Plane::Sign) ? -1.0 : 1.0;
    return makeFloatAttr(getType(), *values);
  }
  return {};
}

OpFoldResult OrthonormalTransformOp::fold(FoldAdaptor adaptor) {
  if (isConstantIdentity(adaptor.getQ()))
    return getX();
  auto x = getF32Tensor(adaptor.getX());
  auto q = getF32Tensor(adaptor.getQ());
  if (!x || !q)
    return {};
  ref::Result<ref::Tensor> y =
      ref::orthonormalTransform(*x, *q, getAxis(), getTranspose());
  if (!y)
    return {};
  return makeF32Attr(getType(), y->data);
}

namespace {
/// transform(transform(x, q, t), q, !t) -> x: q is orthonormal.
struct CancelTransposedTransforms
    : public OpRewritePattern<OrthonormalTransformOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OrthonormalTransformOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<OrthonormalTransformOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "x is not a transform");
    if (inner == op || inner.getX() == op.getResult())
      return rewriter.notifyMatchFailure(op, "a cycle of transforms");
    if (inner.getAxis() != op.getAxis() || inner.getQ() != op.getQ() ||
        inner.getTranspose() == op.getTranspose())
      return rewriter.notifyMatchFailure(
          op, "not the transpose of the inner transform");
    rewriter.replaceOp(op, inner.getX());
    return success();
  }
};

/// The largest n for which two constant n x n transforms are composed.
constexpr int64_t kMaxComposedTransformSize = 64;

/// transform(transform(x, q1), q2) on one axis with constant q1, q2 ->
/// transform(x, q2' q1') where q' is q or its transpose, when the product is
/// exact in the element type (e.g. signed permutations): composing must not
/// round where the two transforms would not.
struct ComposeConstantTransforms
    : public OpRewritePattern<OrthonormalTransformOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OrthonormalTransformOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getX().getDefiningOp<OrthonormalTransformOp>();
    if (!inner || inner.getAxis() != op.getAxis())
      return rewriter.notifyMatchFailure(op, "no inner transform on the axis");
    if (inner == op || inner.getX() == op.getResult())
      return rewriter.notifyMatchFailure(op, "a cycle of transforms");
    DenseFPElementsAttr q1Attr, q2Attr;
    if (!matchPattern(inner.getQ(), m_Constant(&q1Attr)) ||
        !matchPattern(op.getQ(), m_Constant(&q2Attr)))
      return rewriter.notifyMatchFailure(op, "matrices are not constants");
    if (q1Attr.getType() != q2Attr.getType() ||
        !q1Attr.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "matrices of different types");
    // The exact product costs n^3 quad-precision operations: bounded, so
    // that canonicalization stays fast (512 x 512 took 38 s).
    if (q1Attr.getType().getDimSize(0) > kMaxComposedTransformSize)
      return rewriter.notifyMatchFailure(
          op, "matrices too large to compose exactly at compile time");
    SmallVector<APFloat> q1(q1Attr.getValues<APFloat>());
    SmallVector<APFloat> q2(q2Attr.getValues<APFloat>());
    int64_t n = q1Attr.getType().getDimSize(0);
    auto at = [n](ArrayRef<APFloat> q, bool transpose, int64_t i, int64_t j) {
      return transpose ? q[j * n + i] : q[i * n + j];
    };
    // Exact arithmetic check: quad precision, any inexact step refuses.
    const llvm::fltSemantics &quad = APFloat::IEEEquad();
    const llvm::fltSemantics &target =
        cast<FloatType>(q1Attr.getElementType()).getFloatSemantics();
    auto toQuad = [&](APFloat v) {
      bool losesInfo = false;
      v.convert(quad, APFloat::rmNearestTiesToEven, &losesInfo);
      return v;
    };
    SmallVector<APFloat> product;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        APFloat sum = APFloat::getZero(quad);
        for (int64_t k = 0; k < n; ++k) {
          APFloat term = toQuad(at(q2, op.getTranspose(), i, k));
          if (term.multiply(toQuad(at(q1, inner.getTranspose(), k, j)),
                            APFloat::rmNearestTiesToEven) != APFloat::opOK ||
              sum.add(term, APFloat::rmNearestTiesToEven) != APFloat::opOK)
            return rewriter.notifyMatchFailure(op, "product is not exact");
        }
        bool losesInfo = false;
        sum.convert(target, APFloat::rmNearestTiesToEven, &losesInfo);
        if (losesInfo)
          return rewriter.notifyMatchFailure(op, "product is not exact");
        product.push_back(sum);
      }
    Value q = arith::ConstantOp::create(
        rewriter, op.getLoc(),
        DenseElementsAttr::get(q1Attr.getType(), product));
    rewriter.replaceOpWithNewOp<OrthonormalTransformOp>(
        op, inner.getX(), q, op.getAxis(), /*transpose=*/false);
    return success();
  }
};
} // namespace

void OrthonormalTransformOp::getCanonicalizationPatterns(
    RewritePatternSet &results, MLIRContext *context) {
  results.add<CancelTransposedTransforms, ComposeConstantTransforms>(context);
}

OpFoldResult ImportanceSignOp::fold(FoldAdaptor adaptor) {
  auto x = getF32Tensor(adaptor.getX());
  auto s = getF32Tensor(adaptor.getS());
  if (!x || !s)
    return {};
  ref::Result<ref::Tensor> y = ref::importanceSign(*x, *s);
  if (!y)
    return {};
  return makeF32Attr(getType(), y->data);
}

OpFoldResult TernaryOp::fold(FoldAdaptor adaptor) {
  auto x = getF32Tensor(adaptor.getX());
  auto delta = getF32Tensor(adaptor.getDelta());
  if (!x || !delta)
    return {};
  ref::Result<ref::Tensor> y = ref::ternary(*x, delta->data);
  if (!y)
    return {};
  return makeF32Attr(getType(), y->data);
}

OpFoldResult PackOp::fold(FoldAdaptor adaptor) {
  RankedTensorType type = getP().getType();
  int64_t size = getX().getType().getShape().back();
  if (!type.hasStaticShape() || ShapedType::isDynamic(size) || size == 0)
    return {};
  unsigned wordBits = getWordBits(type.getElementType());
  // A splat whose rows are whole words packs to a splat word, however large.
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getX());
      splat && size % wordBits == 0) {
    APFloat value = splat.getSplatValue<APFloat>();
    bool bit = getPlane() == Plane::Sign
                   ? value.isNegative() && !value.isNaN() && !value.isZero()
                   : !value.isZero();
    return SplatElementsAttr::get(type, bit ? APInt::getAllOnes(wordBits)
                                            : APInt::getZero(wordBits));
  }
  auto values = getExactDoubles(adaptor.getX());
  if (!values)
    return {};
  int64_t rows = static_cast<int64_t>(values->size()) / size;
  ref::Plane plane = toReference(getPlane());
  std::vector<uint64_t> words =
      ref::packRows(values->data(), rows, size, wordBits, plane);
  SmallVector<APInt> bits;
  bits.reserve(words.size());
  for (uint64_t w : words)
    bits.push_back(APInt(wordBits, w));
  return DenseElementsAttr::get(type, bits);
}

namespace {
/// pack(sign(x)) -> pack(x): the sign plane of sign(x) is the sign plane of
/// x (both are x < 0).
struct PackOfSign : public OpRewritePattern<PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PackOp op,
                                PatternRewriter &rewriter) const override {
    auto sign = op.getX().getDefiningOp<SignOp>();
    if (!sign || op.getPlane() != Plane::Sign)
      return rewriter.notifyMatchFailure(op, "not the sign plane of a sign");
    rewriter.modifyOpInPlace(op, [&] { op.getXMutable().assign(sign.getX()); });
    return success();
  }
};

/// pack(collapse_shape(x)) -> collapse_shape(pack(x)) when the collapse
/// merges whole rows of words: the innermost size is a multiple of the word
/// width, so the packed rows lie end to end exactly as the elements do.
struct PackOfCollapse : public OpRewritePattern<PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PackOp op,
                                PatternRewriter &rewriter) const override {
    auto collapse = op.getX().getDefiningOp<tensor::CollapseShapeOp>();
    if (!collapse)
      return rewriter.notifyMatchFailure(op, "not a pack of a collapse");
    auto sourceType = collapse.getSrcType();
    unsigned wordBits = getWordBits(op.getP().getType().getElementType());
    if (!sourceType.hasStaticShape() || sourceType.getRank() == 0 ||
        sourceType.getShape().back() % wordBits != 0)
      return rewriter.notifyMatchFailure(op, "rows are not whole words");
    SmallVector<int64_t> packedShape(sourceType.getShape());
    packedShape.back() /= wordBits;
    Value packed =
        PackOp::create(rewriter, op.getLoc(),
                       RankedTensorType::get(
                           packedShape, op.getP().getType().getElementType()),
                       collapse.getSrc(), op.getPlane());
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getP().getType(), packed, collapse.getReassociationIndices());
    return success();
  }
};
} // namespace

void PackOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<PackOfSign, PackOfCollapse>(context);
}

OpFoldResult UnpackOp::fold(FoldAdaptor adaptor) {
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getP());
  RankedTensorType type = getX().getType();
  if (!dense || !type.hasStaticShape())
    return {};
  // A splat word of all zeros or all ones unpacks to a splat, however large.
  if (dense.isSplat()) {
    APInt word = dense.getSplatValue<APInt>();
    if (word.isZero() || word.isAllOnes())
      return SplatElementsAttr::get(type,
                                    APFloat(word.isZero() ? 1.0f : -1.0f));
  }
  std::optional<int64_t> count = getStaticNumElements(type);
  if (!isFoldableSize(dense) || !count || *count > kMaxFoldedElements)
    return {};
  std::vector<uint64_t> words;
  words.reserve(dense.getNumElements());
  for (const APInt &w : dense.getValues<APInt>())
    words.push_back(w.getZExtValue());
  int64_t size = getSize();
  int64_t rows = type.getNumElements() / size;
  std::optional<std::vector<float>> values = ref::unpackRows(
      words.data(), rows, size, getWordBits(dense.getElementType()));
  if (!values)
    return {};
  return makeF32Attr(type, *values);
}
