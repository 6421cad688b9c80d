//===- TargetMachine.cpp - Object emission for compiled models ----------===//

#include "bnn/Target/TargetMachine.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/OptimizationLevel.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

// Declared by llvm/Config/Targets.def only for the targets LLVM was built
// with; naming the two we need keeps every other backend out of the tool.
extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64Target();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64AsmPrinter();
}

using namespace mlir;
using llvm::createStringError;
using llvm::StringRef;

void bnn::initializeTargets() {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  LLVMInitializeAArch64TargetInfo();
  LLVMInitializeAArch64Target();
  LLVMInitializeAArch64TargetMC();
  LLVMInitializeAArch64AsmPrinter();
}

/// The host's features as an -mattr string, sorted so that the same machine
/// always produces the same string (the map's order is arbitrary).
static std::string getHostFeatures() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  llvm::SmallVector<std::string> flags;
  for (const auto &feature : features)
    flags.push_back((feature.second ? "+" : "-") + feature.first().str());
  llvm::sort(flags);
  return llvm::join(flags, ",");
}

/// Checks every flag of an -mattr string against the target's feature table.
/// LLVM itself only warns about unknown features and reads a flag without a
/// sign as a *disabled* feature; both are errors here.
static llvm::Error checkFeatures(const llvm::MCSubtargetInfo &subtarget,
                                 StringRef features, StringRef triple) {
  llvm::SmallVector<StringRef> flags;
  features.split(flags, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef flag : flags) {
    flag = flag.trim();
    if (!flag.starts_with("+") && !flag.starts_with("-"))
      return createStringError("feature '" + flag +
                               "' needs a '+' or '-' prefix (--mattr=+" + flag +
                               ")");
    StringRef name = flag.drop_front();
    if (!llvm::any_of(
            subtarget.getAllProcessorFeatures(),
            [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; }))
      return createStringError("unknown feature '" + name + "' for target " +
                               triple);
  }
  return llvm::Error::success();
}

llvm::Expected<bnn::TargetDescription>
bnn::resolveTarget(StringRef triple, StringRef cpu, StringRef features) {
  TargetDescription target;
  bool hostTriple = triple == "host";
  target.triple =
      hostTriple ? llvm::sys::getDefaultTargetTriple() : triple.str();
  llvm::Triple llvmTriple(llvm::Triple::normalize(target.triple));

  std::string error;
  const llvm::Target *backend =
      llvm::TargetRegistry::lookupTarget(llvmTriple, error);
  if (!backend)
    return createStringError(
        "unknown target triple '" + target.triple +
        "' (expected x86_64-linux-gnu, aarch64-linux-gnu or host)");
  // The X86 backend also takes 32-bit triples; the pipeline lowers index to
  // i64 and the ABI assumes 64-bit pointers.
  if (llvmTriple.getArch() != llvm::Triple::x86_64 &&
      llvmTriple.getArch() != llvm::Triple::aarch64)
    return createStringError("unsupported target triple '" + target.triple +
                             "': bnn-compile generates code for x86_64 and "
                             "aarch64 only");
  // docs/ABI.md promises ELF objects for Linux: a Windows or Darwin triple
  // would give a COFF or Mach-O object (or an LLVM abort for an unusual
  // object format).
  if (llvmTriple.getObjectFormat() != llvm::Triple::ELF ||
      (llvmTriple.getOS() != llvm::Triple::Linux &&
       llvmTriple.getOS() != llvm::Triple::UnknownOS))
    return createStringError(
        "unsupported target triple '" + target.triple +
        "': bnn-compile writes ELF objects for Linux (docs/ABI.md); use "
        "x86_64-linux-gnu or aarch64-linux-gnu");

  // `--target=host` means this machine, CPU and features included, unless a
  // CPU is named explicitly.
  bool hostCPU = cpu == "host" || (hostTriple && cpu.empty());
  if (hostCPU) {
    llvm::Triple process(llvm::sys::getProcessTriple());
    if (process.getArch() != llvmTriple.getArch())
      return createStringError("--mcpu=host needs a target of the host's "
                               "architecture (" +
                               process.getArchName() + "), not " +
                               target.triple);
    target.cpu = llvm::sys::getHostCPUName().str();
  } else {
    target.cpu = cpu.empty() ? "generic" : cpu.str();
  }

  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      backend->createMCSubtargetInfo(llvmTriple, "", ""));
  if (!subtarget)
    return createStringError("target " + target.triple +
                             " has no subtarget information");
  // Checked here because LLVM only warns and falls back to a generic CPU.
  if (!subtarget->isCPUStringValid(target.cpu))
    return createStringError("unknown cpu '" + target.cpu + "' for target " +
                             target.triple);
  if (llvm::Error err = checkFeatures(*subtarget, features, target.triple))
    return std::move(err);

  // Explicit features come last: in an -mattr list the last flag wins.
  std::string hostFeatures = hostCPU ? getHostFeatures() : "";
  target.features = hostFeatures;
  if (!hostFeatures.empty() && !features.empty())
    target.features += ",";
  target.features += features.str();
  return target;
}

llvm::Expected<bnn::KernelTarget>
bnn::describeKernelTarget(const TargetDescription &target) {
  llvm::Triple llvmTriple(llvm::Triple::normalize(target.triple));
  std::string error;
  const llvm::Target *backend =
      llvm::TargetRegistry::lookupTarget(llvmTriple, error);
  if (!backend)
    return createStringError("unknown target triple '" + target.triple + "'");
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      backend->createMCSubtargetInfo(llvmTriple, target.cpu, target.features));
  if (!subtarget)
    return createStringError("target " + target.triple +
                             " has no subtarget information");
  KernelTarget kernel;
  if (llvmTriple.getArch() == llvm::Triple::aarch64) {
    kernel.vectorBits = 128;
    kernel.registers = 32;
    return kernel;
  }
  if (subtarget->checkFeatures("+avx512f")) {
    kernel.vectorBits = 512;
    kernel.registers = 32;
    kernel.vectorPopcount = subtarget->checkFeatures("+avx512vpopcntdq");
  } else if (subtarget->checkFeatures("+avx2")) {
    kernel.vectorBits = 256;
  }
  return kernel;
}

static llvm::CodeGenOptLevel getCodeGenOptLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
bnn::createTargetMachine(const TargetDescription &target, unsigned optLevel) {
  llvm::Triple llvmTriple(llvm::Triple::normalize(target.triple));
  std::string error;
  const llvm::Target *backend =
      llvm::TargetRegistry::lookupTarget(llvmTriple, error);
  if (!backend)
    return createStringError("unknown target triple '" + target.triple +
                             "': " + error);
  llvm::TargetOptions options;
  // PIC: the object must link into position-independent executables (the
  // Debian default) and shared libraries alike.
  std::unique_ptr<llvm::TargetMachine> tm(backend->createTargetMachine(
      llvmTriple, target.cpu, target.features, options, llvm::Reloc::PIC_,
      /*CM=*/std::nullopt, getCodeGenOptLevel(optLevel)));
  if (!tm)
    return createStringError("cannot create a target machine for " +
                             target.triple);
  return tm;
}

std::unique_ptr<llvm::Module> bnn::translateToLLVMIR(ModuleOp module,
                                                     llvm::LLVMContext &context,
                                                     llvm::TargetMachine &tm) {
  MLIRContext *mlirContext = module.getContext();
  registerBuiltinDialectTranslation(*mlirContext);
  registerLLVMDialectTranslation(*mlirContext);
  // func-to-llvm keeps `private` only as a symbol visibility, which the
  // translation ignores: without this, a model's private helpers would be
  // exported from the object and could clash with the program's symbols.
  module.walk([](LLVM::LLVMFuncOp func) {
    if (func.isPrivate() && !func.isExternal() &&
        func.getLinkage() == LLVM::Linkage::External)
      func.setLinkage(LLVM::Linkage::Internal);
  });
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "bnn_model");
  if (!llvmModule)
    return nullptr;

  // The TargetMachine, not the MLIR module, decides the layout: the object
  // must agree with the C compiler that calls it.
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", tm.getTargetCPU());
    if (!tm.getTargetFeatureString().empty())
      function.addFnAttr("target-features", tm.getTargetFeatureString());
  }
  return llvmModule;
}

void bnn::optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                         unsigned optLevel) {
  // Vectorize as clang does: loops and SLP from -O2 on.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  tuning.LoopUnrolling = optLevel >= 1;

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&tm, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);

  llvm::OptimizationLevel level = llvm::OptimizationLevel::O2;
  switch (optLevel) {
  case 0:
    level = llvm::OptimizationLevel::O0;
    break;
  case 1:
    level = llvm::OptimizationLevel::O1;
    break;
  case 2:
    level = llvm::OptimizationLevel::O2;
    break;
  default:
    level = llvm::OptimizationLevel::O3;
    break;
  }
  // buildPerModuleDefaultPipeline asserts on O0, which has its own pipeline.
  llvm::ModulePassManager passes =
      optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                    : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

llvm::Error bnn::checkLibraryDependencies(const llvm::Module &module) {
  llvm::TargetLibraryInfoImpl libraryInfoImpl(module.getTargetTriple());
  llvm::TargetLibraryInfo libraryInfo(libraryInfoImpl);
  for (const llvm::Function &function : module) {
    if (!function.isDeclaration() || function.isIntrinsic() ||
        function.use_empty())
      continue;
    llvm::LibFunc libFunc;
    if (libraryInfo.getLibFunc(function.getName(), libFunc) &&
        libraryInfo.has(libFunc))
      continue;
    // Name a caller: the declaration alone says nothing about where the
    // dependency comes from.
    std::string caller;
    for (const llvm::User *user : function.users())
      if (const auto *call = dyn_cast<llvm::CallBase>(user)) {
        caller = call->getFunction()->getName().str();
        break;
      }
    return createStringError(
        (caller.empty() ? "the compiled model" : "function '" + caller + "'") +
        " calls '" + function.getName() +
        "', which is in neither libc nor libm: the compiled-model ABI allows "
        "no other dependency (docs/ABI.md)");
  }
  return llvm::Error::success();
}

llvm::Error bnn::emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                                 llvm::CodeGenFileType fileType,
                                 llvm::raw_ostream &os) {
  // Object writers may seek back to patch headers, which a pipe (stdout)
  // cannot do: write to memory, flushed to `os` when `out` goes away. The
  // object is no larger than the module already in memory.
  llvm::buffer_ostream out(os);

  llvm::legacy::PassManager codegen;
  codegen.add(new llvm::TargetLibraryInfoWrapperPass(
      llvm::TargetLibraryInfoImpl(module.getTargetTriple())));
  if (tm.addPassesToEmitFile(codegen, out, /*DwoOut=*/nullptr, fileType))
    return createStringError("target " + tm.getTargetTriple().str() +
                             " cannot emit this file type");
  codegen.run(module);
  return llvm::Error::success();
}
