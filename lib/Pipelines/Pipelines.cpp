//===- Pipelines.cpp - bnn pass pipelines -------------------------------===//

#include "bnn/Pipelines/Pipelines.h"
#include "bnn/Conversion/Passes.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void bnn::buildInferencePipeline(OpPassManager &pm,
                                 const InferencePipelineOptions &options) {
  // Tensor level: check the ABI, lower bnn ops, check the stage boundary.
  pm.addPass(createBNNPrepareABI());
  pm.addPass(createCanonicalizerPass());
  // Compile-time work on the model: weights become packed constants, binary
  // layers packed kernels with integer thresholds between them.
  if (options.binarize) {
    pm.addPass(createBNNFoldTransforms());
    pm.addPass(createBNNBinarize());
    // Batch norm written with arith ops on whole tensors becomes linalg, the
    // form bnn-fuse-threshold reads.
    pm.addPass(createConvertElementwiseToLinalgPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createBNNFuseThreshold());
    pm.addPass(createBNNPackWeights());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // The summary sees the model as compiled: packed constants, thresholds.
  if (options.summary != SummaryFormat::None) {
    BNNSummaryOptions summary;
    summary.emitJson = options.summary == SummaryFormat::Json;
    summary.outputFile = options.summaryOutput;
    pm.addPass(createBNNSummary(summary));
  }
  pm.addPass(createBNNLower());
  pm.addPass(createBNNVerifyLowered());
  // Elementwise arith/math on whole tensors become linalg too.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Buffers: results become caller-allocated out-parameters.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());

  // Loops, then the LLVM dialect with bare-pointer arguments.
  pm.addNestedPass<func::FuncOp>(createBNNLowerStridedCopies());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void bnn::registerPipelines() {
  PassPipelineRegistration<InferencePipelineOptions>(
      "bnn-inference-pipeline",
      "Compile bnn and upstream ops on tensors to the LLVM dialect with the "
      "compiled-model C ABI",
      buildInferencePipeline);
}
