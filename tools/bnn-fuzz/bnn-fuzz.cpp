//===- bnn-fuzz.cpp - libFuzzer target: bytes through the whole compiler ===//
//
// Each input is parsed as MLIR, verified, and compiled by the inference
// pipeline for x86-64 down to LLVM IR, as bnn-compile does. Any outcome is
// fine except a crash, a sanitizer report, a hang or a runaway allocation:
// libFuzzer reports those. Diagnostics are swallowed.
//
//   bnn-fuzz CORPUS_DIR -dict=test/fuzz/bnn.dict     (docs/Testing.md)
//
//===----------------------------------------------------------------------===//

#include "bnn/Import/ONNXImporter.h"
#include "bnn/InitBNN.h"
#include "bnn/Pipelines/InputLimits.h"
#include "bnn/Pipelines/ModelCompiler.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mlir;

namespace {
struct FuzzState {
  DialectRegistry registry;
  std::optional<bnn::ModelCompiler> compiler;
};

FuzzState &getState() {
  static FuzzState *state = [] {
    auto *state = new FuzzState();
    bnn::registerBNNDialects(state->registry);
    llvm::Expected<bnn::ModelCompiler> compiler =
        bnn::ModelCompiler::create("x86_64-linux-gnu", "generic", "", 2);
    if (!compiler) {
      llvm::errs() << "bnn-fuzz: " << llvm::toString(compiler.takeError())
                   << "\n";
      std::abort();
    }
    state->compiler.emplace(std::move(*compiler));
    return state;
  }();
  return *state;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzState &state = getState();
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);
  // As bnn-compile does: bytes that look like an ONNX model go through the
  // importer; MLIR text nested deeper than the limit is refused unparsed.
  bool isONNX = bnn::looksLikeONNXModel(source);
  if (!isONNX && bnn::checkNestingDepth(source))
    return 0;

  // A fresh context per input: nothing one input interns or registers can
  // change how the next one compiles.
  MLIRContext context(state.registry, MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler([](Diagnostic &) {});
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, "fuzz-input"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      isONNX ? bnn::importONNXModel(source, "fuzz-input", &context,
                                    bnn::ONNXImportOptions())
             : parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module || failed(verify(*module)))
    return 0;

  bnn::InferencePipelineOptions options;
  state.compiler->setTargetOptions(options);
  if (failed(state.compiler->runPipeline(*module, options)))
    return 0;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      state.compiler->translate(*module, llvmContext);
  (void)llvmModule;
  return 0;
}
