//===- PackWeights.cpp - Pack constant weights at compile time ----------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNPACKWEIGHTS
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {
struct BNNPackWeightsPass
    : public bnn::impl::BNNPackWeightsBase<BNNPackWeightsPass> {
  void runOnOperation() override {
    // bnn.pack folds constants (PackOp::fold); the float constants it read
    // become dead and are erased by the driver.
    SmallVector<Operation *> packs;
    SetVector<Operation *> floatWeights;
    getOperation()->walk([&](PackOp op) {
      packs.push_back(op);
      if (Operation *weights = op.getX().getDefiningOp<arith::ConstantOp>())
        floatWeights.insert(weights);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(applyOpPatternsGreedily(packs, RewritePatternSet(&getContext()),
                                       config)))
      return signalPassFailure();
    // The 32-bit weights must not reach the object file.
    for (Operation *weights : floatWeights)
      if (weights->use_empty())
        weights->erase();
  }
};
} // namespace
