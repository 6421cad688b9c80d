//===- JIT.cpp - Compile a model in process and call it ------------------===//

#include "bnn/JIT/JIT.h"
#include "bnn/Pipelines/ModelCompiler.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::bnn;

static std::string packedName(llvm::StringRef function) {
  return ("__bnn_packed_" + function).str();
}

/// `void __bnn_packed_NAME(ptr %args)`: loads args[i] and calls NAME.
static llvm::Error addPackedEntryPoint(llvm::Module &module,
                                       llvm::StringRef name) {
  llvm::Function *callee = module.getFunction(name);
  if (!callee || callee->isDeclaration())
    return llvm::createStringError("the compiled model defines no function '" +
                                   name + "'");
  llvm::LLVMContext &context = module.getContext();
  auto *ptrType = llvm::PointerType::getUnqual(context);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(context),
                                       {ptrType}, /*isVarArg=*/false);
  auto *wrapper = llvm::Function::Create(
      type, llvm::GlobalValue::ExternalLinkage, packedName(name), module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", wrapper));
  llvm::SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < callee->arg_size(); ++i) {
    llvm::Value *slot =
        b.CreateConstInBoundsGEP1_64(ptrType, wrapper->getArg(0), i);
    args.push_back(b.CreateLoad(ptrType, slot));
  }
  b.CreateCall(callee, args);
  b.CreateRetVoid();
  return llvm::Error::success();
}

CompiledModel::~CompiledModel() = default;

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::compile(ModuleOp module, llvm::ArrayRef<std::string> functions) {
  constexpr unsigned optLevel = 2;
  llvm::Expected<ModelCompiler> compiler =
      ModelCompiler::create("host", "", "", optLevel);
  if (!compiler)
    return compiler.takeError();
  InferencePipelineOptions options;
  compiler->setTargetOptions(options);
  if (failed(compiler->runPipeline(module, options)))
    return llvm::createStringError(
        "the inference pipeline failed (diagnostics above)");

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      compiler->translate(module, llvmContext);
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");
  compiler->optimize(*llvmModule);
  // After the optimizer, which would otherwise inline the model into the
  // entry point and compile it twice.
  for (const std::string &name : functions)
    if (llvm::Error err = addPackedEntryPoint(*llvmModule, name))
      return std::move(err);
  llvm::SmallString<0> object;
  llvm::raw_svector_ostream os(object);
  if (llvm::Error err =
          compiler->emit(*llvmModule, llvm::CodeGenFileType::ObjectFile, os))
    return std::move(err);

  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return jit.takeError();
  // malloc, free, memcpy and libm come from this process.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process)
    return process.takeError();
  (*jit)->getMainJITDylib().addGenerator(std::move(*process));
  if (llvm::Error err = (*jit)->addObjectFile(
          llvm::MemoryBuffer::getMemBufferCopy(object.str(), "model.o")))
    return std::move(err);
  std::unique_ptr<CompiledModel> compiled(new CompiledModel());
  compiled->jit = std::move(*jit);
  return compiled;
}

llvm::Expected<PackedFunction> CompiledModel::lookup(llvm::StringRef function) {
  llvm::Expected<llvm::orc::ExecutorAddr> address =
      jit->lookup(packedName(function));
  if (!address)
    return address.takeError();
  return address->toPtr<PackedFunction>();
}
