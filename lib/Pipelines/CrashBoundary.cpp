//===- CrashBoundary.cpp - Upstream aborts as one error line ------------===//

#include "bnn/Pipelines/CrashBoundary.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

int mlir::bnn::runInsideCrashBoundary(llvm::StringRef tool,
                                      llvm::StringRef input,
                                      llvm::function_ref<int()> work) {
  llvm::CrashRecoveryContext::Enable();
  llvm::CrashRecoveryContext context;
  int exitCode = 1;
  if (context.RunSafely([&] { exitCode = work(); }))
    return exitCode;
  llvm::errs().flush();
  llvm::WithColor::error(llvm::errs(), tool)
      << "internal error while processing '" << input
      << "': the compiler crashed on this input instead of reporting what is "
         "wrong with it. Please report it with the input; "
         "--mlir-pass-pipeline-crash-reproducer=<file> writes a smaller "
         "reproducer when the crash is inside a pass\n";
  return 70;
}
