//===- VerifyLowered.cpp - Stage-boundary check after bnn-lower ---------===//
//
// The contract between bnn-lower and the rest of the inference pipeline, as
// a legality check in the manner of torch-mlir's backend contract: the ops
// of the dialects the pipeline lowers, on types it can lower. The first
// violation is reported once, in the user's terms; the count of the others
// follows in a note.
//
//===----------------------------------------------------------------------===//

#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNVERIFYLOWERED
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;

namespace {
/// Scalars the LLVM conversion handles: integers, index and the IEEE float
/// types (f8 variants and other exotic floats have no lowering).
bool isLegalScalar(Type type) {
  return isa<IntegerType, IndexType, Float16Type, BFloat16Type, Float32Type,
             Float64Type>(type);
}

/// Scalars, and ranked tensors and vectors of them.
bool isLegalType(Type type) {
  if (isa<RankedTensorType, VectorType>(type))
    return isLegalScalar(cast<ShapedType>(type).getElementType());
  if (auto function = dyn_cast<FunctionType>(type))
    return llvm::all_of(function.getInputs(), isLegalType) &&
           llvm::all_of(function.getResults(), isLegalType);
  return isLegalScalar(type);
}

/// Why `op` breaks the contract, or an empty string.
std::string getViolation(Operation *op, const ConversionTarget &target) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (!target.isLegal(op)) {
    os << "'" << op->getName()
       << "' is not supported by the inference pipeline (after bnn-lower "
          "only builtin, func, arith, math, tensor, linalg, bufferization "
          "and scf ops can be compiled)";
    return why;
  }
  auto checkType = [&](Type type, StringRef what) {
    if (!why.empty() || isLegalType(type))
      return;
    os << "'" << op->getName() << "' " << what << " has type " << type
       << ", which the inference pipeline cannot compile (supported: "
          "integers, index, f16, bf16, f32, f64 and ranked tensors and vectors "
          "of them)";
  };
  for (Type type : op->getOperandTypes())
    checkType(type, "operand");
  for (Type type : op->getResultTypes())
    checkType(type, "result");
  if (auto func = dyn_cast<func::FuncOp>(op))
    checkType(func.getFunctionType(), "signature");
  for (Region &region : op->getRegions())
    for (Block &block : region)
      for (BlockArgument arg : block.getArguments())
        checkType(arg.getType(), "block argument");
  return why;
}

struct BNNVerifyLoweredPass
    : public bnn::impl::BNNVerifyLoweredBase<BNNVerifyLoweredPass> {
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addLegalDialect<
        arith::ArithDialect, bufferization::BufferizationDialect,
        func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
        scf::SCFDialect, tensor::TensorDialect>();
    target.addLegalOp<ModuleOp>();
    Operation *first = nullptr;
    std::string why;
    int64_t others = 0;
    getOperation()->walk([&](Operation *op) {
      std::string violation = getViolation(op, target);
      if (violation.empty())
        return;
      if (first) {
        ++others;
        return;
      }
      first = op;
      why = std::move(violation);
    });
    if (!first)
      return;
    InFlightDiagnostic diag = first->emitError(why);
    if (others)
      diag.attachNote() << others << " more op"
                        << (others == 1 ? " breaks" : "s break")
                        << " the same contract";
    signalPassFailure();
  }
};
} // namespace
