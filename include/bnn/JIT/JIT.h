//===- JIT.h - Compile a model in process and call it -----------*- C++ -*-===//
//
// The training tool compiles its step functions with the same pipeline and
// code generator as bnn-compile, into an object in memory, and links that
// object into the running process with ORC. Each requested function also
// gets a packed entry point, `void NAME(void **pointers)` with the buffer
// pointers of the C ABI (docs/ABI.md) in order, so that a caller can pass
// any number of buffers through one C++ signature.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_JIT_JIT_H
#define BNN_JIT_JIT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace mlir::bnn {

/// A function of the compiled model: `call(pointers)` passes the inputs' and
/// results' buffers in ABI order.
using PackedFunction = void (*)(void **pointers);

class CompiledModel {
public:
  ~CompiledModel();
  CompiledModel(CompiledModel &&) = delete;

  /// Runs the inference pipeline (binarize, tile, buffer cache on) on
  /// `module` for this machine, emits an object in memory and links it.
  /// `functions` are the public functions that get a packed entry point.
  /// Errors are reported on `module`'s context (diagnostics) or returned.
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  compile(ModuleOp module, llvm::ArrayRef<std::string> functions);

  /// The packed entry point of `function` (one of those given to compile).
  llvm::Expected<PackedFunction> lookup(llvm::StringRef function);

private:
  CompiledModel() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

} // namespace mlir::bnn

#endif // BNN_JIT_JIT_H
