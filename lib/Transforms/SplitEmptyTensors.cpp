//===- SplitEmptyTensors.cpp - One tensor.empty per use -----------------===//

#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNSPLITEMPTYTENSORS
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;

namespace {
struct BNNSplitEmptyTensorsPass
    : public bnn::impl::BNNSplitEmptyTensorsBase<BNNSplitEmptyTensorsPass> {
  void runOnOperation() override {
    SmallVector<tensor::EmptyOp> shared;
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (!empty->hasOneUse() && !empty->use_empty())
        shared.push_back(empty);
    });
    OpBuilder builder(&getContext());
    for (tensor::EmptyOp empty : shared) {
      // The first use keeps the original; each other gets a clone placed
      // right before its user (dynamic sizes are values defined before the
      // original, so they dominate the clone).
      SmallVector<OpOperand *> uses = llvm::map_to_vector(
          empty->getUses(), [](OpOperand &use) { return &use; });
      // In program order when every user is in the empty's block (the first
      // keeps it); across blocks there is no such order to sort by.
      Block *block = empty->getBlock();
      if (llvm::all_of(uses, [&](OpOperand *use) {
            return use->getOwner()->getBlock() == block;
          }))
        llvm::sort(uses, [](OpOperand *a, OpOperand *b) {
          return a->getOwner() != b->getOwner() &&
                 a->getOwner()->isBeforeInBlock(b->getOwner());
        });
      for (OpOperand *use : llvm::drop_begin(uses)) {
        Operation *user = use->getOwner();
        // A user in another block of a nested region: clone next to the
        // original, which dominates it.
        if (user->getBlock() == empty->getBlock())
          builder.setInsertionPoint(user);
        else
          builder.setInsertionPointAfter(empty);
        use->set(builder.clone(*empty)->getResult(0));
      }
    }
  }
};
} // namespace
