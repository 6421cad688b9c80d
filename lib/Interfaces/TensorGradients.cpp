//===- TensorGradients.cpp - Gradient rules of tensor ops -----------------===//
//
// Reshapes, slices and padding move values without arithmetic: their
// adjoints move the result's adjoint back (the reverse reshape, the slice
// of the adjoint, the adjoint inserted into zeros).
//
//===----------------------------------------------------------------------===//

#include "bnn/Interfaces/GradientOpInterface.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// The adjoint of the one tensor operand that needs it, from `build`.
template <typename Concrete, typename OpTy>
struct DataMovementGradient
    : public GradientOpInterface::ExternalModel<Concrete, OpTy> {
  LogicalResult buildOperandAdjoints(Operation *operation, OpBuilder &b,
                                     ValueRange resultAdjoints,
                                     ArrayRef<bool> neededOperands,
                                     SmallVectorImpl<Value> &adjoints) const {
    auto op = cast<OpTy>(operation);
    adjoints.assign(operation->getNumOperands(), Value());
    Value dy = resultAdjoints[0];
    if (!dy)
      return success();
    for (Type type : operation->getOperandTypes())
      if (auto shaped = dyn_cast<RankedTensorType>(type);
          shaped && !shaped.hasStaticShape())
        return op->emitError("cannot differentiate '")
               << op->getName() << "': dynamic shapes";
    return Concrete::build(op, b, dy, neededOperands, adjoints);
  }
};

struct CollapseShapeGradient
    : public DataMovementGradient<CollapseShapeGradient,
                                  tensor::CollapseShapeOp> {
  static LogicalResult build(tensor::CollapseShapeOp op, OpBuilder &b, Value dy,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &adjoints) {
    if (needed[0])
      adjoints[0] = tensor::ExpandShapeOp::create(
          b, op.getLoc(), op.getSrcType(), dy, op.getReassociationIndices());
    return success();
  }
};

struct ExpandShapeGradient
    : public DataMovementGradient<ExpandShapeGradient, tensor::ExpandShapeOp> {
  static LogicalResult build(tensor::ExpandShapeOp op, OpBuilder &b, Value dy,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &adjoints) {
    if (needed[0])
      adjoints[0] = tensor::CollapseShapeOp::create(
          b, op.getLoc(), op.getSrcType(), dy, op.getReassociationIndices());
    return success();
  }
};

struct ExtractSliceGradient
    : public DataMovementGradient<ExtractSliceGradient,
                                  tensor::ExtractSliceOp> {
  static LogicalResult build(tensor::ExtractSliceOp op, OpBuilder &b, Value dy,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &adjoints) {
    if (!needed[0])
      return success();
    if (op.getType().getRank() != op.getSourceType().getRank())
      return op->emitError("cannot differentiate a rank-reducing '")
             << op->getName() << "'";
    // Elements outside the slice get no gradient.
    adjoints[0] = tensor::InsertSliceOp::create(
        b, op.getLoc(), dy, zeroTensor(b, op.getLoc(), op.getSourceType()),
        op.getMixedOffsets(), op.getMixedSizes(), op.getMixedStrides());
    return success();
  }
};

struct InsertSliceGradient
    : public DataMovementGradient<InsertSliceGradient, tensor::InsertSliceOp> {
  static LogicalResult build(tensor::InsertSliceOp op, OpBuilder &b, Value dy,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &adjoints) {
    Location loc = op.getLoc();
    if (op.getSourceType().getRank() != op.getType().getRank())
      return op->emitError("cannot differentiate a rank-expanding '")
             << op->getName() << "'";
    // The source: the slice of dy it was written to; the destination: dy
    // with that slice (overwritten) zeroed.
    if (needed[0])
      adjoints[0] = tensor::ExtractSliceOp::create(
          b, loc, op.getSourceType(), dy, op.getMixedOffsets(),
          op.getMixedSizes(), op.getMixedStrides());
    if (needed[1])
      adjoints[1] = tensor::InsertSliceOp::create(
          b, loc, zeroTensor(b, loc, op.getSourceType()), dy,
          op.getMixedOffsets(), op.getMixedSizes(), op.getMixedStrides());
    return success();
  }
};

struct PadGradient : public DataMovementGradient<PadGradient, tensor::PadOp> {
  static LogicalResult build(tensor::PadOp op, OpBuilder &b, Value dy,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &adjoints) {
    // The padding value is a constant of the body (a varied one would need
    // the sum of dy over the border: not supported).
    if (!op.getConstantPaddingValue())
      return op->emitError("cannot differentiate '")
             << op->getName() << "': the padding value is not a constant";
    if (!needed[0])
      return success();
    RankedTensorType sourceType = op.getSourceType();
    SmallVector<OpFoldResult> sizes,
        strides(sourceType.getRank(), b.getIndexAttr(1));
    for (int64_t d : sourceType.getShape())
      sizes.push_back(b.getIndexAttr(d));
    adjoints[0] = tensor::ExtractSliceOp::create(
        b, op.getLoc(), sourceType, dy, op.getMixedLowPad(), sizes, strides);
    return success();
  }
};

} // namespace

void bnn::registerTensorGradientExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::CollapseShapeOp::attachInterface<CollapseShapeGradient>(*ctx);
    tensor::ExpandShapeOp::attachInterface<ExpandShapeGradient>(*ctx);
    tensor::ExtractSliceOp::attachInterface<ExtractSliceGradient>(*ctx);
    tensor::InsertSliceOp::attachInterface<InsertSliceGradient>(*ctx);
    tensor::PadOp::attachInterface<PadGradient>(*ctx);
  });
}
