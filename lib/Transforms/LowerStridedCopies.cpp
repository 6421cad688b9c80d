//===- LowerStridedCopies.cpp - Strided memref.copy -> linalg.copy ------===//

#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNLOWERSTRIDEDCOPIES
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;

namespace {
bool isContiguous(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getLayout().isIdentity();
}

struct BNNLowerStridedCopiesPass
    : public bnn::impl::BNNLowerStridedCopiesBase<BNNLowerStridedCopiesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      if (isContiguous(copy.getSource()) && isContiguous(copy.getTarget()))
        return;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};
} // namespace
