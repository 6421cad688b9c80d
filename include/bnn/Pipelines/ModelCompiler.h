//===- ModelCompiler.h - A model module to machine code ---------*- C++ -*-===//
//
// The compile path bnn-compile and the training tool's JIT share: resolve a
// target, run the inference pipeline on a module, translate the result to
// LLVM IR, optimize it and emit machine code. Each tool adds its own ends
// (files and a header; an in-memory object linked by ORC).
//
//===----------------------------------------------------------------------===//

#ifndef BNN_PIPELINES_MODELCOMPILER_H
#define BNN_PIPELINES_MODELCOMPILER_H

#include "bnn/Pipelines/Pipelines.h"
#include "bnn/Target/TargetMachine.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace mlir::bnn {

class ModelCompiler {
public:
  /// A compiler for `triple` ("host" for this machine), `cpu` and
  /// `features` at LLVM optimization level `optLevel` (0 to 3); fails on an
  /// unknown or unsupported target.
  static llvm::Expected<ModelCompiler> create(llvm::StringRef triple,
                                              llvm::StringRef cpu,
                                              llvm::StringRef features,
                                              unsigned optLevel);

  const TargetDescription &getTarget() const { return target; }
  llvm::TargetMachine &getTargetMachine() const { return *machine; }

  /// Sets the target options of `options` (triple, cpu, features) to this
  /// compiler's target.
  void setTargetOptions(InferencePipelineOptions &options) const;

  /// Runs the inference pipeline with `options` on `module` (on tensors, as
  /// parsed) down to the LLVM dialect. `configure` may set up the pass
  /// manager (instrumentation, timing) before it runs. Diagnostics go to
  /// the module's context.
  LogicalResult
  runPipeline(ModuleOp module, const InferencePipelineOptions &options,
              function_ref<LogicalResult(PassManager &)> configure = {}) const;

  /// Translates a module the pipeline has lowered to LLVM IR; null with a
  /// diagnostic on the op that does not translate.
  std::unique_ptr<llvm::Module> translate(ModuleOp module,
                                          llvm::LLVMContext &context) const;

  /// Runs LLVM's optimization pipeline at this compiler's level.
  void optimize(llvm::Module &module) const;

  /// Emits an object file or assembly of `module`.
  llvm::Error emit(llvm::Module &module, llvm::CodeGenFileType fileType,
                   llvm::raw_ostream &os) const;

private:
  ModelCompiler() = default;

  TargetDescription target;
  std::shared_ptr<llvm::TargetMachine> machine;
  unsigned optLevel = 2;
};

} // namespace mlir::bnn

#endif // BNN_PIPELINES_MODELCOMPILER_H
