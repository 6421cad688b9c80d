//===- TargetMachine.h - Object emission for compiled models ----*- C++ -*-===//
//
// The code generation half of bnn-compile, modeled on IREE's LLVMCPU target:
// one target description {triple, cpu, features} resolves `host`, is checked
// against the backend, and drives everything downstream of the MLIR pipeline
// (data layout, LLVM's optimization pipeline, object emission), all in
// process. Only the X86 and AArch64 backends are used.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TARGET_TARGETMACHINE_H
#define BNN_TARGET_TARGETMACHINE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
class raw_ostream;
} // namespace llvm

namespace mlir::bnn {

/// What code is generated for, fully resolved: no `host` left in it.
struct TargetDescription {
  /// The triple as the user spelled it (x86_64-linux-gnu), for messages and
  /// for the pipeline options; LLVM gets its normalized form.
  std::string triple;
  /// An LLVM CPU name valid for the triple (`generic` by default).
  std::string cpu;
  /// Comma-separated `+feature`/`-feature` list, as for llc -mattr.
  std::string features;
};

/// Registers the X86 and AArch64 backends with LLVM's TargetRegistry.
/// Calling it again is harmless (the registry ignores re-registration).
void initializeTargets();

/// Resolves `host` in `triple` (the default triple of this machine) and in
/// `cpu` (this machine's CPU name and features; `--target=host` implies
/// `--mcpu=host` unless a CPU is given), then checks the result against the
/// backend: the triple must name an x86_64 or aarch64 target, the CPU and
/// every feature of `features` must be known to it. Errors are one line,
/// e.g. "unknown cpu 'foo' for target aarch64-linux-gnu".
/// Call initializeTargets() first.
llvm::Expected<TargetDescription> resolveTarget(llvm::StringRef triple,
                                                llvm::StringRef cpu,
                                                llvm::StringRef features);

/// What the packed kernels' register tiles are built from (bnn-lower's
/// channel block, bnn-tile's register budget).
struct KernelTarget {
  /// Width of a vector register in bits: 512 (AVX-512), 256 (AVX2), 128
  /// (SSE2, NEON).
  unsigned vectorBits = 128;
  /// Number of vector registers (32 with AVX-512 and on AArch64, else 16).
  unsigned registers = 16;
  /// Whether popcount of a vector of 64-bit words is one instruction
  /// (AVX-512 VPOPCNTDQ); elsewhere LLVM expands it (nibble table on x86,
  /// `cnt` + pairwise adds on AArch64). Reported, not needed by the tiles.
  bool vectorPopcount = false;
  /// Output channels per block: four vectors of 64-bit words with 32
  /// registers, two with 16.
  unsigned channelBlock() const {
    return vectorBits / 64 * (registers >= 32 ? 4 : 2);
  }
};

/// The kernel target of a resolved description: the CPU's features as LLVM
/// knows them, with `features` applied.
llvm::Expected<KernelTarget>
describeKernelTarget(const TargetDescription &target);

/// A position-independent TargetMachine for `target` (from resolveTarget)
/// at optimization level `optLevel` (0 to 3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetDescription &target, unsigned optLevel);

/// Translates an LLVM-dialect module to LLVM IR for `tm`: triple and data
/// layout from the TargetMachine, and `target-cpu`/`target-features` on every
/// defined function so that the IR means the same thing to llc. Returns
/// nullptr after emitting diagnostics on `module` if the translation fails.
std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &context,
                                                llvm::TargetMachine &tm);

/// Runs LLVM's default per-module pipeline for `optLevel` (0 to 3), built
/// with `tm` so that cost models and vectorization see the real target.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                    unsigned optLevel);

/// Checks the promise of the compiled-model ABI that the object needs only
/// libc and libm: every function `module` calls but does not define must be
/// a C library function LLVM knows for the module's triple (a call to an MLIR
/// runtime helper such as `memrefCopy` is an error naming its caller).
/// Intrinsics are not calls; what they lower to is libc or libm.
llvm::Error checkLibraryDependencies(const llvm::Module &module);

/// Emits `module` as an object file or assembly with the legacy codegen pass
/// manager (the only one that drives the backends in LLVM 22).
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                            llvm::CodeGenFileType fileType,
                            llvm::raw_ostream &os);

} // namespace mlir::bnn

#endif // BNN_TARGET_TARGETMACHINE_H
