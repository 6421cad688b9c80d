//===- ABI.h - The compiled-model C ABI of a function -----------*- C++ -*-===//
//
// docs/ABI.md in code, in one place: which functions a compiled model
// exports, and the C parameter of each argument and result. bnn-prepare-abi
// checks a model against it before the pipeline rewrites the signatures;
// the header writer prints it.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TARGET_ABI_H
#define BNN_TARGET_ABI_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::bnn {

/// One pointer parameter of an exported function.
struct ABIParameter {
  /// in0, in1, ... for arguments; out0, ... for results.
  std::string name;
  /// float, int32_t, uint64_t, ...
  StringRef cType;
  /// Inputs are `const T *`, never written.
  bool isInput;
  RankedTensorType type;
};

/// True for the functions a compiled model exports: public and defined.
bool isExported(func::FuncOp func);

/// The C parameters of an exported function: each argument and result must
/// be a ranked tensor with a static shape of f32, i32 or i64. Otherwise
/// emits an error on `func` naming the first offending argument or result
/// and fails.
FailureOr<SmallVector<ABIParameter>> getABISignature(func::FuncOp func);

/// Checks the functions of `module` against what a compiled model may
/// contain besides its signatures (docs/ABI.md): no function may take a
/// name the compiled code itself needs from libc or defines (malloc, free,
/// memcpy, ..., and the reserved prefixes __bnn_ and _mlir_), and a
/// function that is only declared may be called on scalars only (libm's
/// expf, say): a declared function on tensors has no buffer ABI to link
/// against. Emits an error on each offending function or call.
LogicalResult checkModuleFunctions(ModuleOp module);

} // namespace mlir::bnn

#endif // BNN_TARGET_ABI_H
