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

template <typename OpTy> Window windowOf(OpTy op, ArrayRef<int64_t> kernel) {
  auto strides = op.getStrides().template getValues<int64_t>();
  auto dilations = op.getDilations().template getValues<int64_t>();
  return {kernel[0],  kernel[1],    strides[0],
          strides[1], dilations[0], dilations[1]};
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
    Value x = op.getInputs()[0], w = op.getInputs()[1];
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto yType = cast<RankedTensorType>(dy.getType());
    Window win = windowOf(op, wType.getShape().slice(1, 2));
    int64_t n = yType.getDimSize(0), oh = yType.getDimSize(1),
            ow = yType.getDimSize(2), c = xType.getDimSize(3),
            f = wType.getDimSize(0);

    // Both adjoints tap by tap, as matrix products that bnn-vectorize
    // tiles into FMA register tiles: with M = N * OH * OW rows,
    //   dX[tap] += dy[M, F] * w[:, kh, kw, :][F, C]
    //   dW[:, kh, kw, :] = dy^T[F, M] * x[tap][M, C].
    int64_t rows = n * oh * ow;
    Type ft = xType.getElementType();
    auto matrix = [&](int64_t r, int64_t c2) {
      return RankedTensorType::get({r, c2}, ft);
    };
    SmallVector<ReassociationIndices> toRows = {{0, 1, 2}, {3}};
    Value dyRows =
        tensor::CollapseShapeOp::create(b, loc, matrix(rows, f), dy, toRows);
    auto matmul = [&](Value lhs, Value rhs, RankedTensorType type) {
      return linalg::MatmulOp::create(b, loc, TypeRange{type},
                                      ValueRange{lhs, rhs},
                                      ValueRange{zeroTensor(b, loc, type)})
          .getResult(0);
    };
    auto ones = [&](unsigned rank) {
      return SmallVector<OpFoldResult>(rank, b.getIndexAttr(1));
    };
    Value dyT;
    Value dw = needed[1] ? zeroTensor(b, loc, wType) : Value();
    if (needed[1])
      dyT = linalg::TransposeOp::create(
                b, loc, dyRows,
                tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{f, rows}, ft),
                ArrayRef<int64_t>{1, 0})
                .getResult()[0];
    Value dx = needed[0] ? zeroTensor(b, loc, xType) : Value();
    auto tapShape = SmallVector<int64_t>{n, oh, ow, c};
    for (int64_t kh = 0; kh < win.kernelH; ++kh)
      for (int64_t kw = 0; kw < win.kernelW; ++kw) {
        SmallVector<OpFoldResult> filterOffsets =
            staticSizes(b, {0, kh, kw, 0});
        SmallVector<OpFoldResult> filterSizes = staticSizes(b, {f, 1, 1, c});
        if (needed[0]) {
          Value filterTap = tensor::ExtractSliceOp::create(
              b, loc, matrix(f, c), w, filterOffsets, filterSizes, ones(4));
          Value rowsOut = matmul(dyRows, filterTap, matrix(rows, c));
          Value contribution = tensor::ExpandShapeOp::create(
              b, loc, RankedTensorType::get(tapShape, ft), rowsOut, toRows);
          dx = addIntoTap(b, loc, dx, contribution, win, kh, kw);
        }
        if (needed[1]) {
          Value tap = readTap(b, loc, x, win, kh, kw, tapShape);
          Value tapRows = tensor::CollapseShapeOp::create(
              b, loc, matrix(rows, c), tap, toRows);
          Value dwTap = matmul(dyT, tapRows, matrix(f, c));
          dw = tensor::InsertSliceOp::create(b, loc, dwTap, dw, filterOffsets,
                                             filterSizes, ones(4));
        }
      }
    if (needed[0])
      adjoints[0] = dx;
    if (needed[1])
      adjoints[1] = dw;
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
                         Value, Value dy, const Window &win, RankedTensorType,
                         Value &dx) {
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
    Value found = linalg::FillOp::create(b, loc, noneYet, noFlags).getResult(0);
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
              linalg::YieldOp::create(nb, l,
                                      ValueRange{contribution, nowFound});
            });
        dx = addIntoTap(b, loc, dx, generic.getResult(0), win, kh, kw);
        found = generic.getResult(1);
      }
  }
};

} // namespace

void bnn::registerConvolutionGradientExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    linalg::Conv2DNhwcFhwcOp::attachInterface<Conv2DNhwcFhwcGradient>(*ctx);
    linalg::PoolingNhwcSumOp::attachInterface<PoolingSumGradient>(*ctx);
    linalg::PoolingNhwcMaxOp::attachInterface<PoolingMaxGradient>(*ctx);
  });
}
