//===- BNNDialect.h - The bnn dialect ---------------------------*- C++ -*-===//

#ifndef BNN_DIALECT_BNN_BNNDIALECT_H
#define BNN_DIALECT_BNN_BNNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "bnn/Dialect/BNN/BNNOpsDialect.h.inc"

#endif // BNN_DIALECT_BNN_BNNDIALECT_H
