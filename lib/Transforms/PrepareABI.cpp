//===- PrepareABI.cpp - Check public functions against the C ABI --------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Target/ABI.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNPREPAREABI
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;

namespace {
struct BNNPrepareABIPass
    : public bnn::impl::BNNPrepareABIBase<BNNPrepareABIPass> {
  void runOnOperation() override {
    bool failed = mlir::failed(bnn::checkModuleFunctions(getOperation()));
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!bnn::isExported(func))
        continue;
      failed |= mlir::failed(bnn::getABISignature(func));
      // Inputs are `const T *`: bufferization must never write into them.
      // A training model's parameter marks mean nothing to the compiled
      // function (and LLVM would warn about them).
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        BoolAttr::get(&getContext(), false));
        func.removeArgAttr(i, bnn::BNNDialect::getParamAttrName());
      }
    }
    if (failed)
      signalPassFailure();
  }
};
} // namespace
