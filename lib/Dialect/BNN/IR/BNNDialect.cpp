//===- BNNDialect.cpp - The bnn dialect ---------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::bnn;

#include "bnn/Dialect/BNN/BNNEnums.cpp.inc"
#include "bnn/Dialect/BNN/BNNOpsDialect.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "bnn/Dialect/BNN/BNNAttrs.cpp.inc"

namespace {
/// Every bnn op is a pure function of its operands and attributes: a call
/// to a function of bnn ops inlines like one of arith ops, so that layers
/// in called functions are binarized (and counted) per call.
struct BNNInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void BNNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "bnn/Dialect/BNN/BNNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "bnn/Dialect/BNN/BNNOps.cpp.inc"
      >();
  addInterfaces<BNNInlinerInterface>();
}

/// Folders produce DenseElementsAttr values; they become arith.constant.
Operation *BNNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
