//===- Matchers.cpp - IR forms the bnn passes recognize -----------------===//

#include "bnn/Transforms/Matchers.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/Debug.h"

using namespace mlir;
using namespace mlir::bnn;

bool bnn::isAtMostMinusOne(Value value) {
  APFloat constant(0.0f);
  if (!matchPattern(value, m_ConstantFloat(&constant)))
    return false;
  APFloat minusOne(constant.getSemantics(), "-1");
  APFloat::cmpResult order = constant.compare(minusOne);
  return order == APFloat::cmpLessThan || order == APFloat::cmpEqual;
}

bool bnn::isZeroTensor(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  // Zeros rearranged are zeros (a matvec made a one-row matmul, an NCHW
  // init transposed).
  if (auto expand = value.getDefiningOp<tensor::ExpandShapeOp>())
    return isZeroTensor(expand.getSrc());
  if (auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>())
    return isZeroTensor(collapse.getSrc());
  if (auto transpose = value.getDefiningOp<linalg::TransposeOp>())
    return isZeroTensor(transpose.getInput());
  if (auto broadcast = value.getDefiningOp<linalg::BroadcastOp>())
    return isZeroTensor(broadcast.getInput());
  // A broadcast written as a generic that yields its only input (TOSA's
  // bias of a convolution).
  if (auto generic = value.getDefiningOp<linalg::GenericOp>())
    if (generic.getNumDpsInputs() == 1 && generic.getNumResults() == 1 &&
        generic.getNumReductionLoops() == 0 &&
        generic.getBody()->getOperations().size() == 1 &&
        cast<linalg::YieldOp>(generic.getBody()->getTerminator())
                .getValues()[0] == generic.getBody()->getArgument(0))
      return isZeroTensor(generic.getDpsInputs()[0]);
  return matchPattern(value, m_AnyZeroFloat());
}

bool bnn::isSignValued(Value value) {
  Operation *op = value.getDefiningOp();
  if (isa_and_nonnull<SignOp>(op))
    return true;
  if (auto reshape = dyn_cast_or_null<tensor::CollapseShapeOp>(op))
    return isSignValued(reshape.getSrc());
  if (auto reshape = dyn_cast_or_null<tensor::ExpandShapeOp>(op))
    return isSignValued(reshape.getSrc());
  if (auto slice = dyn_cast_or_null<tensor::ExtractSliceOp>(op))
    return isSignValued(slice.getSource());
  std::string why;
  return succeeded(matchSignMaxPool(value, why));
}

std::optional<SpatialPad> bnn::matchSpatialPad(tensor::PadOp pad) {
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  if (low.size() != 4 || ShapedType::isDynamicShape(low) ||
      ShapedType::isDynamicShape(high) || low[0] != 0 || high[0] != 0 ||
      low[3] != 0 || high[3] != 0)
    return std::nullopt;
  SpatialPad result;
  result.op = pad;
  result.source = pad.getSource();
  result.amounts = {low[1], high[1], low[2], high[2]};
  result.padValue = pad.getConstantPaddingValue();
  return result;
}

FailureOr<SignMaxPool> bnn::matchSignMaxPool(Value value, std::string &why) {
  auto pool = value.getDefiningOp<linalg::PoolingNhwcMaxOp>();
  if (!pool)
    return failure();
  SignMaxPool result;
  result.pool = pool;
  result.input = pool.getInputs()[0];
  auto padOp = result.input.getDefiningOp<tensor::PadOp>();
  if (padOp)
    result.input = padOp.getSource();
  if (!isSignValued(result.input))
    return failure();

  auto refuse = [&](StringRef reason) {
    why = reason.str();
    return failure();
  };
  if (!pool.hasPureTensorSemantics())
    return refuse("the pool is not on tensors");
  auto fill = pool.getOutputs()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !isAtMostMinusOne(fill.getInputs()[0]))
    return refuse("the pool's init is not a fill with a value <= -1");
  if (padOp) {
    result.pad = matchSpatialPad(padOp);
    if (!result.pad)
      return refuse("the pool's padding is not static on the spatial "
                    "dimensions only");
    if (!result.pad->padValue || !isAtMostMinusOne(result.pad->padValue))
      return refuse("the pool's padding value is not a constant <= -1");
    // A window of padding only would give the padding value, not +-1.
    auto window = cast<ShapedType>(pool.getInputs()[1].getType());
    std::array<int64_t, 4> &amounts = result.pad->amounts;
    if (!window.hasStaticShape() || amounts[0] >= window.getDimSize(0) ||
        amounts[1] >= window.getDimSize(0) ||
        amounts[2] >= window.getDimSize(1) ||
        amounts[3] >= window.getDimSize(1))
      return refuse("the padding is not smaller than the window");
  }
  return result;
}

void MatchFailureLogger::notifyMatchFailure(
    Location loc, function_ref<void(Diagnostic &)> reasonCallback) {
  DEBUG_WITH_TYPE(debugType, {
    Diagnostic diag(loc, DiagnosticSeverity::Remark);
    reasonCallback(diag);
    llvm::dbgs() << debugType << ": " << loc << ": " << diag.str() << "\n";
  });
}

SmallVector<AffineMap> bnn::getMatmulMaps(MLIRContext *context,
                                          MatmulB layout) {
  AffineExpr m, n, k;
  bindDims(context, m, n, k);
  auto map = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(3, 0, results, context);
  };
  return {map({m, k}), layout == MatmulB::NK ? map({n, k}) : map({k, n}),
          map({m, n})};
}

std::optional<MatmulB> bnn::getMatmulBLayout(ArrayRef<AffineMap> maps) {
  if (maps.size() != 3)
    return std::nullopt;
  MLIRContext *context = maps[0].getContext();
  for (MatmulB layout : {MatmulB::KN, MatmulB::NK})
    if (ArrayRef<AffineMap>(getMatmulMaps(context, layout)) == maps)
      return layout;
  return std::nullopt;
}
