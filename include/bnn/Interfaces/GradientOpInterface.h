//===- GradientOpInterface.h - Reverse-mode rules of ops --------*- C++ -*-===//

#ifndef BNN_INTERFACES_GRADIENTOPINTERFACE_H
#define BNN_INTERFACES_GRADIENTOPINTERFACE_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
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

/// Convolutions and pooling (ConvolutionGradients.cpp).
void registerConvolutionGradientExternalModels(DialectRegistry &registry);

/// a + b for two tensors of one type, as a linalg.generic; either may be
/// null (the other is returned).
Value addTensors(OpBuilder &b, Location loc, Value lhs, Value rhs);

/// The float constant `value` of float type `type`.
Value floatConstant(OpBuilder &b, Location loc, Type type, double value);

/// A zero-filled tensor of `type`.
Value zeroTensor(OpBuilder &b, Location loc, RankedTensorType type);

/// A tensor of `shape` and float `elementType` filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType, double value);

/// One linalg.generic with one result (of `init`'s type) whose body yields
/// what `body` builds from the block arguments.
Value buildGeneric(OpBuilder &b, Location loc, Value init, ValueRange inputs,
                   ArrayRef<AffineMap> maps,
                   ArrayRef<utils::IteratorType> iterators,
                   function_ref<Value(OpBuilder &, Location, ValueRange)> body);

} // namespace mlir::bnn

#endif // BNN_INTERFACES_GRADIENTOPINTERFACE_H
