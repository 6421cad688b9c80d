//===- Level1Lowerings.cpp - bnn's float ops to linalg on tensors -------===//
//
// bnn-lower for the Level 1 ops (DESIGN.md section 3): sign, the BiTAT
// transform and importance-weighted sign, SQ's ternary and regularizer, and
// batch norm, each as linalg.generic ops on tensors.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::bnn;
using namespace mlir::bnn::lowering;

namespace {

/// x < 0 ? -1 : +1 (NaN, 0 and -0.0 give +1: `olt` is false for them).
Value signOf(OpBuilder &b, Location loc, Value x) {
  Value zero = constantFloat(b, loc, x.getType(), 0.0);
  Value negative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(b, loc, negative,
                                 constantFloat(b, loc, x.getType(), -1.0),
                                 constantFloat(b, loc, x.getType(), 1.0));
}

struct LowerSign : public StaticShapeLowering<SignOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(SignOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    unsigned rank = type.getRank();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    Value y =
        generic(rewriter, loc, init, op.getX(), {id, id}, iterators(rank, 0),
                [](OpBuilder &b, Location l, ValueRange args) {
                  yieldValue(b, l, signOf(b, l, args[0]));
                });
    return y;
  }
};

struct LowerOrthonormalTransform
    : public StaticShapeLowering<OrthonormalTransformOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(OrthonormalTransformOp op,
              PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = op.getType();
    unsigned rank = type.getRank();
    unsigned axis = op.getAxis();
    // Loops d0..d{rank-1} over y, d{rank} = j the contracted index.
    SmallVector<unsigned> xDims = llvm::to_vector(llvm::seq<unsigned>(0, rank));
    xDims[axis] = rank;
    AffineMap xMap = AffineMap::getMultiDimMapWithTargets(rank + 1, xDims, ctx);
    AffineMap qMap =
        op.getTranspose()
            ? AffineMap::getMultiDimMapWithTargets(rank + 1, {rank, axis}, ctx)
            : AffineMap::getMultiDimMapWithTargets(rank + 1, {axis, rank}, ctx);
    AffineMap yMap = AffineMap::getMultiDimMapWithTargets(
        rank + 1, llvm::to_vector(llvm::seq<unsigned>(0, rank)), ctx);
    Value zero = constantFloat(rewriter, loc, type.getElementType(), 0.0);
    Value init = filledTensor(rewriter, loc, type.getShape(), zero);
    Value y = generic(
        rewriter, loc, init, {op.getX(), op.getQ()}, {xMap, qMap, yMap},
        iterators(rank, 1), [](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[1], args[0]);
          yieldValue(b, l, arith::AddFOp::create(b, l, args[2], product));
        });
    return y;
  }
};

struct LowerImportanceSign : public StaticShapeLowering<ImportanceSignOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(ImportanceSignOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = op.getType();
    Type elementType = type.getElementType();
    unsigned rank = type.getRank();
    Value zero = constantFloat(rewriter, loc, elementType, 0.0);

    // sum_k s_k: a 0-d tensor.
    unsigned sRank = rank - 1;
    Value sumS = generic(
        rewriter, loc, filledTensor(rewriter, loc, {}, zero), op.getS(),
        {rewriter.getMultiDimIdentityMap(sRank),
         AffineMap::get(sRank, 0, {}, ctx)},
        iterators(0, sRank), [](OpBuilder &b, Location l, ValueRange args) {
          yieldValue(b, l, arith::AddFOp::create(b, l, args[1], args[0]));
        });

    // sum_k s_k |x[o, k]| per output channel o (loop d0).
    AffineMap xMap = rewriter.getMultiDimIdentityMap(rank);
    AffineMap sMap = AffineMap::getMultiDimMapWithTargets(
        rank, llvm::to_vector(llvm::seq<unsigned>(1, rank)), ctx);
    AffineMap oMap = AffineMap::getMultiDimMapWithTargets(rank, {0}, ctx);
    AffineMap scalarMap = AffineMap::get(rank, 0, {}, ctx);
    Value weighted = generic(
        rewriter, loc,
        filledTensor(rewriter, loc, type.getShape().take_front(), zero),
        {op.getX(), op.getS()}, {xMap, sMap, oMap}, iterators(1, rank - 1),
        [](OpBuilder &b, Location l, ValueRange args) {
          Value absX = math::AbsFOp::create(b, l, args[0]);
          Value term = arith::MulFOp::create(b, l, args[1], absX);
          yieldValue(b, l, arith::AddFOp::create(b, l, args[2], term));
        });

    // y = alpha_o * sign(x), alpha_o = weighted_o / sum s (0 if sum s = 0).
    Value init =
        tensor::EmptyOp::create(rewriter, loc, type.getShape(), elementType);
    Value y = generic(
        rewriter, loc, init, {op.getX(), weighted, sumS},
        {xMap, oMap, scalarMap, xMap}, iterators(rank, 0),
        [](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], weightedSum = args[1], total = args[2];
          Value zeroF = constantFloat(b, l, x.getType(), 0.0);
          Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                               total, zeroF);
          Value ratio = arith::DivFOp::create(b, l, weightedSum, total);
          Value alpha = arith::SelectOp::create(b, l, isZero, zeroF, ratio);
          yieldValue(b, l, arith::MulFOp::create(b, l, alpha, signOf(b, l, x)));
        });
    return y;
  }
};

/// -1, 0 or +1 of a ternarization with threshold delta.
Value ternaryOf(OpBuilder &b, Location loc, Value x, Value delta) {
  Type type = x.getType();
  Value negDelta = arith::NegFOp::create(b, loc, delta);
  Value above =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, delta);
  Value below =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, negDelta);
  Value lowOrZero =
      arith::SelectOp::create(b, loc, below, constantFloat(b, loc, type, -1.0),
                              constantFloat(b, loc, type, 0.0));
  return arith::SelectOp::create(b, loc, above,
                                 constantFloat(b, loc, type, 1.0), lowOrZero);
}

struct LowerTernary : public StaticShapeLowering<TernaryOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(TernaryOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = op.getType();
    Type elementType = type.getElementType();
    unsigned rank = type.getRank();
    Value zero = constantFloat(rewriter, loc, elementType, 0.0);
    AffineMap xMap = rewriter.getMultiDimIdentityMap(rank);
    AffineMap oMap = AffineMap::getMultiDimMapWithTargets(rank, {0}, ctx);
    ArrayRef<int64_t> channels = type.getShape().take_front();

    // Per channel: sum of |x| and count over the kept (nonzero) entries.
    auto reduce = [&](bool count) {
      return generic(
          rewriter, loc, filledTensor(rewriter, loc, channels, zero),
          {op.getX(), op.getDelta()}, {xMap, oMap, oMap},
          iterators(1, rank - 1),
          [count](OpBuilder &b, Location l, ValueRange args) {
            Value t = ternaryOf(b, l, args[0], args[1]);
            Value kept = arith::MulFOp::create(b, l, t, t); // 1 or 0
            Value term =
                count ? kept
                      : arith::MulFOp::create(
                            b, l, kept, math::AbsFOp::create(b, l, args[0]));
            yieldValue(b, l, arith::AddFOp::create(b, l, args[2], term));
          });
    };
    Value sums = reduce(/*count=*/false);
    Value counts = reduce(/*count=*/true);

    Value init =
        tensor::EmptyOp::create(rewriter, loc, type.getShape(), elementType);
    Value y = generic(
        rewriter, loc, init, {op.getX(), op.getDelta(), sums, counts},
        {xMap, oMap, oMap, oMap, xMap}, iterators(rank, 0),
        [](OpBuilder &b, Location l, ValueRange args) {
          Value zeroF = constantFloat(b, l, args[0].getType(), 0.0);
          Value none = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                             args[3], zeroF);
          Value mean = arith::DivFOp::create(b, l, args[2], args[3]);
          Value alpha = arith::SelectOp::create(b, l, none, zeroF, mean);
          Value t = ternaryOf(b, l, args[0], args[1]);
          yieldValue(b, l, arith::MulFOp::create(b, l, alpha, t));
        });
    return y;
  }
};

/// Batch statistics (BatchNormOp::buildBatchStatistics), then one
/// elementwise generic: (x - mean) / sqrt(var + epsilon) * gamma + beta.
struct LowerBatchNorm : public StaticShapeLowering<BatchNormOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(BatchNormOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = op.getType();
    unsigned rank = type.getRank();
    auto [mean, var] = op.buildBatchStatistics(rewriter);
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel =
        AffineMap::getMultiDimMapWithTargets(rank, {rank - 1}, ctx);
    double epsilon = op.getEpsilon().convertToDouble();
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    return generic(
        rewriter, loc, init,
        {op.getX(), mean, var, op.getGamma(), op.getBeta()},
        {id, channel, channel, channel, channel, id}, iterators(rank, 0),
        [epsilon](OpBuilder &b, Location l, ValueRange args) {
          Value eps = constantFloat(b, l, args[0].getType(), epsilon);
          Value invStd = math::RsqrtOp::create(
              b, l, arith::AddFOp::create(b, l, args[2], eps));
          Value xhat = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]), invStd);
          Value scaled = arith::MulFOp::create(b, l, xhat, args[3]);
          yieldValue(b, l, arith::AddFOp::create(b, l, scaled, args[4]));
        });
  }
};

struct LowerSqRegularizer : public StaticShapeLowering<SqRegularizerOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(SqRegularizerOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto wType = op.getW().getType();
    Type elementType = wType.getElementType();
    unsigned rank = wType.getRank();
    double count = static_cast<double>(wType.getNumElements());
    Value zero = constantFloat(rewriter, loc, elementType, 0.0);
    AffineMap wMap = rewriter.getMultiDimIdentityMap(rank);
    AffineMap scalarMap = AffineMap::get(rank, 0, {}, ctx);

    Value sumAbs =
        generic(rewriter, loc, filledTensor(rewriter, loc, {}, zero), op.getW(),
                {wMap, scalarMap}, iterators(0, rank),
                [](OpBuilder &b, Location l, ValueRange args) {
                  Value absW = math::AbsFOp::create(b, l, args[0]);
                  yieldValue(b, l, arith::AddFOp::create(b, l, args[1], absW));
                });

    // Sum over i of min((u-1)^2, (u+1)^2, tan(beta) u^2), u = w / mean|w|;
    // an all-zero w has no scale and contributes 0.
    Value total = generic(
        rewriter, loc, filledTensor(rewriter, loc, {}, zero),
        {op.getW(), sumAbs, op.getBeta()},
        {wMap, scalarMap, scalarMap, scalarMap}, iterators(0, rank),
        [count](OpBuilder &b, Location l, ValueRange args) {
          Type t = args[0].getType();
          Value zeroF = constantFloat(b, l, t, 0.0);
          Value one = constantFloat(b, l, t, 1.0);
          Value mean = arith::DivFOp::create(b, l, args[1],
                                             constantFloat(b, l, t, count));
          Value u = arith::DivFOp::create(b, l, args[0], mean);
          Value um1 = arith::SubFOp::create(b, l, u, one);
          Value up1 = arith::AddFOp::create(b, l, u, one);
          Value toPlus = arith::MulFOp::create(b, l, um1, um1);
          Value toMinus = arith::MulFOp::create(b, l, up1, up1);
          Value u2 = arith::MulFOp::create(b, l, u, u);
          Value toZero = arith::MulFOp::create(
              b, l, math::TanOp::create(b, l, args[2]), u2);
          Value best = arith::MinimumFOp::create(
              b, l, arith::MinimumFOp::create(b, l, toPlus, toMinus), toZero);
          Value noScale = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                                mean, zeroF);
          Value term = arith::SelectOp::create(b, l, noScale, zeroF, best);
          yieldValue(b, l, arith::AddFOp::create(b, l, args[3], term));
        });

    AffineMap scalar0 = AffineMap::get(0, 0, {}, ctx);
    Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{},
                                         elementType);
    Value r =
        generic(rewriter, loc, init, total, {scalar0, scalar0}, {},
                [count](OpBuilder &b, Location l, ValueRange args) {
                  Value n = constantFloat(b, l, args[0].getType(), count);
                  yieldValue(b, l, arith::DivFOp::create(b, l, args[0], n));
                });
    return r;
  }
};

} // namespace

void lowering::populateLevel1LoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSign, LowerOrthonormalTransform, LowerImportanceSign,
               LowerTernary, LowerBatchNorm, LowerSqRegularizer>(
      patterns.getContext());
}
