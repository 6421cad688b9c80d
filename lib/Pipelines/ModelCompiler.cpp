//===- ModelCompiler.cpp - A model module to machine code ---------------===//

#include "bnn/Pipelines/ModelCompiler.h"

#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::bnn;

llvm::Expected<ModelCompiler> ModelCompiler::create(llvm::StringRef triple,
                                                    llvm::StringRef cpu,
                                                    llvm::StringRef features,
                                                    unsigned optLevel) {
  initializeTargets();
  llvm::Expected<TargetDescription> target =
      resolveTarget(triple, cpu, features);
  if (!target)
    return target.takeError();
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(*target, optLevel);
  if (!machine)
    return machine.takeError();
  ModelCompiler compiler;
  compiler.target = std::move(*target);
  compiler.machine = std::move(*machine);
  compiler.optLevel = optLevel;
  return compiler;
}

void ModelCompiler::setTargetOptions(InferencePipelineOptions &options) const {
  options.targetTriple = target.triple;
  options.cpu = target.cpu;
  options.features = target.features;
}

LogicalResult ModelCompiler::runPipeline(
    ModuleOp module, const InferencePipelineOptions &options,
    function_ref<LogicalResult(PassManager &)> configure) const {
  // Anchored on the module so that a reproducer reads builtin.module(...).
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  buildInferencePipeline(pm, options);
  if (configure && failed(configure(pm)))
    return failure();
  return pm.run(module);
}

std::unique_ptr<llvm::Module>
ModelCompiler::translate(ModuleOp module, llvm::LLVMContext &context) const {
  return translateToLLVMIR(module, context, *machine);
}

void ModelCompiler::optimize(llvm::Module &module) const {
  optimizeModule(module, *machine, optLevel);
}

llvm::Error ModelCompiler::emit(llvm::Module &module,
                                llvm::CodeGenFileType fileType,
                                llvm::raw_ostream &os) const {
  return emitMachineCode(module, *machine, fileType, os);
}
