//===- Passes.td - bnn transformation passes ---------------*- tablegen -*-===//

#ifndef BNN_TRANSFORMS_PASSES_TD
#define BNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def BNNPrepareABI : Pass<"bnn-prepare-abi", "::mlir::ModuleOp"> {
  let summary = "Check that public functions fit the compiled-model C ABI";
  let description = [{
    Every public `func.func` becomes `void NAME(const T *in0, ..., T *out0,
    ...)`. This pass rejects, with an error naming the function and the
    argument or result, what that ABI cannot express: dynamic shapes,
    non-tensor arguments and results, element types other than f32, i32,
    i64. It marks every argument `bufferization.writable = false` so that
    bufferization never writes into the caller's input buffers.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def BNNVerifyLowered : Pass<"bnn-verify-lowered", "::mlir::ModuleOp"> {
  let summary = "Check that only ops the backend handles remain";
  let description = [{
    A stage-boundary check after `bnn-lower`: every op must belong to a
    dialect the rest of the inference pipeline lowers (builtin, func, arith,
    math, tensor, linalg, bufferization, scf). Anything else is reported with
    its name and location, so the user sees what is unsupported instead of a
    legalization failure deep in the LLVM conversion.
  }];
}

#endif // BNN_TRANSFORMS_PASSES_TD
