//===- CrashBoundary.h - Upstream aborts as one error line ------*- C++ -*-===//
//
// Some upstream code aborts on input it cannot handle (the tensor.from_elements
// parser on a type of 2^62 elements: "SmallVector unable to grow"). The
// tools run their work inside an llvm::CrashRecoveryContext so that such an
// abort ends in one error line with a reproducer hint, not a stack dump.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_PIPELINES_CRASHBOUNDARY_H
#define BNN_PIPELINES_CRASHBOUNDARY_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::bnn {

/// Runs `work` and returns its exit code. If it crashes (a signal, an abort,
/// an LLVM fatal error), prints "<tool>: error: internal error while
/// processing '<input>' ..." with how to report it, and returns 70
/// (EX_SOFTWARE). Crashes on other threads are not caught.
int runInsideCrashBoundary(llvm::StringRef tool, llvm::StringRef input,
                           llvm::function_ref<int()> work);

} // namespace mlir::bnn

#endif // BNN_PIPELINES_CRASHBOUNDARY_H
