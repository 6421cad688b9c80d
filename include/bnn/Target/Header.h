//===- Header.h - C header of a compiled model ------------------*- C++ -*-===//
//
// The C declarations of the compiled-model ABI (docs/ABI.md): for each
// public func.func on static tensors, `void NAME(const T *in0, ..., T *out0,
// ...)` with each argument's shape and element type in a comment.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TARGET_HEADER_H
#define BNN_TARGET_HEADER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::bnn {

/// Writes the C header declaring every public, defined func.func of `module`
/// (which must still be on tensors, i.e. before the inference pipeline).
/// `guard` is the include-guard macro. Fails with a diagnostic on the function
/// when a signature has no C mapping (not a ranked static tensor of f32, i32
/// or i64, or a name that is not a C identifier); nothing is written then.
LogicalResult emitCHeader(ModuleOp module, llvm::StringRef guard,
                          llvm::raw_ostream &os);

/// An include-guard macro derived from a header's file name:
/// `out/m.h` -> `M_H`; `BNN_MODEL_H` for stdout (`-`).
std::string getHeaderGuard(llvm::StringRef headerPath);

} // namespace mlir::bnn

#endif // BNN_TARGET_HEADER_H
