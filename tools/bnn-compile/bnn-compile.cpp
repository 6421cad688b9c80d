//===- bnn-compile.cpp - Compile a model to an object file --------------===//
//
// bnn-compile in.mlir --target=<triple> [--mcpu= --mattr= -O2]
//             --emit=obj|asm|llvm|mlir -o out [--header out.h]
//
// Parses the model, runs the inference pipeline to the LLVM dialect,
// translates to LLVM IR and emits code in process (lib/Target). Every
// failure is one `error:` line (or the diagnostics of the IR at fault) and
// exit code 1; a failure inside the pipeline also prints the bnn-opt command
// that reproduces it.
//
//===----------------------------------------------------------------------===//

#include "bnn/Import/ONNXImporter.h"
#include "bnn/InitBNN.h"
#include "bnn/Pipelines/CrashBoundary.h"
#include "bnn/Pipelines/InputLimits.h"
#include "bnn/Pipelines/ModelCompiler.h"
#include "bnn/Target/ABI.h"
#include "bnn/Target/Header.h"
#include "bnn/Target/TargetMachine.h"
#include "bnn/Version.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <optional>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory compileCategory("bnn-compile options");
static cl::OptionCategory mlirCategory(
    "MLIR debugging options",
    "The upstream --mlir-* flags: IR printing, timing, crash reproducers");

static cl::opt<std::string>
    inputFilename(cl::Positional,
                  cl::desc("<input .mlir or .onnx, - for stdin>"),
                  cl::init("-"), cl::cat(compileCategory));

static cl::opt<std::string>
    outputFilename("o", cl::desc("Output file (- for stdout)"),
                   cl::value_desc("file"), cl::cat(compileCategory));

static cl::opt<std::string>
    targetTriple("target",
                 cl::desc("Target triple: x86_64-linux-gnu, aarch64-linux-gnu "
                          "or host (the default)"),
                 cl::value_desc("triple"), cl::init("host"),
                 cl::cat(compileCategory));

static cl::opt<std::string>
    targetCPU("mcpu",
              cl::desc("Target CPU, as for llc, or host (default: generic, "
                       "host with --target=host)"),
              cl::value_desc("cpu"), cl::cat(compileCategory));

static cl::opt<std::string>
    targetFeatures("mattr",
                   cl::desc("Target features, as for llc: +feature,-feature"),
                   cl::value_desc("features"), cl::cat(compileCategory));

// A string rather than llc's `char` so that -O22 is an error, not -O2.
static cl::opt<std::string>
    optLevelFlag("O",
                 cl::desc("Optimization level: -O0, -O1, -O2 (default), "
                          "-O3"),
                 cl::value_desc("level"), cl::Prefix, cl::init("2"),
                 cl::cat(compileCategory));

// A string rather than cl::values so that a bad value gets our one-line
// `error:` rather than the option parser's message.
static cl::opt<std::string>
    emitKind("emit",
             cl::desc("What to write: obj (default), asm, llvm (LLVM IR) or "
                      "mlir (the LLVM-dialect module after the pipeline)"),
             cl::value_desc("kind"), cl::init("obj"), cl::cat(compileCategory));

static cl::opt<std::string>
    headerFilename("header",
                   cl::desc("Also write the model's C header to this file"),
                   cl::value_desc("file"), cl::cat(compileCategory));

static cl::opt<bool>
    showRemarks("remarks",
                cl::desc("Print the compiler's remarks: why a layer on signs "
                         "stayed float, why a batch norm was not fused"),
                cl::init(false), cl::cat(compileCategory));

static cl::opt<bool> noBNNPasses(
    "no-bnn-passes",
    cl::desc("Compile the model as written: skip bnn-fold-transforms, "
             "bnn-binarize, bnn-fuse-threshold and bnn-pack-weights"),
    cl::init(false), cl::cat(compileCategory));

static cl::opt<bool>
    noTile("no-tile",
           cl::desc("Keep every packed kernel one scalar loop nest: no blocked "
                    "layout, no bnn-tile register tiles (for comparisons)"),
           cl::init(false), cl::cat(compileCategory));

static cl::opt<bool> noBufferCache(
    "no-buffer-cache",
    cl::desc("Malloc and free the model's temporaries on every call instead "
             "of keeping them for the next call (docs/ABI.md)"),
    cl::init(false), cl::cat(compileCategory));

// Optional value: a bare --summary means text.
static cl::opt<bnn::SummaryFormat> summaryFlag(
    "summary",
    cl::desc("Print a model summary after the compile-time bnn passes: "
             "text (the default) or json"),
    cl::ValueOptional, cl::init(bnn::SummaryFormat::None),
    cl::values(clEnumValN(bnn::SummaryFormat::Text, "", "a text table"),
               clEnumValN(bnn::SummaryFormat::Text, "text", "a text table"),
               clEnumValN(bnn::SummaryFormat::Json, "json", "JSON")),
    cl::cat(compileCategory));

static cl::opt<std::string>
    summaryOutput("summary-output",
                  cl::desc("File for --summary (- for stderr, the default)"),
                  cl::value_desc("file"), cl::init("-"),
                  cl::cat(compileCategory));

namespace {
enum class EmitKind { Object, Assembly, LLVMIR, MLIR };
} // namespace

static LogicalResult fail(const llvm::Twine &message) {
  llvm::WithColor::error() << message << "\n";
  return failure();
}

static std::optional<EmitKind> parseEmitKind(llvm::StringRef kind) {
  return llvm::StringSwitch<std::optional<EmitKind>>(kind)
      .Case("obj", EmitKind::Object)
      .Case("asm", EmitKind::Assembly)
      .Case("llvm", EmitKind::LLVMIR)
      .Case("mlir", EmitKind::MLIR)
      .Default(std::nullopt);
}

/// Flushes `file` and reports a write error (a full disk, /dev/full) as one
/// error line; unreported, raw_fd_ostream would abort with "IO failure".
static LogicalResult checkWritten(llvm::ToolOutputFile &file,
                                  llvm::StringRef name) {
  file.os().flush();
  if (std::error_code error = file.os().error()) {
    file.os().clear_error();
    return fail("cannot write '" + name + "': " + error.message());
  }
  return success();
}

/// Writes the header of `original` (the module as parsed, on tensors).
static LogicalResult writeHeader(ModuleOp original,
                                 std::unique_ptr<llvm::ToolOutputFile> &file) {
  std::string errorMessage;
  file = openOutputFile(headerFilename, &errorMessage);
  if (!file)
    return fail(errorMessage);
  return bnn::emitCHeader(original, bnn::getHeaderGuard(headerFilename),
                          file->os());
}

/// The command line's decisions, checked before any work.
struct Settings {
  EmitKind emit;
  unsigned optLevel;
};

static FailureOr<Settings> checkCommandLine() {
  if (outputFilename.empty())
    return fail("no output file; use -o <file> (- for stdout)");
  if (!headerFilename.empty() && headerFilename == outputFilename)
    return fail("-o and --header name the same file '" + outputFilename +
                "'; the header would overwrite the output");
  std::optional<EmitKind> emit = parseEmitKind(emitKind);
  if (!emit)
    return fail("unknown --emit value '" + emitKind +
                "' (expected obj, asm, llvm or mlir)");
  if (optLevelFlag.size() != 1 || optLevelFlag[0] < '0' ||
      optLevelFlag[0] > '3')
    return fail("unknown optimization level '-O" + optLevelFlag +
                "' (expected -O0, -O1, -O2 or -O3)");
  return Settings{*emit, static_cast<unsigned>(optLevelFlag[0] - '0')};
}

/// Only the top-level module's public functions are exported: one in a
/// nested module, or one without a name, would silently be missing from the
/// object; and a module without any would compile to an empty object.
static LogicalResult checkExports(ModuleOp module) {
  WalkResult nested = module->walk([&](func::FuncOp f) {
    if (!bnn::isExported(f))
      return WalkResult::advance();
    if (f->getParentOp() != module.getOperation()) {
      f.emitError("public function '")
          << f.getSymName()
          << "' is inside a nested module; bnn-compile exports the public "
             "functions of the top-level module only";
      return WalkResult::interrupt();
    }
    if (f.getSymName().empty()) {
      f.emitError("a public function needs a name to be exported");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (nested.wasInterrupted())
    return failure();
  if (llvm::none_of(module.getOps<func::FuncOp>(), bnn::isExported))
    return fail("'" + inputFilename +
                "' defines no public function with a body: nothing to "
                "compile");
  return success();
}

/// Sets `options` to what the command line asks for.
static void setPipelineOptions(const bnn::ModelCompiler &compiler,
                               bnn::InferencePipelineOptions &options) {
  compiler.setTargetOptions(options);
  options.binarize = !noBNNPasses;
  options.tile = !noTile;
  options.bufferCache = !noBufferCache;
  options.summary = summaryFlag.getValue();
  options.summaryOutput = summaryOutput;
}

/// The command that reruns exactly these passes: the registered pipeline
/// with the same options, as PassOptions prints them.
static void printReproducer(const bnn::InferencePipelineOptions &options) {
  auto &note = llvm::WithColor::note();
  note << "reproduce with: bnn-opt " << inputFilename
       << " --pass-pipeline='builtin.module(bnn-inference-pipeline";
  options.print(note);
  note << ")'\n";
}

/// The lowered module as LLVM IR, assembly or an object file.
static LogicalResult emitMachineCode(const bnn::ModelCompiler &compiler,
                                     ModuleOp module, EmitKind emit,
                                     TimingScope &timing,
                                     llvm::raw_ostream &os) {
  TimingScope translateTiming = timing.nest("Translate to LLVM IR");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      compiler.translate(module, llvmContext);
  if (!llvmModule)
    return failure(); // Diagnostics name the op that did not translate.
  translateTiming.stop();

  TimingScope optimizeTiming = timing.nest("LLVM optimization");
  compiler.optimize(*llvmModule);
  optimizeTiming.stop();

  TimingScope codegenTiming = timing.nest("LLVM code generation");
  if (emit == EmitKind::LLVMIR) {
    llvmModule->print(os, /*AAW=*/nullptr);
    return success();
  }
  // Checked on what is linked, after the optimizer has removed dead calls;
  // --emit=llvm still shows the IR that breaks the promise.
  if (llvm::Error err = bnn::checkLibraryDependencies(*llvmModule))
    return fail(llvm::toString(std::move(err)));
  llvm::CodeGenFileType fileType = emit == EmitKind::Object
                                       ? llvm::CodeGenFileType::ObjectFile
                                       : llvm::CodeGenFileType::AssemblyFile;
  if (llvm::Error err = compiler.emit(*llvmModule, fileType, os))
    return fail(llvm::toString(std::move(err)));
  return success();
}

/// Reads the input file into `sourceMgr`, refusing input nested deeper
/// than the parser can take.
static LogicalResult readInput(llvm::SourceMgr &sourceMgr) {
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input)
    return fail(errorMessage);
  // Only MLIR text goes through the recursive parser.
  bool isONNX = bnn::looksLikeONNXModel(input->getBuffer()) ||
                StringRef(inputFilename).ends_with_insensitive(".onnx");
  std::optional<std::string> tooDeep;
  if (!isONNX)
    tooDeep = bnn::checkNestingDepth(input->getBuffer());
  if (tooDeep) {
    llvm::errs() << inputFilename << ":" << *tooDeep << "\n";
    return failure();
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  return success();
}

static LogicalResult compile() {
  FailureOr<Settings> settings = checkCommandLine();
  if (failed(settings))
    return failure();
  llvm::Expected<bnn::ModelCompiler> compiler = bnn::ModelCompiler::create(
      targetTriple, targetCPU, targetFeatures, settings->optLevel);
  if (!compiler)
    return fail(llvm::toString(compiler.takeError()));
  bnn::InferencePipelineOptions pipelineOptions;
  setPipelineOptions(*compiler, pipelineOptions);

  // Declared before any scope so that the report covers the whole run.
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();

  DialectRegistry registry;
  bnn::registerBNNDialects(registry);
  MLIRContext context(registry);
  // An error on a model function would otherwise dump the whole function,
  // weights included; --mlir-print-op-on-diagnostic still asks for it.
  cl::Option *printOp =
      cl::getRegisteredOptions().lookup("mlir-print-op-on-diagnostic");
  if (!printOp || printOp->getNumOccurrences() == 0)
    context.printOpOnDiagnostic(false);

  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  if (failed(readInput(*sourceMgr)))
    return failure();
  SourceMgrDiagnosticHandler diagnostics(*sourceMgr, &context);
  // An ONNX model's diagnostics name its nodes (it has no text to show).
  StringRef bytes =
      sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID())->getBuffer();
  bool isONNX = bnn::looksLikeONNXModel(bytes) ||
                StringRef(inputFilename).ends_with_insensitive(".onnx");
  std::optional<bnn::ONNXDiagnosticHandler> onnxDiagnostics;
  if (isONNX)
    onnxDiagnostics.emplace(&context, llvm::errs());
  // Remarks explain optimization decisions; they are opt-in so that a
  // float classifier on signs does not print one at every compile.
  context.getDiagEngine().registerHandler([](Diagnostic &diagnostic) {
    return success(diagnostic.getSeverity() == DiagnosticSeverity::Remark &&
                   !showRemarks);
  });

  TimingScope parseTiming = timing.nest("Parser");
  // An ONNX model is recognized by its content (or its extension): it is
  // imported as bnn-import would (docs/ONNX.md).
  OwningOpRef<ModuleOp> module =
      isONNX ? bnn::importONNXModel(bytes, inputFilename, &context,
                                    bnn::ONNXImportOptions())
             : parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return failure(); // The parser has reported why.
  parseTiming.stop();
  if (failed(checkExports(*module)))
    return failure();

  // The header describes the tensor signatures, which the pipeline rewrites
  // into pointers: keep the module as parsed.
  OwningOpRef<ModuleOp> original;
  if (!headerFilename.empty())
    original = module->clone();

  TimingScope pipelineTiming = timing.nest("Inference pipeline");
  auto configure = [&](PassManager &pm) -> LogicalResult {
    if (failed(applyPassManagerCLOptions(pm)))
      return fail("cannot apply the --mlir-* pass manager options");
    pm.enableTiming(pipelineTiming);
    return success();
  };
  if (failed(compiler->runPipeline(*module, pipelineOptions, configure))) {
    printReproducer(pipelineOptions);
    return failure();
  }
  pipelineTiming.stop();

  std::string errorMessage;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &errorMessage);
  if (!output)
    return fail(errorMessage);
  if (settings->emit == EmitKind::MLIR) {
    TimingScope outputTiming = timing.nest("Output");
    module->print(output->os());
  } else if (failed(emitMachineCode(*compiler, *module, settings->emit, timing,
                                    output->os()))) {
    return failure();
  }

  std::unique_ptr<llvm::ToolOutputFile> header;
  if (original && failed(writeHeader(*original, header)))
    return failure();
  if (failed(checkWritten(*output, outputFilename)) ||
      (header && failed(checkWritten(*header, headerFilename))))
    return failure();
  // Only now: a failure above removes any partly written output.
  output->keep();
  if (header)
    header->keep();
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Before the pass manager options: --mlir-print-ir-after=<pass> and
  // friends take their values from the pass registry when they are created.
  bnn::registerBNNPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // libLLVM.so registers hundreds of backend flags; --help shows ours and the
  // --mlir-* ones. The others still work, hidden.
  for (auto &option : cl::getRegisteredOptions())
    if (option.first.starts_with("mlir-"))
      option.second->addCategory(mlirCategory);
  cl::HideUnrelatedOptions({&compileCategory, &mlirCategory});
  cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "bnn-mlir version " << BNN_MLIR_VERSION << "\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "bnn-mlir model compiler: a model in MLIR to an object file with the "
      "compiled-model C ABI (docs/ABI.md)\n");
  return bnn::runInsideCrashBoundary("bnn-compile", inputFilename, [] {
    return succeeded(compile()) ? 0 : 1;
  });
}
