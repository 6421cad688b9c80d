//===- BNNOps.h - bnn operations and attributes -----------------*- C++ -*-===//

#ifndef BNN_DIALECT_BNN_BNNOPS_H
#define BNN_DIALECT_BNN_BNNOPS_H

#include "bnn/Dialect/BNN/BNNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "bnn/Dialect/BNN/BNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "bnn/Dialect/BNN/BNNAttrs.h.inc"

#define GET_OP_CLASSES
#include "bnn/Dialect/BNN/BNNOps.h.inc"

namespace mlir::bnn {

/// Word width in bits of a packed element type (i32 -> 32, i64 -> 64), or 0
/// for any other type.
unsigned getWordBits(Type elementType);

} // namespace mlir::bnn

#endif // BNN_DIALECT_BNN_BNNOPS_H
