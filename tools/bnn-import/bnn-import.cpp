//===- bnn-import.cpp - ONNX models to bnn Level 1 MLIR ------------------===//
//
// bnn-import model.onnx [-o model.mlir] [--function-name=NAME]
//            [--exact-onnx-sign]
//
// Reads an ONNX model (opsets 11 to 17) and writes the MLIR module that
// bnn-opt and bnn-compile take (docs/ONNX.md). Every failure is one
// `error:` line naming the node, and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "bnn/Import/ONNXImporter.h"
#include "bnn/InitBNN.h"
#include "bnn/Pipelines/CrashBoundary.h"
#include "bnn/Version.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory importCategory("bnn-import options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input .onnx>"),
                                          cl::Required,
                                          cl::cat(importCategory));

static cl::opt<std::string> outputFilename("o",
                                           cl::desc("Output file (default: "
                                                    "stdout)"),
                                           cl::value_desc("file"),
                                           cl::init("-"),
                                           cl::cat(importCategory));

static cl::opt<std::string> functionName(
    "function-name",
    cl::desc("Name of the imported function (default: the graph's name as "
             "an identifier, or main); the compiled object exports it"),
    cl::value_desc("name"), cl::cat(importCategory));

static cl::opt<bool> exactSign(
    "exact-onnx-sign",
    cl::desc("Keep ONNX's Sign (0 at 0) as float selects instead of "
             "bnn.sign (+1 at 0); the layers it feeds then stay float"),
    cl::init(false), cl::cat(importCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "bnn-import") << message << "\n";
  return 1;
}

static int importModel() {
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input)
    return fail(errorMessage);

  DialectRegistry registry;
  bnn::registerBNNDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  bnn::ONNXDiagnosticHandler diagnostics(&context, llvm::errs());

  bnn::ONNXImportOptions options;
  options.functionName = functionName;
  options.exactSign = exactSign;
  OwningOpRef<ModuleOp> module = bnn::importONNXModel(
      input->getBuffer(), inputFilename, &context, options);
  if (!module)
    return 1;
  if (failed(verify(*module)))
    return fail("internal error: the imported module does not verify; "
                "please report this with the model");

  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &errorMessage);
  if (!output)
    return fail(errorMessage);
  OpPrintingFlags flags;
  module->print(output->os(), flags.enableDebugInfo());
  output->os().flush();
  if (output->os().has_error()) {
    output->os().clear_error();
    return fail("cannot write '" + outputFilename + "'");
  }
  output->keep();
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&importCategory});
  cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "bnn-mlir version " << BNN_MLIR_VERSION << "\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "bnn-mlir ONNX importer: an ONNX model to the Level 1 MLIR that "
      "bnn-opt and bnn-compile take (docs/ONNX.md)\n");
  return bnn::runInsideCrashBoundary("bnn-import", inputFilename,
                                     [] { return importModel(); });
}
