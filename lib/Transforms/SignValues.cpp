//===- SignValues.cpp - Recognizing tensors of +-1 values ---------------===//

#include "bnn/Transforms/SignValues.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

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

bool bnn::isSignValued(Value value) {
  Operation *op = value.getDefiningOp();
  if (isa_and_nonnull<SignOp>(op))
    return true;
  if (auto reshape = dyn_cast_or_null<tensor::CollapseShapeOp>(op))
    return isSignValued(reshape.getSrc());
  if (auto reshape = dyn_cast_or_null<tensor::ExpandShapeOp>(op))
    return isSignValued(reshape.getSrc());
  if (auto pool = dyn_cast_or_null<linalg::PoolingNhwcMaxOp>(op)) {
    auto fill = pool.getOutputs()[0].getDefiningOp<linalg::FillOp>();
    if (!fill || !isAtMostMinusOne(fill.getInputs()[0]))
      return false;
    Value input = pool.getInputs()[0];
    if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
      Value padValue = pad.getConstantPaddingValue();
      if (!padValue || !isAtMostMinusOne(padValue))
        return false;
      input = pad.getSource();
    }
    return isSignValued(input);
  }
  return false;
}
