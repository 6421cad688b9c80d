//===- FoldTransforms.cpp - Fold Level 1 weight expressions -------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNFOLDTRANSFORMS
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {
struct BNNFoldTransformsPass
    : public bnn::impl::BNNFoldTransformsBase<BNNFoldTransformsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    OrthonormalTransformOp::getCanonicalizationPatterns(patterns, context);
    // The folders run on every op the driver visits: restrict it to the
    // Level 1 ops so nothing else in the model changes.
    SmallVector<Operation *> level1;
    getOperation()->walk([&](Operation *op) {
      if (isa<SignOp, OrthonormalTransformOp, ImportanceSignOp, TernaryOp>(op))
        level1.push_back(op);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(level1, std::move(patterns), config)))
      signalPassFailure();
  }
};
} // namespace
