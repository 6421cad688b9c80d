//===- Normalize.cpp - Front-end forms to the forms binarize reads -------===//
//
// Front ends write a BNN's layers in many equivalent ways (PyTorch via
// torch-mlir, TOSA lowering, hand-written MLIR). These rewrites bring them
// to the few forms bnn-binarize and bnn-fuse-threshold match, each one
// exact: the rewritten IR computes the same values (a moved bias aside,
// which adds the same numbers in another order).
//
//===----------------------------------------------------------------------===//

#include "NormalizePatterns.h"
#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Matchers.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNNORMALIZE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

#define DEBUG_TYPE "bnn-normalize"

using namespace mlir;
using namespace mlir::bnn;

void mlir::bnn::populateBNNNormalizePatterns(RewritePatternSet &patterns) {
  normalize::populateValuePatterns(patterns);
  normalize::populateLayoutPatterns(patterns);
  normalize::populateLayerPatterns(patterns);
  linalg::TransposeOp::getCanonicalizationPatterns(patterns,
                                                   patterns.getContext());
}

namespace {
struct BNNNormalizePass
    : public mlir::bnn::impl::BNNNormalizeBase<BNNNormalizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateBNNNormalizePatterns(patterns);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, &getContext());
    MatchFailureLogger logger(DEBUG_TYPE);
    GreedyRewriteConfig config;
    config.setListener(&logger);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      getOperation()->emitRemark("bnn-normalize: the rewrites did not "
                                 "converge; the model is left as they "
                                 "left it");
  }
};
} // namespace
