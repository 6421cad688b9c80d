//===- VerifyLowered.cpp - Stage-boundary check after bnn-lower ---------===//

#include "bnn/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNVERIFYLOWERED
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;

namespace {
struct BNNVerifyLoweredPass
    : public bnn::impl::BNNVerifyLoweredBase<BNNVerifyLoweredPass> {
  void runOnOperation() override {
    static const llvm::StringSet<> supported = {
        "builtin", "func",   "arith",         "math",
        "tensor",  "linalg", "bufferization", "scf"};
    bool failed = false;
    getOperation()->walk([&](Operation *op) {
      StringRef dialect = op->getName().getDialectNamespace();
      if (supported.contains(dialect))
        return;
      op->emitError("'")
          << op->getName()
          << "' is not supported by the inference pipeline (after bnn-lower "
             "only builtin, func, arith, math, tensor, linalg, bufferization "
             "and scf ops can be compiled)";
      failed = true;
    });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
