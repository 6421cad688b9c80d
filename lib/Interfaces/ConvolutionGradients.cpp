//===- ConvolutionGradients.cpp - Gradient rules of windowed linalg ops ---===//
//
// Convolutions and pooling read their input through windows (oh * s + kh *
// d), which no projected-permutation rule covers. Their input adjoints are
// built tap by tap: for each kernel tap (kh, kw), the contribution of every
// output pixel is computed on [N, OH, OW, C] and added into the strided
// slice of the input adjoint that tap read. Within one tap, two output
// pixels never read the same input element, so the slice add is exact.
//
//===----------------------------------------------------------------------===//

#include "bnn/Interfaces/GradientOpInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// The window geometry of a 2-D NHWC op.
struct Window {
  int64_t kernelH, kernelW, strideH, strideW, dilationH, dilationW;
};

/// The [N, OH, OW, C] slice of the NHWC `input` that tap (kh, kw) reads.
SmallVector<OpFoldResult> tapOffsets(OpBuilder &b, const Window &w, int64_t kh,
                                     int64_t kw) {
  return {b.getIndexAttr(0), b.getIndexAttr(kh * w.dilationH),
          b.getIndexAttr(kw * w.dilationW), b.getIndexAttr(0)};
}

SmallVector<OpFoldResult> tapStrides(OpBuilder &b, const Window &w) {
  return {b.getIndexAttr(1), b.getIndexAttr(w.strideH),
          b.getIndexAttr(w.strideW), b.getIndexAttr(1)};
}

SmallVector<OpFoldResult> staticSizes(OpBuilder &b, ArrayRef<int64_t> shape) {
  return llvm::map_to_vector(
      shape, [&](int64_t d) -> OpFoldResult { return b.getIndexAttr(d); });
}

/// The input of tap (kh, kw): [N, OH, OW, C].
Value readTap(OpBuilder &b, Location loc, Value input, const Window &w,
              int64_t kh, int64_t kw, ArrayRef<int64_t> tapShape) {
  auto type = cast<RankedTensorType>(input.getType());
  return tensor::ExtractSliceOp::create(
      b, loc, type.clone(tapShape), input, tapOffsets(b, w, kh, kw),
      staticSizes(b, tapShape), tapStrides(b, w));
}

/// dInput[tap slice] += contribution.
Value addIntoTap(OpBuilder &b, Location loc, Value dInput, Value contribution,
                 const Window &w, int64_t kh, int64_t kw) {
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(contribution.getType()).getShape();
  Value current = readTap(b, loc, dInput, w, kh, kw, shape);
  Value sum = addTensors(b, loc, current, contribution);
  return tensor::InsertSliceOp::create(b, loc, sum, dInput,
                                       tapOffsets(b, w, kh, kw),
                                       staticSizes(b, shape), tapStrides(b, w));
}

template <typename OpTy>
Window windowOf(OpTy op, ArrayRef<int64_t> kernel) {
  auto strides = op.getStrides().template getValues<int64_t>();
  auto dilations = op.getDilations().template getValues<int64_t>();
  return {kernel[0], kernel[1], strides[0], strides[1], dilations[0],
          dilations[1]};
}

LogicalResult checkStatic(Operation *op) {
  for (Type type : op->getOperandTypes())
    if (auto shaped = dyn_cast<ShapedType>(type);
        shaped && !shaped.hasStaticShape())
      return op->emitError("cannot differentiate '")
             << op->getName() << "': dynamic shapes";
  return success();
}

/// y[n, oh, ow, f] = init + sum over kh, kw, c of
///   x[n, oh * sh + kh * dh, ow * sw + kw * dw, c] * w[f, kh, kw, c].
struct Conv2DNhwcFhwcGradient
    : public GradientOpInterface::ExternalModel<Conv2DNhwcFhwcGradient,
                                                linalg::Conv2DNhwcFhwcOp> {
  LogicalResult buildOperandAdjoints(Operation *operation, OpBuilder &b,
                                     ValueRange resultAdjoints,
                                     ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &adjoints) const {
    auto op = cast<linalg::Conv2DNhwcFhwcOp>(operation);
    adjoints.assign(3, Value());
    Value dy = resultAdjoints[0];
    if (!dy)
      return success();
    if (failed(checkStatic(op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value x = op.getInputs()[0], w = op.getInputs()[1];
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto yType = cast<RankedTensorType>(dy.getType());
    Window win = windowOf(op, wType.getShape().slice(1, 2));
    int64_t n = yType.getDimSize(0), oh = yType.getDimSize(1),
            ow = yType.getDimSize(2), c = xType.getDimSize(3),
            f = wType.getDimSize(0);
    auto mulAdd = [](OpBuilder &nb, Location l, ValueRange a) {
      Value product = arith::MulFOp::create(nb, l, a[0], a[1]);
      linalg::YieldOp::create(
          nb, l, arith::AddFOp::create(nb, l, a[2], product).getResult());
    };
    auto parallel = utils::IteratorType::parallel;
    auto reduction = utils::IteratorType::reduction;

    if (needed[1]) {
      // dW[f, kh, kw, c] = sum over n, oh, ow of dy * x(window).
      // Loops: d0 n, d1 oh, d2 ow, d3 f, d4 kh, d5 kw, d6 c.
      AffineExpr d[7];
      for (unsigned i = 0; i < 7; ++i)
        d[i] = getAffineDimExpr(i, ctx);
      SmallVector<AffineMap> maps = {
          AffineMap::get(7, 0, {d[0], d[1], d[2], d[3]}, ctx),
          AffineMap::get(7, 0,
                         {d[0], d[1] * win.strideH + d[4] * win.dilationH,
                          d[2] * win.strideW + d[5] * win.dilationW, d[6]},
                         ctx),
          AffineMap::get(7, 0, {d[3], d[4], d[5], d[6]}, ctx)};
      adjoints[1] =
          linalg::GenericOp::create(
              b, loc, wType, ValueRange{dy, x}, zeroTensor(b, loc, wType),
              maps,
              {reduction, reduction, reduction, parallel, parallel, parallel,
               parallel},
              mulAdd)
              .getResult(0);
    }
    if (needed[0]) {
      // Per tap: dX[tap] += sum over f of dy[n, oh, ow, f] * w[f, kh, kw, c].
      // Loops: d0 n, d1 oh, d2 ow, d3 c, d4 f.
      AffineExpr d[5];
      for (unsigned i = 0; i < 5; ++i)
        d[i] = getAffineDimExpr(i, ctx);
      SmallVector<AffineMap> maps = {
          AffineMap::get(5, 0, {d[0], d[1], d[2], d[4]}, ctx),
          AffineMap::get(5, 0, {d[4], d[3]}, ctx),
          AffineMap::get(5, 0, {d[0], d[1], d[2], d[3]}, ctx)};
      auto tapType = RankedTensorType::get({n, oh, ow, c},
                                           xType.getElementType());
      auto filterTapType =
          RankedTensorType::get({f, c}, wType.getElementType());
      Value dx = zeroTensor(b, loc, xType);
      for (int64_t kh = 0; kh < win.kernelH; ++kh)
        for (int64_t kw = 0; kw < win.kernelW; ++kw) {
          Value filterTap = tensor::ExtractSliceOp::create(
              b, loc, filterTapType, w,
              staticSizes(b, {0, kh, kw, 0}), staticSizes(b, {f, 1, 1, c}),
              staticSizes(b, {1, 1, 1, 1}));
          Value contribution =
              linalg::GenericOp::create(
                  b, loc, tapType, ValueRange{dy, filterTap},
                  zeroTensor(b, loc, tapType), maps,
                  {parallel, parallel, parallel, parallel, reduction}, mulAdd)
                  .getResult(0);
          dx = addIntoTap(b, loc, dx, contribution, win, kh, kw);
        }
      adjoints[0] = dx;
    }
    if (needed[2])
      adjoints[2] = dy;
    return success();
  }
};

/// Pooling: operands (input, window shape, init).
template <typename Concrete, typename OpTy>
struct PoolingGradient
    : public GradientOpInterface::ExternalModel<Concrete, OpTy> {
  LogicalResult buildOperandAdjoints(Operation *operation, OpBuilder &b,
                                     ValueRange resultAdjoints,
                                     ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &adjoints) const {
    auto op = cast<OpTy>(operation);
    adjoints.assign(3, Value());
    Value dy = resultAdjoints[0];
    if (!dy)
      return success();
    if (failed(checkStatic(op)))
      return failure();
    if (needed[2])
      return op->emitError("cannot differentiate '")
             << op->getName()
             << "' with respect to its init (use a constant fill)";
    if (!needed[0])
      return success();
    Location loc = op.getLoc();
    Value x = op.getInputs()[0];
    auto xType = cast<RankedTensorType>(x.getType());
    auto yType = cast<RankedTensorType>(dy.getType());
    auto kernelType = cast<ShapedType>(op.getInputs()[1].getType());
    Window win = windowOf(op, kernelType.getShape());
    Value dx = zeroTensor(b, loc, xType);
    Concrete::accumulate(op, b, loc, x, dy, win, yType, dx);
    adjoints[0] = dx;
    return success();
  }
};

struct PoolingSumGradient
    : public PoolingGradient<PoolingSumGradient, linalg::PoolingNhwcSumOp> {
  static void accumulate(linalg::PoolingNhwcSumOp, OpBuilder &b, Location loc,
                         Value, Value dy, const Window &win,
                         RankedTensorType, Value &dx) {
    for (int64_t kh = 0; kh < win.kernelH; ++kh)
      for (int64_t kw = 0; kw < win.kernelW; ++kw)
        dx = addIntoTap(b, loc, dx, dy, win, kh, kw);
  }
};

/// The gradient goes to the first maximal tap of each window in row-major
/// (kh, kw) order, as PyTorch does: after a sign, ties are the rule.
struct PoolingMaxGradient
    : public PoolingGradient<PoolingMaxGradient, linalg::PoolingNhwcMaxOp> {
  static void accumulate(linalg::PoolingNhwcMaxOp op, OpBuilder &b,
                         Location loc, Value x, Value dy, const Window &win,
                         RankedTensorType yType, Value &dx) {
    Value y = op->getResult(0);
    int64_t rank = yType.getRank();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    auto flagType = yType.clone(b.getI1Type());
    Value noneYet = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    Value noFlags =
        tensor::EmptyOp::create(b, loc, yType.getShape(), b.getI1Type());
    Value found =
        linalg::FillOp::create(b, loc, noneYet, noFlags).getResult(0);
    for (int64_t kh = 0; kh < win.kernelH; ++kh)
      for (int64_t kw = 0; kw < win.kernelW; ++kw) {
        Value tap = readTap(b, loc, x, win, kh, kw, yType.getShape());
        Value contributionInit = tensor::EmptyOp::create(
            b, loc, yType.getShape(), yType.getElementType());
        Value foundInit =
            tensor::EmptyOp::create(b, loc, yType.getShape(), b.getI1Type());
        auto generic = linalg::GenericOp::create(
            b, loc, TypeRange{yType, flagType}, ValueRange{tap, y, dy, found},
            ValueRange{contributionInit, foundInit},
            SmallVector<AffineMap>(6, id), parallel,
            [](OpBuilder &nb, Location l, ValueRange a) {
              Value isMax = arith::CmpFOp::create(
                  nb, l, arith::CmpFPredicate::OEQ, a[0], a[1]);
              Value notFound = arith::XOrIOp::create(
                  nb, l, a[3],
                  arith::ConstantOp::create(nb, l, nb.getBoolAttr(true)));
              Value take = arith::AndIOp::create(nb, l, isMax, notFound);
              Value zero = arith::ConstantOp::create(
                  nb, l, nb.getZeroAttr(a[2].getType()));
              Value contribution =
                  arith::SelectOp::create(nb, l, take, a[2], zero);
              Value nowFound = arith::OrIOp::create(nb, l, a[3], take);
              linalg::YieldOp::create(nb, l, ValueRange{contribution, nowFound});
            });
        dx = addIntoTap(b, loc, dx, generic.getResult(0), win, kh, kw);
        found = generic.getResult(1);
      }
  }
};

} // namespace

void bnn::registerConvolutionGradientExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    linalg::Conv2DNhwcFhwcOp::attachInterface<Conv2DNhwcFhwcGradient>(*ctx);
    linalg::PoolingNhwcSumOp::attachInterface<PoolingSumGradient>(*ctx);
    linalg::PoolingNhwcMaxOp::attachInterface<PoolingMaxGradient>(*ctx);
  });
}
