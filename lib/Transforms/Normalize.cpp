//===- Normalize.cpp - Front-end forms to the forms binarize reads -------===//
//
// Front ends write a BNN's layers in many equivalent ways (PyTorch via
// torch-mlir, TOSA lowering, hand-written MLIR). These rewrites bring them
// to the few forms bnn-binarize and bnn-fuse-threshold match, each one
// exact: the rewritten IR computes the same values (a moved bias aside,
// which adds the same numbers in another order).
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Matchers.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNNORMALIZE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

#define DEBUG_TYPE "bnn-normalize"

using namespace mlir;
using namespace mlir::bnn;

namespace {

//===----------------------------------------------------------------------===//
// Signs
//===----------------------------------------------------------------------===//

/// A float constant, seen through the body of a generic (a value defined
/// above it or an arith.constant inside it).
std::optional<APFloat> getFloatConstant(Value value) {
  APFloat result(0.0f);
  if (matchPattern(value, m_ConstantFloat(&result)))
    return result;
  return std::nullopt;
}

/// x -> (cmp(x, 0) or cmp(0, x)): the predicate applied to a sample.
struct ZeroComparison {
  arith::CmpFPredicate predicate;
  bool zeroOnLeft = false;

  bool evaluate(float x) const {
    APFloat sample(x), zero(0.0f);
    return zeroOnLeft ? arith::applyCmpPredicate(predicate, zero, sample)
                      : arith::applyCmpPredicate(predicate, sample, zero);
  }
};

/// A scalar of a generic's body that is constant: an arith.constant, a
/// value defined above, or the block argument of a splat constant input
/// (TOSA lowering passes its scalars as broadcast 1x1x1x1 tensors).
std::optional<APFloat> getScalarConstant(linalg::GenericOp op, Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value);
      arg && arg.getOwner() == op.getBody()) {
    if (arg.getArgNumber() >= op.getNumDpsInputs())
      return std::nullopt;
    DenseFPElementsAttr attr;
    if (matchPattern(op.getDpsInputs()[arg.getArgNumber()],
                     m_Constant(&attr)) &&
        attr.isSplat())
      return attr.getSplatValue<APFloat>();
    return std::nullopt;
  }
  return getFloatConstant(value);
}

/// Matches `cmpf` of the block argument `x` against a (signed) zero.
std::optional<ZeroComparison> matchZeroComparison(linalg::GenericOp op,
                                                  arith::CmpFOp cmp, Value x) {
  auto isZero = [&](Value v) {
    std::optional<APFloat> c = getScalarConstant(op, v);
    return c && c->isZero();
  };
  if (cmp.getLhs() == x && isZero(cmp.getRhs()))
    return ZeroComparison{cmp.getPredicate(), false};
  if (cmp.getRhs() == x && isZero(cmp.getLhs()))
    return ZeroComparison{cmp.getPredicate(), true};
  return std::nullopt;
}

/// The one operand of a comparison that is an input of `op` read through
/// the identity map (the other side being a constant), or null.
BlockArgument getComparedInput(linalg::GenericOp op, arith::CmpFOp cmp) {
  for (Value side : {cmp.getLhs(), cmp.getRhs()}) {
    auto arg = dyn_cast<BlockArgument>(side);
    if (arg && arg.getOwner() == op.getBody() &&
        arg.getArgNumber() < op.getNumDpsInputs() &&
        !getScalarConstant(op, arg) &&
        op.getIndexingMapsArray()[arg.getArgNumber()].isIdentity())
      return arg;
  }
  return nullptr;
}

/// True when `select(cmp(x), ifTrue, ifFalse)` is the contract's sign
/// (x < 0 ? -1 : +1) for every x but NaN. A comparison with zero splits the
/// floats into negative, -0, +0, positive and NaN: one sample of each of the
/// first four decides. NaN is left out on purpose: `x >= 0 ? 1 : -1`, the
/// straight-through sign PyTorch and TOSA write, gives -1 at NaN where
/// bnn.sign gives +1, and a NaN activation has no meaningful sign in a BNN
/// (docs/Decisions.md). Forms that differ at 0 or -0 stay as they are.
bool isContractSign(const ZeroComparison &cmp, float ifTrue, float ifFalse) {
  for (float x : {-1.0f, -0.0f, 0.0f, 1.0f}) {
    float expected = x < 0 ? -1.0f : 1.0f;
    if ((cmp.evaluate(x) ? ifTrue : ifFalse) != expected)
      return false;
  }
  return true;
}

/// An all-parallel elementwise generic on tensors with an identity output
/// map.
bool isElementwise(linalg::GenericOp op) {
  return op.hasPureTensorSemantics() && op.getNumDpsInits() == 1 &&
         op.getNumReductionLoops() == 0 &&
         op.getIndexingMapsArray().back().isIdentity();
}

/// An elementwise generic whose inputs are all read through identity maps.
bool isIdentityElementwise(linalg::GenericOp op) {
  return isElementwise(op) &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); });
}

/// The yielded value of a single-result generic.
Value getYielded(linalg::GenericOp op) {
  return cast<linalg::YieldOp>(op.getBody()->getTerminator()).getValues()[0];
}

/// A generic that yields select(cmpf(x, 0), c1, c2) (or computes only the
/// comparison), with c1 and c2 constants: the sign forms of hand-written
/// and TOSA-lowered models.
struct SignGenericToBNNSign : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isElementwise(op) || op.getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "not an elementwise generic");
    auto select = getYielded(op).getDefiningOp<arith::SelectOp>();
    if (!select)
      return rewriter.notifyMatchFailure(op, "does not yield a select");
    std::optional<APFloat> ifTrue =
        getScalarConstant(op, select.getTrueValue());
    std::optional<APFloat> ifFalse =
        getScalarConstant(op, select.getFalseValue());
    if (!ifTrue || !ifFalse)
      return rewriter.notifyMatchFailure(op, "select of non-constants");

    // The comparison: in this body, or a comparison generic that feeds the
    // condition as an input (TOSA's greater_equal + select).
    Value input;
    std::optional<ZeroComparison> cmp;
    Value condition = select.getCondition();
    if (auto cmpOp = condition.getDefiningOp<arith::CmpFOp>()) {
      BlockArgument arg = getComparedInput(op, cmpOp);
      if (!arg)
        return rewriter.notifyMatchFailure(op, "compares no input");
      cmp = matchZeroComparison(op, cmpOp, arg);
      input = op.getDpsInputs()[arg.getArgNumber()];
    } else if (auto arg = dyn_cast<BlockArgument>(condition);
               arg && arg.getOwner() == op.getBody() &&
               arg.getArgNumber() < op.getNumDpsInputs() &&
               op.getIndexingMapsArray()[arg.getArgNumber()].isIdentity()) {
      auto producer = op.getDpsInputs()[arg.getArgNumber()]
                          .getDefiningOp<linalg::GenericOp>();
      if (!producer || !isElementwise(producer) ||
          producer.getNumResults() != 1)
        return rewriter.notifyMatchFailure(op, "condition is not a comparison");
      auto cmpOp = getYielded(producer).getDefiningOp<arith::CmpFOp>();
      if (!cmpOp)
        return rewriter.notifyMatchFailure(op, "condition is not a cmpf");
      BlockArgument compared = getComparedInput(producer, cmpOp);
      if (!compared)
        return rewriter.notifyMatchFailure(op, "compares no input");
      cmp = matchZeroComparison(producer, cmpOp, compared);
      input = producer.getDpsInputs()[compared.getArgNumber()];
    }
    if (!cmp)
      return rewriter.notifyMatchFailure(op, "not a comparison with zero");
    auto type = dyn_cast<RankedTensorType>(input.getType());
    if (!type || type != op.getResultTypes()[0] ||
        !type.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not f32 to f32 of one shape");
    if (!isContractSign(*cmp, ifTrue->convertToFloat(),
                        ifFalse->convertToFloat()))
      return rewriter.notifyMatchFailure(
          op, "differs from the contract's sign at 0 or -0");
    rewriter.replaceOpWithNewOp<SignOp>(op, input);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Evaluates one scalar op of an elementwise body on f32 values; nullopt
/// for ops it does not know.
std::optional<float> evaluateScalar(Operation *op, ArrayRef<float> operands) {
  if (isa<arith::AddFOp>(op))
    return operands[0] + operands[1];
  if (isa<arith::SubFOp>(op))
    return operands[0] - operands[1];
  if (isa<arith::MulFOp>(op))
    return operands[0] * operands[1];
  if (isa<arith::DivFOp>(op))
    return operands[0] / operands[1];
  if (isa<arith::NegFOp>(op))
    return -operands[0];
  if (isa<arith::MaximumFOp>(op))
    return std::isnan(operands[0]) || std::isnan(operands[1])
               ? std::nanf("")
               : std::max(operands[0], operands[1]);
  if (isa<arith::MinimumFOp>(op))
    return std::isnan(operands[0]) || std::isnan(operands[1])
               ? std::nanf("")
               : std::min(operands[0], operands[1]);
  if (isa<math::SqrtOp>(op))
    return std::sqrt(operands[0]);
  if (isa<math::RsqrtOp>(op))
    return 1.0f / std::sqrt(operands[0]);
  if (isa<math::AbsFOp>(op))
    return std::fabs(operands[0]);
  return std::nullopt;
}

/// An elementwise f32 generic (identity maps) whose inputs are all
/// constants: the batch norm parameters a front end computes in the IR
/// (rsqrt(var + eps), scale * rsqrt(...)) become constants, so that the
/// batch norm fuses into a threshold. Evaluated in f32, op by op, as the
/// compiled code would.
struct FoldConstantElementwise : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isIdentityElementwise(op) || op.getNumResults() != 1 ||
        op.getNumDpsInputs() == 0)
      return rewriter.notifyMatchFailure(op, "not an elementwise generic");
    auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
    if (!type.getElementType().isF32() || !type.hasStaticShape() ||
        type.getNumElements() > kMaxFoldedElements)
      return rewriter.notifyMatchFailure(op, "not a small static f32 result");
    SmallVector<DenseFPElementsAttr> inputs;
    for (Value input : op.getDpsInputs()) {
      DenseFPElementsAttr attr;
      if (!matchPattern(input, m_Constant(&attr)) ||
          !attr.getElementType().isF32())
        return rewriter.notifyMatchFailure(op, "an input is not constant");
      inputs.push_back(attr);
    }
    Block *body = op.getBody();
    if (op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
      return rewriter.notifyMatchFailure(op, "the body reads its init");
    int64_t count = type.getNumElements();
    SmallVector<SmallVector<float>> columns;
    for (DenseFPElementsAttr attr : inputs)
      columns.push_back(
          attr.isSplat()
              ? SmallVector<float>(count, attr.getSplatValue<float>())
              : SmallVector<float>(attr.getValues<float>()));
    SmallVector<float> result(count);
    for (int64_t e = 0; e < count; ++e) {
      DenseMap<Value, float> values;
      for (auto [i, column] : llvm::enumerate(columns))
        values[body->getArgument(i)] = column[e];
      for (Operation &inner : body->without_terminator()) {
        if (inner.getNumResults() != 1)
          return rewriter.notifyMatchFailure(op, "a body op has no result");
        std::optional<APFloat> constant =
            inner.getNumOperands() == 0 ? getFloatConstant(inner.getResult(0))
                                        : std::nullopt;
        if (constant) {
          values[inner.getResult(0)] = constant->convertToFloat();
          continue;
        }
        SmallVector<float> operands;
        for (Value operand : inner.getOperands()) {
          auto it = values.find(operand);
          std::optional<APFloat> outside = getFloatConstant(operand);
          if (it == values.end() && !outside)
            return rewriter.notifyMatchFailure(op, "an operand is unknown");
          operands.push_back(it != values.end() ? it->second
                                                : outside->convertToFloat());
        }
        std::optional<float> value = evaluateScalar(&inner, operands);
        if (!value)
          return rewriter.notifyMatchFailure(op, "a body op is not evaluated");
        values[inner.getResult(0)] = *value;
      }
      Value yielded = getYielded(op);
      auto it = values.find(yielded);
      std::optional<APFloat> outside = getFloatConstant(yielded);
      if (it == values.end() && !outside)
        return rewriter.notifyMatchFailure(op, "yields an unknown value");
      result[e] = it != values.end() ? it->second : outside->convertToFloat();
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::get(type, ArrayRef<float>(result)));
    return success();
  }
};

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

Value createTranspose(PatternRewriter &rewriter, Location loc, Value input,
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
    for (AffineMap map : ArrayRef(generic.getIndexingMapsArray()).drop_back())
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
// Matmuls
//===----------------------------------------------------------------------===//

/// A generic that computes C[m, n] += A[m, k] * B[k, n] (or B[n, k]): a
/// linalg.matmul with those maps. linalg-specialize-generic-ops does not
/// build a valid matmul for the transposed-B form, hence this pattern.
struct GenericToMatmul : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op.getNumLoops() != 3)
      return rewriter.notifyMatchFailure(op, "not a 3-loop binary generic");
    MLIRContext *ctx = op.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(3, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    using IT = utils::IteratorType;
    SmallVector<IT> iterators = op.getIteratorTypesArray();
    if (iterators !=
            SmallVector<IT>{IT::parallel, IT::parallel, IT::reduction} ||
        maps[0] != map({m, k}) || maps[2] != map({m, n}) ||
        (maps[1] != map({k, n}) && maps[1] != map({n, k})))
      return rewriter.notifyMatchFailure(op, "maps are not a matmul's");
    // Body: yield add(out, mul(a, b)) in any operand order.
    Block *body = op.getBody();
    auto add = getYielded(op).getDefiningOp<arith::AddFOp>();
    if (!add || body->getOperations().size() != 3)
      return rewriter.notifyMatchFailure(op, "body is not mul + add");
    Value acc = body->getArgument(2);
    Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
    if (add.getLhs() != acc && add.getRhs() != acc)
      return rewriter.notifyMatchFailure(op, "does not accumulate");
    auto mul = product.getDefiningOp<arith::MulFOp>();
    if (!mul || !((mul.getLhs() == body->getArgument(0) &&
                   mul.getRhs() == body->getArgument(1)) ||
                  (mul.getLhs() == body->getArgument(1) &&
                   mul.getRhs() == body->getArgument(0))))
      return rewriter.notifyMatchFailure(op, "body is not mul + add");
    auto matmul =
        linalg::MatmulOp::create(rewriter, op.getLoc(), op.getResultTypes(),
                                 op.getDpsInputs(), op.getDpsInits());
    matmul.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    rewriter.replaceOp(op, matmul.getResults());
    return success();
  }
};

/// matvec(W[O, K] constant, x[K]) -> one-row matmul x[1, K] * W[O, K]^T,
/// and vecmat(x[K], W[K, N] constant) -> x[1, K] * W[K, N].
template <typename OpTy>
struct VectorProductToMatmul : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMatvec = std::is_same_v<OpTy, linalg::MatvecOp>;
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value matrix = op.getDpsInputs()[isMatvec ? 0 : 1];
    Value vector = op.getDpsInputs()[isMatvec ? 1 : 0];
    Value init = op.getDpsInits()[0];
    if (!matchPattern(matrix, m_Constant()))
      return rewriter.notifyMatchFailure(op, "matrix is not constant");
    auto vectorType = cast<RankedTensorType>(vector.getType());
    auto initType = cast<RankedTensorType>(init.getType());
    if (!vectorType.hasStaticShape() || !initType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Location loc = op.getLoc();
    SmallVector<ReassociationIndices> row = {{0, 1}};
    auto asRow = [&](Value v, RankedTensorType type) {
      return tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
          v, row);
    };
    auto matmul = linalg::MatmulOp::create(
        rewriter, loc,
        TypeRange{RankedTensorType::get({1, initType.getDimSize(0)},
                                        initType.getElementType())},
        ValueRange{asRow(vector, vectorType), matrix},
        ValueRange{asRow(init, initType)});
    if (isMatvec) {
      AffineExpr m, n, k;
      bindDims(rewriter.getContext(), m, n, k);
      auto map = [&](ArrayRef<AffineExpr> exprs) {
        return AffineMap::get(3, 0, exprs, rewriter.getContext());
      };
      matmul.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
          {map({m, k}), map({n, k}), map({m, n})}));
    }
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, initType, matmul.getResult(0), row);
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

/// conv_2d_nchw_fchw -> transposes around conv_2d_nhwc_fhwc.
struct ConvNCHWToNHWC : public OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Location loc = op.getLoc();
    SmallVector<int64_t> toNHWC = {0, 2, 3, 1}, toNCHW = {0, 3, 1, 2};
    Value input = createTranspose(rewriter, loc, op.getInputs()[0], toNHWC);
    Value filter = createTranspose(rewriter, loc, op.getInputs()[1], toNHWC);
    Value init = createTranspose(rewriter, loc, op.getOutputs()[0], toNHWC);
    auto conv = linalg::Conv2DNhwcFhwcOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{input, filter},
        ValueRange{init}, op.getStrides(), op.getDilations());
    rewriter.replaceOp(
        op, createTranspose(rewriter, loc, conv.getResult(0), toNCHW));
    return success();
  }
};

/// pooling_nchw_max -> transposes around pooling_nhwc_max.
struct PoolNCHWToNHWC : public OpRewritePattern<linalg::PoolingNchwMaxOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::PoolingNchwMaxOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Location loc = op.getLoc();
    SmallVector<int64_t> toNHWC = {0, 2, 3, 1}, toNCHW = {0, 3, 1, 2};
    Value input = createTranspose(rewriter, loc, op.getInputs()[0], toNHWC);
    Value init = createTranspose(rewriter, loc, op.getOutputs()[0], toNHWC);
    auto pool = linalg::PoolingNhwcMaxOp::create(
        rewriter, loc, TypeRange{init.getType()},
        ValueRange{input, op.getInputs()[1]}, ValueRange{init}, op.getStrides(),
        op.getDilations());
    rewriter.replaceOp(
        op, createTranspose(rewriter, loc, pool.getResult(0), toNCHW));
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
    MLIRContext *ctx = op.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(3, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (maps[0] != map({m, k}) || maps[2] != map({m, n}))
      return rewriter.notifyMatchFailure(op, "A is not read as [M, K]");
    bool transposedB = maps[1] == map({n, k});
    if (!transposedB && maps[1] != map({k, n}))
      return rewriter.notifyMatchFailure(op, "B is not read as a matrix");
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

//===----------------------------------------------------------------------===//
// Bias inits
//===----------------------------------------------------------------------===//

/// A convolution or matmul accumulating into a non-zero init accumulates
/// into zeros; the init is added after it.
template <typename OpTy>
struct MoveInitAfterLayer : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value init = op.getDpsInits()[0];
    auto type = cast<RankedTensorType>(init.getType());
    if (isZeroTensor(init) || !type.getElementType().isF32() ||
        !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "init is zero");
    // Only where the init is a bias the model computes (a broadcast, a
    // constant, a fill), not an accumulator the caller passes in.
    if (!init.getDefiningOp<linalg::BroadcastOp>() &&
        !init.getDefiningOp<linalg::GenericOp>() &&
        !init.getDefiningOp<linalg::FillOp>() &&
        !matchPattern(init, m_Constant()))
      return rewriter.notifyMatchFailure(op, "init is not a bias");
    Location loc = op.getLoc();
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getF32FloatAttr(0.0f));
    Value zeros = linalg::FillOp::create(
                      rewriter, loc, zero,
                      tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                              type.getElementType())
                          .getResult())
                      .getResult(0);
    rewriter.modifyOpInPlace(op,
                             [&] { op.getDpsInitsMutable()[0].set(zeros); });
    rewriter.setInsertionPointAfter(op);
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    SmallVector<utils::IteratorType> parallel(type.getRank(),
                                              utils::IteratorType::parallel);
    Value result = op->getResult(0);
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    auto add = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{result, init},
        ValueRange{empty}, ArrayRef<AffineMap>{identity, identity, identity},
        parallel, [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args[0], args[1]).getResult());
        });
    rewriter.replaceAllUsesExcept(result, add.getResult(0), add);
    return success();
  }
};

} // namespace

void mlir::bnn::populateBNNNormalizePatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<SignGenericToBNNSign, FoldConstantTranspose,
               SinkTransposeIntoProducer, ComposeTransposes,
               SinkTransposeThroughElementwise, FoldTransposeIntoElementwise,
               PoolNCHWToNHWC, FlattenTransposeIntoWeights, GenericToMatmul,
               VectorProductToMatmul<linalg::MatvecOp>,
               VectorProductToMatmul<linalg::VecmatOp>, ConvHWCFToFHWC,
               ConvNCHWToNHWC, MoveInitAfterLayer<linalg::Conv2DNhwcFhwcOp>,
               MoveInitAfterLayer<linalg::MatmulOp>, FoldConstantElementwise>(
      context);
  linalg::TransposeOp::getCanonicalizationPatterns(patterns, context);
}

namespace {
struct BNNNormalizePass
    : public mlir::bnn::impl::BNNNormalizeBase<BNNNormalizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateBNNNormalizePatterns(patterns);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, &getContext());
    MatchFailureLogger logger(DEBUG_TYPE);
    GreedyRewriteConfig config;
    config.setListener(&logger);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      getOperation()->emitRemark("bnn-normalize: the rewrites did not "
                                 "converge; the model is left as they "
                                 "left it");
  }
};
} // namespace
