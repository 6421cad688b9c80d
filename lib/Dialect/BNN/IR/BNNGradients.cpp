//===- BNNGradients.cpp - Gradient rules of the bnn ops -------------------===//
//
// The reverse-mode rules of the Level 1 ops (GradientOpInterface), as
// DESIGN.md section 3 and docs/Formulation.md state them.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::bnn;

namespace {
Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return arith::ConstantOp::create(b, loc, like.getType(),
                                   b.getFloatAttr(like.getType(), value));
}

/// g(x), the estimator's derivative of sign at x (a scalar).
Value signDerivative(OpBuilder &b, Location loc, Value x,
                     Estimator estimator) {
  auto cst = [&](double v) { return constantLike(b, loc, x, v); };
  Value ax = math::AbsFOp::create(b, loc, x);
  Value inside =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, ax, cst(1.0));
  switch (estimator) {
  case Estimator::Ste:
    return arith::SelectOp::create(b, loc, inside, cst(1.0), cst(0.0));
  case Estimator::Approx: {
    Value slope = arith::SubFOp::create(
        b, loc, cst(2.0), arith::MulFOp::create(b, loc, cst(2.0), ax));
    return arith::SelectOp::create(b, loc, inside, slope, cst(0.0));
  }
  case Estimator::Swish: {
    // 2 b s (1 - s) (2 + b x (1 - 2 s)), s = sigmoid(b x), b = 5.
    Value bx = arith::MulFOp::create(b, loc, cst(5.0), x);
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, bx));
    Value s = arith::DivFOp::create(b, loc, cst(1.0),
                                    arith::AddFOp::create(b, loc, cst(1.0), e));
    Value oneMinusS = arith::SubFOp::create(b, loc, cst(1.0), s);
    Value outer = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, cst(10.0), s), oneMinusS);
    Value inner = arith::AddFOp::create(
        b, loc, cst(2.0),
        arith::MulFOp::create(
            b, loc, bx,
            arith::SubFOp::create(b, loc, cst(1.0),
                                  arith::MulFOp::create(b, loc, cst(2.0), s))));
    return arith::MulFOp::create(b, loc, outer, inner);
  }
  case Estimator::Identity:
    return cst(1.0);
  }
  llvm_unreachable("unknown estimator");
}
} // namespace

LogicalResult SignOp::buildOperandAdjoints(OpBuilder &b,
                                           ValueRange resultAdjoints,
                                           ArrayRef<bool> neededOperands,
                                           SmallVectorImpl<Value> &adjoints) {
  adjoints.assign(1, Value());
  Value dy = resultAdjoints[0];
  if (!dy || !neededOperands[0])
    return success();
  auto type = cast<RankedTensorType>(getX().getType());
  if (!type.hasStaticShape())
    return emitError("cannot differentiate '")
           << getOperationName() << "': dynamic shapes";
  Location loc = getLoc();
  Estimator estimator = getEstimator();
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  adjoints[0] =
      linalg::GenericOp::create(
          b, loc, type, ValueRange{getX(), dy}, init,
          SmallVector<AffineMap>(3, id), iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value g = signDerivative(nb, l, args[0], estimator);
            linalg::YieldOp::create(
                nb, l, arith::MulFOp::create(nb, l, args[1], g).getResult());
          })
          .getResult(0);
  return success();
}
