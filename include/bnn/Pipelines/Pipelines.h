//===- Pipelines.h - bnn pass pipelines -------------------------*- C++ -*-===//
//
// Pipelines are functions, shared by bnn-opt (registered with
// PassPipelineRegistration) and bnn-compile.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_PIPELINES_PIPELINES_H
#define BNN_PIPELINES_PIPELINES_H

#include "bnn/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::bnn {

struct InferencePipelineOptions
    : public PassPipelineOptions<InferencePipelineOptions> {
  PassOptions::Option<std::string> targetTriple{
      *this, "target-triple",
      llvm::cl::desc("Target triple the code is compiled for "
                     "(x86_64-linux-gnu, aarch64-linux-gnu)"),
      llvm::cl::init("x86_64-linux-gnu")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu", llvm::cl::desc("Target CPU (as for llc -mcpu)"),
      llvm::cl::init("generic")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("Target features (as for llc -mattr)"),
      llvm::cl::init("")};
  PassOptions::Option<bool> binarize{
      *this, "binarize",
      llvm::cl::desc("Run the compile-time bnn passes (fold transforms, "
                     "binarize, fuse thresholds, pack weights); off, the "
                     "model is compiled as written"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> tile{
      *this, "tile",
      llvm::cl::desc("Lower bconv2d and bdense to the blocked layout and "
                     "tile and vectorize them (bnn-tile) for the target; "
                     "off, every packed kernel is one scalar loop nest"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> bufferCache{
      *this, "buffer-cache",
      llvm::cl::desc("Keep the temporaries of a call in a cache for the "
                     "next calls (bnn-buffer-cache); off, every call mallocs "
                     "and frees them"),
      llvm::cl::init(true)};
  PassOptions::Option<SummaryFormat> summary{
      *this, "summary",
      llvm::cl::desc("Print the bnn-summary model summary of the model as "
                     "compiled (after the compile-time passes)"),
      llvm::cl::init(SummaryFormat::None),
      llvm::cl::values(
          clEnumValN(SummaryFormat::None, "", "no summary (default)"),
          clEnumValN(SummaryFormat::None, "none", "no summary"),
          clEnumValN(SummaryFormat::Text, "text", "a text table"),
          clEnumValN(SummaryFormat::Json, "json", "JSON"))};
  PassOptions::Option<std::string> summaryOutput{
      *this, "summary-output",
      llvm::cl::desc("File the summary is written to ('-' is stderr)"),
      llvm::cl::init("-")};
};

/// bnn + upstream ops on tensors -> LLVM dialect. Every public func.func with
/// static shapes becomes `void NAME(const T *in0, ..., T *out0, ...)` with
/// bare pointers (DESIGN.md section 5).
void buildInferencePipeline(OpPassManager &pm,
                            const InferencePipelineOptions &options);

/// Registers `bnn-inference-pipeline` for bnn-opt.
void registerPipelines();

} // namespace mlir::bnn

#endif // BNN_PIPELINES_PIPELINES_H
