//===- BNNGradients.cpp - Gradient rules of the bnn ops -------------------===//
//
// The reverse-mode rules of the Level 1 ops (GradientOpInterface), as
// DESIGN.md section 3 and docs/Formulation.md state them.
//
// Above 500 lines on purpose: one rule per op, each a few linalg.generic
// ops built from the shared helpers at the top; they read best side by side
// with the formulas of docs/Formulation.md.
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
/// g(x), the estimator's derivative of sign at x (a scalar).
Value signDerivative(OpBuilder &b, Location loc, Value x, Estimator estimator) {
  auto cst = [&](double v) { return floatConstant(b, loc, x.getType(), v); };
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
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
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

//===----------------------------------------------------------------------===//
// Weight ops
//===----------------------------------------------------------------------===//

namespace {

using IteratorType = utils::IteratorType;

/// -1 for x < 0, else +1 (the forward sign).
Value signOf(OpBuilder &b, Location loc, Value x) {
  Value negative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                            floatConstant(b, loc, x.getType(), 0.0));
  return arith::SelectOp::create(b, loc, negative,
                                 floatConstant(b, loc, x.getType(), -1.0),
                                 floatConstant(b, loc, x.getType(), 1.0));
}

/// a / d, or 0 where d == 0.
Value safeDiv(OpBuilder &b, Location loc, Value a, Value d) {
  Value zero = floatConstant(b, loc, a.getType(), 0.0);
  Value none =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, d, zero);
  return arith::SelectOp::create(b, loc, none, zero,
                                 arith::DivFOp::create(b, loc, a, d));
}

LogicalResult requireStatic(Operation *op) {
  for (Type type : op->getOperandTypes())
    if (!cast<ShapedType>(type).hasStaticShape())
      return op->emitError("cannot differentiate '")
             << op->getName() << "': dynamic shapes";
  return success();
}
} // namespace

LogicalResult OrthonormalTransformOp::buildOperandAdjoints(
    OpBuilder &b, ValueRange resultAdjoints, ArrayRef<bool> needed,
    SmallVectorImpl<Value> &adjoints) {
  adjoints.assign(2, Value());
  Value dy = resultAdjoints[0];
  if (!dy)
    return success();
  if (failed(requireStatic(*this)))
    return failure();
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(getX().getType());
  auto qType = cast<RankedTensorType>(getQ().getType());
  unsigned rank = xType.getRank(), axis = getAxis(), extra = rank;
  bool transposed = getTranspose();
  // Loops d0..d{rank-1} over the tensor, d{rank} the other matrix index.
  SmallVector<unsigned> swapped = llvm::to_vector(llvm::seq<unsigned>(0, rank));
  swapped[axis] = extra;
  AffineMap identity = AffineMap::getMultiDimMapWithTargets(
      rank + 1, llvm::to_vector(llvm::seq<unsigned>(0, rank)), ctx);
  AffineMap other =
      AffineMap::getMultiDimMapWithTargets(rank + 1, swapped, ctx);
  auto mulAdd = [](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::AddFOp::create(nb, l, a[2],
                                 arith::MulFOp::create(nb, l, a[0], a[1]));
  };
  SmallVector<IteratorType> contract(rank, IteratorType::parallel);
  contract.push_back(IteratorType::reduction);
  if (needed[0]) {
    // dx[..j..] = sum_i Q[i, j] dy[..i..]; j at the axis, i = d{rank}.
    AffineMap qMap =
        transposed
            ? AffineMap::getMultiDimMapWithTargets(rank + 1, {axis, extra}, ctx)
            : AffineMap::getMultiDimMapWithTargets(rank + 1, {extra, axis},
                                                   ctx);
    adjoints[0] = buildGeneric(
        b, loc,
        filledTensor(b, loc, xType.getShape(), xType.getElementType(), 0.0),
        {dy, getQ()}, {other, qMap, identity}, contract, mulAdd);
  }
  if (needed[1]) {
    // Q[i, j] += sum over the other dims of dy[..i..] x[..j..]; i at the
    // axis, j = d{rank}.
    SmallVector<IteratorType> iterators(rank + 1, IteratorType::reduction);
    iterators[axis] = IteratorType::parallel;
    iterators[extra] = IteratorType::parallel;
    AffineMap qMap =
        transposed
            ? AffineMap::getMultiDimMapWithTargets(rank + 1, {extra, axis}, ctx)
            : AffineMap::getMultiDimMapWithTargets(rank + 1, {axis, extra},
                                                   ctx);
    adjoints[1] = buildGeneric(
        b, loc,
        filledTensor(b, loc, qType.getShape(), qType.getElementType(), 0.0),
        {dy, getX()}, {identity, other, qMap}, iterators, mulAdd);
  }
  return success();
}

LogicalResult
ImportanceSignOp::buildOperandAdjoints(OpBuilder &b, ValueRange resultAdjoints,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &adjoints) {
  adjoints.assign(2, Value());
  Value dy = resultAdjoints[0];
  if (!dy)
    return success();
  if (failed(requireStatic(*this)))
    return failure();
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(getX().getType());
  Type f = xType.getElementType();
  unsigned rank = xType.getRank();
  int64_t channels = xType.getDimSize(0);
  Estimator estimator = getEstimator();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap sMap = AffineMap::getMultiDimMapWithTargets(
      rank, llvm::to_vector(llvm::seq<unsigned>(1, rank)), ctx);
  AffineMap oMap = AffineMap::getMultiDimMapWithTargets(rank, {0}, ctx);
  AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
  SmallVector<IteratorType> perChannel(rank, IteratorType::reduction);
  perChannel[0] = IteratorType::parallel;
  SmallVector<IteratorType> elementwise(rank, IteratorType::parallel);

  // S = sum s; A_o = sum_k s_k |x_ok|; G_o = sum_k dy_ok sign(x_ok).
  unsigned sRank = rank - 1;
  Value sumS = buildGeneric(
      b, loc, filledTensor(b, loc, {}, f, 0.0), getS(),
      {b.getMultiDimIdentityMap(sRank), AffineMap::get(sRank, 0, {}, ctx)},
      SmallVector<IteratorType>(sRank, IteratorType::reduction),
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, l, a[1], a[0]);
      });
  Value weighted =
      buildGeneric(b, loc, filledTensor(b, loc, {channels}, f, 0.0),
                   ValueRange{getX(), getS()}, {id, sMap, oMap}, perChannel,
                   [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                     Value term = arith::MulFOp::create(
                         nb, l, a[1], math::AbsFOp::create(nb, l, a[0]));
                     return arith::AddFOp::create(nb, l, a[2], term);
                   });
  Value g = buildGeneric(b, loc, filledTensor(b, loc, {channels}, f, 0.0),
                         ValueRange{getX(), dy}, {id, id, oMap}, perChannel,
                         [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                           Value term = arith::MulFOp::create(
                               nb, l, a[1], signOf(nb, l, a[0]));
                           return arith::AddFOp::create(nb, l, a[2], term);
                         });
  if (needed[0]) {
    Value empty = tensor::EmptyOp::create(b, loc, xType.getShape(), f);
    adjoints[0] = buildGeneric(
        b, loc, empty, ValueRange{getX(), getS(), dy, sumS, weighted, g},
        {id, sMap, id, scalar, oMap, oMap, id}, elementwise,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value alpha = safeDiv(nb, l, a[4], a[3]);
          Value signPart = arith::MulFOp::create(
              nb, l, arith::MulFOp::create(nb, l, a[2], alpha),
              signDerivative(nb, l, a[0], estimator));
          Value scalePart =
              safeDiv(nb, l,
                      arith::MulFOp::create(
                          nb, l, arith::MulFOp::create(nb, l, a[5], a[1]),
                          signOf(nb, l, a[0])),
                      a[3]);
          return arith::AddFOp::create(nb, l, signPart, scalePart);
        });
  }
  if (needed[1]) {
    auto sType = cast<RankedTensorType>(getS().getType());
    SmallVector<IteratorType> overChannels(rank, IteratorType::parallel);
    overChannels[0] = IteratorType::reduction;
    adjoints[1] = buildGeneric(
        b, loc, filledTensor(b, loc, sType.getShape(), f, 0.0),
        ValueRange{getX(), sumS, weighted, g}, {id, scalar, oMap, oMap, sMap},
        overChannels, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value alpha = safeDiv(nb, l, a[2], a[1]);
          Value deviation = arith::SubFOp::create(
              nb, l, math::AbsFOp::create(nb, l, a[0]), alpha);
          Value term = safeDiv(
              nb, l, arith::MulFOp::create(nb, l, a[3], deviation), a[1]);
          return arith::AddFOp::create(nb, l, a[4], term);
        });
  }
  return success();
}

LogicalResult
TernaryOp::buildOperandAdjoints(OpBuilder &b, ValueRange resultAdjoints,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &adjoints) {
  adjoints.assign(2, Value());
  Value dy = resultAdjoints[0];
  if (!dy || !needed[0])
    return success();
  if (failed(requireStatic(*this)))
    return failure();
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(getX().getType());
  Type f = xType.getElementType();
  unsigned rank = xType.getRank();
  int64_t channels = xType.getDimSize(0);
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap oMap = AffineMap::getMultiDimMapWithTargets(rank, {0}, ctx);
  SmallVector<IteratorType> perChannel(rank, IteratorType::reduction);
  perChannel[0] = IteratorType::parallel;
  SmallVector<IteratorType> elementwise(rank, IteratorType::parallel);
  // t = +1 (x > delta), -1 (x < -delta), else 0.
  auto ternaryOf = [](OpBuilder &nb, Location l, Value x, Value delta) {
    Value one = floatConstant(nb, l, x.getType(), 1.0),
          zero = floatConstant(nb, l, x.getType(), 0.0);
    Value above =
        arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, x, delta);
    Value below = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, x,
                                        arith::NegFOp::create(nb, l, delta));
    return arith::SelectOp::create(
        nb, l, above, one,
        arith::SelectOp::create(nb, l, below, arith::NegFOp::create(nb, l, one),
                                zero));
  };
  // Per channel: the count and |x| sum of the kept entries, T = sum dy t.
  auto perChannelSum =
      [&](ValueRange inputs, ArrayRef<AffineMap> maps,
          function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
        SmallVector<AffineMap> allMaps(maps);
        allMaps.push_back(oMap);
        return buildGeneric(
            b, loc, filledTensor(b, loc, {channels}, f, 0.0), inputs, allMaps,
            perChannel, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
              return arith::AddFOp::create(nb, l, a.back(), term(nb, l, a));
            });
      };
  Value delta = getDelta();
  Value count = perChannelSum({getX(), delta}, {id, oMap},
                              [&](OpBuilder &nb, Location l, ValueRange a) {
                                return math::AbsFOp::create(
                                    nb, l, ternaryOf(nb, l, a[0], a[1]));
                              });
  Value sumAbs = perChannelSum(
      {getX(), delta}, {id, oMap},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value kept = math::AbsFOp::create(nb, l, ternaryOf(nb, l, a[0], a[1]));
        return arith::MulFOp::create(nb, l, kept,
                                     math::AbsFOp::create(nb, l, a[0]));
      });
  Value weighted = perChannelSum(
      {getX(), delta, dy}, {id, oMap, id},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        return arith::MulFOp::create(nb, l, a[2], ternaryOf(nb, l, a[0], a[1]));
      });
  Value empty = tensor::EmptyOp::create(b, loc, xType.getShape(), f);
  adjoints[0] = buildGeneric(
      b, loc, empty, ValueRange{getX(), delta, dy, count, sumAbs, weighted},
      {id, oMap, id, oMap, oMap, oMap, id}, elementwise,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value alpha = safeDiv(nb, l, a[4], a[3]);
        Value ste = signDerivative(nb, l, a[0], Estimator::Ste);
        Value factorPart = arith::MulFOp::create(
            nb, l, arith::MulFOp::create(nb, l, a[2], alpha), ste);
        Value kept = math::AbsFOp::create(nb, l, ternaryOf(nb, l, a[0], a[1]));
        Value scalePart =
            safeDiv(nb, l,
                    arith::MulFOp::create(
                        nb, l, arith::MulFOp::create(nb, l, a[5], kept),
                        signOf(nb, l, a[0])),
                    a[3]);
        return arith::AddFOp::create(nb, l, factorPart, scalePart);
      });
  return success();
}

LogicalResult
SqRegularizerOp::buildOperandAdjoints(OpBuilder &b, ValueRange resultAdjoints,
                                      ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &adjoints) {
  adjoints.assign(2, Value());
  Value dr = resultAdjoints[0];
  if (!dr)
    return success();
  if (failed(requireStatic(*this)))
    return failure();
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  auto wType = cast<RankedTensorType>(getW().getType());
  Type f = wType.getElementType();
  unsigned rank = wType.getRank();
  double count = static_cast<double>(wType.getNumElements());
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
  SmallVector<IteratorType> all(rank, IteratorType::reduction);
  SmallVector<IteratorType> elementwise(rank, IteratorType::parallel);
  Value sumAbs = buildGeneric(
      b, loc, filledTensor(b, loc, {}, f, 0.0), getW(), {id, scalar}, all,
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, l, a[1],
                                     math::AbsFOp::create(nb, l, a[0]));
      });
  // The basin of u (0: toward +1, 1: toward -1, 2: toward 0, the first
  // minimal one) and u itself.
  struct Basin {
    Value u, plus, minus, tanBeta;
  };
  auto basinOf = [&](OpBuilder &nb, Location l, Value w, Value sum,
                     Value beta) {
    Value mean = arith::DivFOp::create(
        nb, l, sum, floatConstant(nb, l, w.getType(), count));
    Value u = safeDiv(nb, l, w, mean);
    Value one = floatConstant(nb, l, w.getType(), 1.0);
    Value um1 = arith::SubFOp::create(nb, l, u, one);
    Value up1 = arith::AddFOp::create(nb, l, u, one);
    Value toPlus = arith::MulFOp::create(nb, l, um1, um1);
    Value toMinus = arith::MulFOp::create(nb, l, up1, up1);
    Value tanBeta = math::TanOp::create(nb, l, beta);
    Value toZero = arith::MulFOp::create(nb, l, tanBeta,
                                         arith::MulFOp::create(nb, l, u, u));
    auto le = [&](Value a, Value c) {
      return arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLE, a, c);
    };
    Value plus =
        arith::AndIOp::create(nb, l, le(toPlus, toMinus), le(toPlus, toZero));
    Value minus = arith::AndIOp::create(
        nb, l,
        arith::XOrIOp::create(
            nb, l, plus,
            arith::ConstantOp::create(nb, l, nb.getBoolAttr(true))),
        le(toMinus, toZero));
    return Basin{u, plus, minus, tanBeta};
  };
  if (needed[0]) {
    Value empty = tensor::EmptyOp::create(b, loc, wType.getShape(), f);
    adjoints[0] = buildGeneric(
        b, loc, empty, ValueRange{getW(), sumAbs, getBeta(), dr},
        {id, scalar, scalar, scalar, id}, elementwise,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Basin basin = basinOf(nb, l, a[0], a[1], a[2]);
          Value one = floatConstant(nb, l, a[0].getType(), 1.0);
          Value two = floatConstant(nb, l, a[0].getType(), 2.0);
          // b'(u): 2 (u - 1), 2 (u + 1) or 2 tan(beta) u.
          Value slope = arith::SelectOp::create(
              nb, l, basin.plus, arith::SubFOp::create(nb, l, basin.u, one),
              arith::SelectOp::create(
                  nb, l, basin.minus,
                  arith::AddFOp::create(nb, l, basin.u, one),
                  arith::MulFOp::create(nb, l, basin.tanBeta, basin.u)));
          // dw = dr * 2 slope / (n mean) = dr * 2 slope / sum|w|.
          Value scaled =
              safeDiv(nb, l, arith::MulFOp::create(nb, l, two, slope), a[1]);
          return arith::MulFOp::create(nb, l, a[3], scaled);
        });
  }
  if (needed[1]) {
    adjoints[1] = buildGeneric(
        b, loc, filledTensor(b, loc, {}, f, 0.0),
        ValueRange{getW(), sumAbs, getBeta(), dr},
        {id, scalar, scalar, scalar, scalar}, all,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Basin basin = basinOf(nb, l, a[0], a[1], a[2]);
          Value zeroBasin = arith::XOrIOp::create(
              nb, l, arith::OrIOp::create(nb, l, basin.plus, basin.minus),
              arith::ConstantOp::create(nb, l, nb.getBoolAttr(true)));
          Value one = floatConstant(nb, l, a[0].getType(), 1.0);
          Value secant2 = arith::AddFOp::create(
              nb, l, one,
              arith::MulFOp::create(nb, l, basin.tanBeta, basin.tanBeta));
          Value term = arith::MulFOp::create(
              nb, l, arith::MulFOp::create(nb, l, basin.u, basin.u), secant2);
          Value zero = floatConstant(nb, l, a[0].getType(), 0.0);
          Value kept = arith::SelectOp::create(nb, l, zeroBasin, term, zero);
          Value scaled = arith::MulFOp::create(
              nb, l, kept,
              arith::DivFOp::create(
                  nb, l, a[3], floatConstant(nb, l, a[0].getType(), count)));
          return arith::AddFOp::create(nb, l, a[4], scaled);
        });
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Batch norm
//===----------------------------------------------------------------------===//

namespace {
/// The maps of an x-shaped tensor and of a [C] tensor over x's loops, and
/// the iterators that reduce every axis but the innermost.
struct ChannelLoops {
  AffineMap full, channel;
  SmallVector<IteratorType> reduceRows, elementwise;
  int64_t rows;
};

ChannelLoops channelLoops(OpBuilder &b, RankedTensorType xType) {
  unsigned rank = xType.getRank();
  ChannelLoops loops;
  loops.full = b.getMultiDimIdentityMap(rank);
  loops.channel =
      AffineMap::getMultiDimMapWithTargets(rank, {rank - 1}, b.getContext());
  loops.reduceRows.assign(rank, IteratorType::reduction);
  loops.reduceRows.back() = IteratorType::parallel;
  loops.elementwise.assign(rank, IteratorType::parallel);
  loops.rows = xType.getNumElements() / xType.getShape().back();
  return loops;
}

/// 1 / sqrt(var + epsilon).
Value inverseStd(OpBuilder &b, Location loc, Value var, double epsilon) {
  Value sum = arith::AddFOp::create(
      b, loc, var, floatConstant(b, loc, var.getType(), epsilon));
  return math::RsqrtOp::create(b, loc, sum);
}
} // namespace

std::pair<Value, Value> BatchNormOp::buildBatchStatistics(OpBuilder &b) {
  Location loc = getLoc();
  auto xType = cast<RankedTensorType>(getX().getType());
  Type f = xType.getElementType();
  int64_t channels = xType.getShape().back();
  ChannelLoops loops = channelLoops(b, xType);
  double invRows = 1.0 / static_cast<double>(loops.rows);
  Value sum =
      buildGeneric(b, loc, filledTensor(b, loc, {channels}, f, 0.0), getX(),
                   {loops.full, loops.channel}, loops.reduceRows,
                   [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                     return arith::AddFOp::create(nb, l, a[1], a[0]);
                   });
  AffineMap id1 = b.getMultiDimIdentityMap(1);
  Value mean = buildGeneric(
      b, loc, tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{channels}, f),
      sum, {id1, id1}, {IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(
            nb, l, a[0], floatConstant(nb, l, a[0].getType(), invRows));
      });
  Value squares = buildGeneric(
      b, loc, filledTensor(b, loc, {channels}, f, 0.0),
      ValueRange{getX(), mean}, {loops.full, loops.channel, loops.channel},
      loops.reduceRows, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
        return arith::AddFOp::create(nb, l, a[2],
                                     arith::MulFOp::create(nb, l, d, d));
      });
  Value var = buildGeneric(
      b, loc, tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{channels}, f),
      squares, {id1, id1}, {IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::MulFOp::create(
            nb, l, a[0], floatConstant(nb, l, a[0].getType(), invRows));
      });
  return {mean, var};
}

LogicalResult
BatchNormOp::buildOperandAdjoints(OpBuilder &b, ValueRange resultAdjoints,
                                  ArrayRef<bool> needed,
                                  SmallVectorImpl<Value> &adjoints) {
  adjoints.assign(3, Value());
  Value dy = resultAdjoints[0];
  if (!dy)
    return success();
  if (failed(requireStatic(*this)))
    return failure();
  Location loc = getLoc();
  auto xType = cast<RankedTensorType>(getX().getType());
  Type f = xType.getElementType();
  int64_t channels = xType.getShape().back();
  ChannelLoops loops = channelLoops(b, xType);
  double epsilon = getEpsilon().convertToDouble();
  auto [mean, var] = buildBatchStatistics(b);
  // xhat = (x - mean) * invStd.
  auto xhatOf = [&](OpBuilder &nb, Location l, Value x, Value mu, Value v) {
    return arith::MulFOp::create(nb, l, arith::SubFOp::create(nb, l, x, mu),
                                 inverseStd(nb, l, v, epsilon));
  };
  // S1 = sum dy (dbeta), S2 = sum dy * xhat (dgamma), per channel.
  Value sumDy =
      buildGeneric(b, loc, filledTensor(b, loc, {channels}, f, 0.0), dy,
                   {loops.full, loops.channel}, loops.reduceRows,
                   [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                     return arith::AddFOp::create(nb, l, a[1], a[0]);
                   });
  Value sumDyXhat = buildGeneric(
      b, loc, filledTensor(b, loc, {channels}, f, 0.0),
      ValueRange{getX(), mean, var, dy},
      {loops.full, loops.channel, loops.channel, loops.full, loops.channel},
      loops.reduceRows, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value term =
            arith::MulFOp::create(nb, l, a[3], xhatOf(nb, l, a[0], a[1], a[2]));
        return arith::AddFOp::create(nb, l, a[4], term);
      });
  if (needed[1])
    adjoints[1] = sumDyXhat;
  if (needed[2])
    adjoints[2] = sumDy;
  if (needed[0]) {
    // dx = gamma invStd / M (M dy - S1 - xhat S2).
    double rows = static_cast<double>(loops.rows);
    adjoints[0] = buildGeneric(
        b, loc, tensor::EmptyOp::create(b, loc, xType.getShape(), f),
        ValueRange{getX(), mean, var, dy, getGamma(), sumDy, sumDyXhat},
        {loops.full, loops.channel, loops.channel, loops.full, loops.channel,
         loops.channel, loops.channel, loops.full},
        loops.elementwise, [&](OpBuilder &nb, Location l, ValueRange a) {
          Value xhat = xhatOf(nb, l, a[0], a[1], a[2]);
          Value scaled = arith::MulFOp::create(
              nb, l, a[3], floatConstant(nb, l, a[3].getType(), rows));
          Value centered = arith::SubFOp::create(
              nb, l, arith::SubFOp::create(nb, l, scaled, a[5]),
              arith::MulFOp::create(nb, l, xhat, a[6]));
          Value factor = arith::MulFOp::create(
              nb, l,
              arith::MulFOp::create(nb, l, a[4],
                                    inverseStd(nb, l, a[2], epsilon)),
              floatConstant(nb, l, a[3].getType(), 1.0 / rows));
          return arith::MulFOp::create(nb, l, factor, centered);
        });
  }
  return success();
}
