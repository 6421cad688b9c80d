//===- BNNToLinalg.cpp - bnn ops to linalg on tensors -------------------===//

#include "bnn/Conversion/Passes.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNLOWER
#include "bnn/Conversion/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

void bnn::populateBNNToLinalgPatterns(RewritePatternSet &patterns) {}

namespace {
struct BNNLowerPass : public bnn::impl::BNNLowerBase<BNNLowerPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateBNNToLinalgPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
