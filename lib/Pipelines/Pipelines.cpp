//===- Pipelines.cpp - bnn pass pipelines -------------------------------===//

#include "bnn/Pipelines/Pipelines.h"
#include "bnn/Conversion/Passes.h"
#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Target/TargetMachine.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// The target's vector width and registers. bnn-compile and the registered
/// pipeline check the options before they get here; a caller that did not
/// gets 128-bit vectors and 16 registers, which every x86-64 and AArch64
/// CPU has.
static bnn::KernelTarget
getKernelTarget(const bnn::InferencePipelineOptions &options) {
  bnn::initializeTargets();
  llvm::Expected<bnn::TargetDescription> target =
      bnn::resolveTarget(options.targetTriple, options.cpu, options.features);
  if (!target) {
    llvm::consumeError(target.takeError());
    return {};
  }
  llvm::Expected<bnn::KernelTarget> kernel = bnn::describeKernelTarget(*target);
  if (!kernel) {
    llvm::consumeError(kernel.takeError());
    return {};
  }
  return *kernel;
}

void bnn::buildInferencePipeline(OpPassManager &pm,
                                 const InferencePipelineOptions &options) {
  // Tensor level: check the ABI, lower bnn ops, check the stage boundary.
  pm.addPass(createBNNPrepareABI());
  // A TOSA model becomes linalg first (the upstream TOSA pipeline; nothing
  // happens to a model without TOSA ops).
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions(),
                              TosaToLinalgNamedOptions());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  pm.addPass(createCanonicalizerPass());
  // Compile-time work on the model: weights become packed constants, binary
  // layers packed kernels with integer thresholds between them.
  if (options.binarize) {
    // Layers in called functions are binarized (and counted) per call.
    pm.addPass(createInlinerPass());
    pm.addPass(createBNNNormalize());
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
    summary.format = options.summary.getValue();
    summary.outputFile = options.summaryOutput;
    pm.addPass(createBNNSummary(summary));
  }
  // Packed kernels in the blocked layout of the target's register tiles.
  KernelTarget kernel = getKernelTarget(options);
  BNNLowerOptions lowerOptions;
  lowerOptions.channelBlock = options.tile ? kernel.channelBlock() : 0;
  pm.addPass(createBNNLower(lowerOptions));
  pm.addPass(createBNNVerifyLowered());
  // Elementwise arith/math on whole tensors become linalg too.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.tile) {
    BNNTileOptions tileOptions;
    tileOptions.vectorBits = kernel.vectorBits;
    tileOptions.registers = kernel.registers;
    pm.addNestedPass<func::FuncOp>(createBNNTile(tileOptions));
    BNNVectorizeOptions vectorizeOptions;
    vectorizeOptions.vectorBits = kernel.vectorBits;
    vectorizeOptions.registers = kernel.registers;
    pm.addNestedPass<func::FuncOp>(createBNNVectorize(vectorizeOptions));
  }
  // From here on the code may hold register tiles.
  auto canonicalize = [&] {
    if (options.tile)
      pm.addPass(createRegisterTileCanonicalizerPass());
    else
      pm.addPass(createCanonicalizerPass());
  };
  if (options.tile)
    canonicalize();

  // Buffers: results become caller-allocated out-parameters. The empties
  // CSE merged go back to one per use, or bufferization would take time
  // quadratic in the number of layers that shared one.
  pm.addNestedPass<func::FuncOp>(createBNNSplitEmptyTensors());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  // bufferization::buildBufferDeallocationPipeline, with our canonicalizer.
  pm.addPass(memref::createExpandReallocPass(
      memref::ExpandReallocPassOptions{/*emitDeallocs=*/false}));
  canonicalize();
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  canonicalize();
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  canonicalize();
  canonicalize();

  // Loops, then the LLVM dialect with bare-pointer arguments.
  pm.addNestedPass<func::FuncOp>(createBNNLowerStridedCopies());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Vector ops of the register tiles: transfers LLVM cannot take directly
  // become unrolled loads and stores.
  VectorTransferToSCFOptions vectorToSCF;
  vectorToSCF.enableFullUnroll(true);
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(vectorToSCF));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Vector first: its lowering makes arith ops (vector.step becomes a
  // constant) that the arith conversion then takes.
  pm.addPass(createConvertVectorToLLVMPass());
  // Temporaries come from a cache of the buffers of earlier calls.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  if (options.bufferCache) {
    pm.addPass(createBNNBufferCache());
    memrefToLLVM.useGenericFunctions = true;
  }
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertIndexToLLVMPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  canonicalize();
}

void bnn::registerPipelines() {
  // PassPipelineRegistration, plus the check bnn-compile makes of the
  // target: a triple, CPU or feature LLVM does not know is an error, not a
  // silent fallback to 128-bit vectors.
  registerPassPipeline(
      "bnn-inference-pipeline",
      "Compile bnn and upstream ops on tensors to the LLVM dialect with the "
      "compiled-model C ABI",
      [](OpPassManager &pm, StringRef optionsString,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        InferencePipelineOptions options;
        if (failed(options.parseFromString(optionsString)))
          return failure();
        initializeTargets();
        llvm::Expected<TargetDescription> target =
            resolveTarget(options.targetTriple, options.cpu, options.features);
        if (!target)
          return errorHandler("bnn-inference-pipeline: " +
                              llvm::toString(target.takeError()));
        buildInferencePipeline(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optionsHandler) {
        optionsHandler(InferencePipelineOptions());
      });
}
