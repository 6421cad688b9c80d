//===- BNNDialect.cpp - The bnn dialect ---------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::bnn;

#include "bnn/Dialect/BNN/BNNEnums.cpp.inc"
#include "bnn/Dialect/BNN/BNNOpsDialect.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "bnn/Dialect/BNN/BNNAttrs.cpp.inc"

void BNNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "bnn/Dialect/BNN/BNNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "bnn/Dialect/BNN/BNNOps.cpp.inc"
      >();
}

/// Folders produce DenseElementsAttr values; they become arith.constant.
Operation *BNNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
