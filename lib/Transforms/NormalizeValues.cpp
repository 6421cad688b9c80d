//===- NormalizeValues.cpp - Signs and constants
//----------------------------===//
//
// Signs written as a comparison with zero and a select of -1 and +1 become
// bnn.sign; elementwise generics on constants fold to constants.
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

namespace {

//===----------------------------------------------------------------------===//
// Signs
//===----------------------------------------------------------------------===//

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

} // namespace

void mlir::bnn::normalize::populateValuePatterns(RewritePatternSet &patterns) {
  patterns.add<SignGenericToBNNSign, FoldConstantElementwise>(
      patterns.getContext());
}
