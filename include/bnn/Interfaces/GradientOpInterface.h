//===- GradientOpInterface.h - Reverse-mode rules of ops --------*- C++ -*-===//

#ifndef BNN_INTERFACES_GRADIENTOPINTERFACE_H
#define BNN_INTERFACES_GRADIENTOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OpDefinition.h"

#include "bnn/Interfaces/GradientOpInterface.h.inc"

namespace mlir::bnn {

/// Attaches the gradient rules of the upstream ops (linalg, tensor) as
/// external models.
void registerGradientOpInterfaceExternalModels(DialectRegistry &registry);

/// The tensor dialect's part of it (TensorGradients.cpp).
void registerTensorGradientExternalModels(DialectRegistry &registry);

/// a + b for two tensors of one type, as a linalg.generic; either may be
/// null (the other is returned).
Value addTensors(OpBuilder &b, Location loc, Value lhs, Value rhs);

/// A zero-filled tensor of `type`.
Value zeroTensor(OpBuilder &b, Location loc, RankedTensorType type);

} // namespace mlir::bnn

#endif // BNN_INTERFACES_GRADIENTOPINTERFACE_H
