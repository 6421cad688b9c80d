//===- BNNOps.h - bnn operations and attributes -----------------*- C++ -*-===//

#ifndef BNN_DIALECT_BNN_BNNOPS_H
#define BNN_DIALECT_BNN_BNNOPS_H

#include "bnn/Dialect/BNN/BNNDialect.h"

#include <limits>

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "bnn/Interfaces/GradientOpInterface.h"

#include "bnn/Dialect/BNN/BNNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "bnn/Dialect/BNN/BNNAttrs.h.inc"

namespace mlir::bnn::OpTrait {
/// Verifies an op by running its type inference with a location, so that the
/// inference's precise diagnostics are the op's verifier messages.
template <typename ConcreteType>
class VerifiedByInference
    : public mlir::OpTrait::TraitBase<ConcreteType, VerifiedByInference> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    SmallVector<Type> inferred;
    if (failed(ConcreteType::inferReturnTypes(
            op->getContext(), op->getLoc(),
            typename ConcreteType::Adaptor(cast<ConcreteType>(op)), inferred)))
      return failure();
    if (TypeRange(inferred) != op->getResultTypes())
      return op->emitOpError("expected result type ")
             << inferred.front()
             << " (computed from operands and attributes), got "
             << op->getResultTypes().front();
    return success();
  }
};
} // namespace mlir::bnn::OpTrait

#define GET_OP_CLASSES
#include "bnn/Dialect/BNN/BNNOps.h.inc"

namespace mlir::bnn {

/// Word width in bits of a packed element type (i32 -> 32, i64 -> 64), or 0
/// for any other type.
unsigned getWordBits(Type elementType);

/// The largest value of a size, stride, dilation or padding attribute of the
/// packed ops (their verifiers check it), so that output-size arithmetic
/// cannot overflow int64. Passes that build packed ops check it first.
constexpr int64_t kMaxAttrValue = std::numeric_limits<int32_t>::max();

/// True when every value lies in [minValue, kMaxAttrValue].
inline bool isInAttrRange(ArrayRef<int64_t> values, int64_t minValue) {
  return llvm::all_of(
      values, [&](int64_t v) { return v >= minValue && v <= kMaxAttrValue; });
}

/// Folders and compile-time passes materialize constants of at most this
/// many elements (64 MiB of f32); larger ones are left as they are. A splat
/// folds to a splat whatever its size.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

/// The number of elements of a static shape; nullopt when a dimension is
/// dynamic or the product overflows int64.
std::optional<int64_t> getStaticNumElements(ShapedType type);

/// True when `attr` is a dense constant of at most kMaxFoldedElements
/// elements: one that folders may expand element by element.
bool isFoldableSize(Attribute attr);

/// Number of positions of a window of `kernel` taps spaced `dilation` apart,
/// moved by `stride` over an axis of `size` elements padded by `padBefore`
/// and `padAfter`: (size + pads - dilation * (kernel - 1) - 1) / stride + 1.
/// nullopt when no window fits, an argument is out of range (size < 0,
/// kernel, stride or dilation < 1, padding < 0) or the arithmetic overflows.
std::optional<int64_t> getWindowOutputSize(int64_t size, int64_t kernel,
                                           int64_t stride, int64_t dilation,
                                           int64_t padBefore, int64_t padAfter);

} // namespace mlir::bnn

#endif // BNN_DIALECT_BNN_BNNOPS_H
