//===- Tile.cpp - Register tiles for the blocked packed kernels ----------===//
//
// bnn-tile: upstream tiling, fusion and vectorization applied to the blocked
// packed reductions that bnn-lower emits (lib/Conversion/BNNToLinalg/
// PackedKernels.cpp). What is ours is only the choice of the register tile
// and of which producers join it.
//
//===----------------------------------------------------------------------===//

#include "RegisterTiles.h"
#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "bnn-tile"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNTILE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// The pixel dimension of an epilogue: output width of a convolution
/// ([N, OH, OW, Ob, B]), batch of a dense layer ([N, Ob, B]).
unsigned getPixelDim(ArrayRef<int64_t> ranges) {
  return ranges.size() == 5 ? 2 : 0;
}

/// Tile sizes of an epilogue: P pixels (rows) by one block of B channels.
/// P is the largest divisor of the pixel range that fits the budget of
/// registers or, when that divisor is 1 (a prime output width such as 7),
/// the budget itself: the loop is then peeled into full tiles and one
/// smaller last tile (`peel`).
SmallVector<int64_t> registerTile(ArrayRef<int64_t> ranges,
                                  unsigned accumulatorBits, int64_t vectorBits,
                                  int64_t registers, bool &peel) {
  int64_t block = ranges.back();
  int64_t perPixel = std::max<int64_t>(
      1, llvm::divideCeil(block * accumulatorBits, vectorBits));
  int64_t budget = std::max<int64_t>(1, registers / 2 / perPixel);
  SmallVector<int64_t> tile(ranges.size(), 1);
  tile.back() = block;
  unsigned pixelDim = getPixelDim(ranges);
  int64_t pixels = ranges[pixelDim];
  int64_t divisor = largestDivisorAtMost(pixels, budget);
  int64_t widest = std::min(pixels, budget);
  // Peeling duplicates the tile's code (compile time): only when the
  // divisor would leave one-pixel tiles.
  peel = divisor == 1 && widest > 1;
  tile[pixelDim] = peel ? widest : divisor;
  return tile;
}

struct BNNTilePass : public bnn::impl::BNNTileBase<BNNTilePass> {
  using BNNTileBase::BNNTileBase;

  void runOnOperation() override {
    if (vectorBits < 64 || registers < 2) {
      getOperation().emitError("bnn-tile: expected vector-bits >= 64 and "
                               "registers >= 2, got ")
          << static_cast<int64_t>(vectorBits) << " and "
          << static_cast<int64_t>(registers);
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> epilogues;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->hasAttr(BNNDialect::getRegisterTileAttrName()))
        epilogues.push_back(op);
    });
    SmallVector<linalg::LinalgOp> tileOps;
    for (linalg::GenericOp epilogue : epilogues)
      if (failed(tileEpilogue(epilogue, tileOps)))
        return signalPassFailure();
    if (failed(vectorizeRegisterTiles(getOperation(), tileOps, getArgument())))
      return signalPassFailure();
  }

  /// Tiles `epilogue` into register tiles with its accumulator chain fused,
  /// then tiles the fused word reductions by one word. Appends the ops of
  /// the tile to `tileOps`.
  LogicalResult tileEpilogue(linalg::GenericOp epilogue,
                             SmallVectorImpl<linalg::LinalgOp> &tileOps) {
    SmallVector<int64_t> ranges = epilogue.getStaticLoopRanges();
    if (ShapedType::isDynamicShape(ranges) ||
        (ranges.size() != 3 && ranges.size() != 5))
      return epilogue.emitError("bnn-tile: expected a static blocked "
                                "epilogue of rank 3 or 5");
    // Accumulators of the popcounts are words: the first input's type.
    auto popcountType =
        cast<RankedTensorType>(epilogue.getDpsInputs()[0].getType());
    bool peel = false;
    SmallVector<int64_t> tile =
        registerTile(ranges, popcountType.getElementTypeBitWidth(), vectorBits,
                     registers, peel);
    LLVM_DEBUG(llvm::dbgs() << "bnn-tile: " << epilogue.getLoc() << " tile "
                            << llvm::interleaved(tile) << "\n");

    // Only the accumulator chain joins the tile: producers whose result has
    // the epilogue's iteration shape (the fill and the per-tap generics).
    // Per-channel constants and corrections stay outside, computed once.
    auto inAccumulatorChain = [&](OpResult producer) {
      auto type = dyn_cast<RankedTensorType>(producer.getType());
      return type && type.getShape() == ArrayRef<int64_t>(ranges) &&
             isa<linalg::LinalgOp>(producer.getOwner());
    };
    IRRewriter rewriter(&getContext());
    FailureOr<FusedTile> tiled = tileAndFuseProducers(
        rewriter, cast<TilingInterface>(epilogue.getOperation()), tile,
        inAccumulatorChain);
    if (failed(tiled))
      return epilogue.emitError("bnn-tile: tiling the packed kernel failed");
    SmallVector<Operation *> ops = tiled->ops;
    if (peel &&
        failed(peelPixelLoop(rewriter, *tiled, getPixelDim(ranges), ops)))
      return epilogue.emitError("bnn-tile: peeling the last tile failed");

    // Word reductions of the fused generics: one word per iteration.
    for (Operation *op : ops) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      if (!linalgOp)
        continue;
      FailureOr<linalg::LinalgOp> words =
          tileReductionsByOne(rewriter, linalgOp);
      if (failed(words))
        return op->emitError("bnn-tile: tiling the word reduction failed");
      tileOps.push_back(*words);
    }
    return success();
  }

  /// Splits the pixel loop of `tile` into full tiles and a last, smaller
  /// one, each with static shapes (the vectorizer needs them); `ops` becomes
  /// the linalg ops of both.
  LogicalResult peelPixelLoop(RewriterBase &rewriter, FusedTile &tile,
                              unsigned pixelDim,
                              SmallVectorImpl<Operation *> &ops) {
    if (pixelDim >= tile.loops.size())
      return failure();
    auto loop = dyn_cast<scf::ForOp>(tile.loops[pixelDim].getOperation());
    if (!loop)
      return failure();
    scf::ForOp lastTile;
    if (failed(scf::peelForLoopAndSimplifyBounds(rewriter, loop, lastTile)))
      return success(); // The tiles divide the range after all.
    // The tile sizes are constants now: make the slice types static.
    RewritePatternSet patterns(&getContext());
    populateAllCanonicalizationPatterns(patterns);
    // The linalg ops of both tiles carry a marker through the rewrites
    // (a one-iteration loop is inlined, an op with new static types is a
    // new op).
    constexpr StringLiteral kPeeledAttr = "bnn.peeled_tile";
    SmallVector<Operation *> body;
    for (Operation *root : {loop.getOperation(), lastTile.getOperation()})
      root->walk([&](Operation *op) {
        if (isa<linalg::LinalgOp>(op))
          op->setAttr(kPeeledAttr, rewriter.getUnitAttr());
        body.push_back(op);
      });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(body, std::move(patterns), config)))
      return failure();
    ops.clear();
    bool dynamic = false;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!op->removeAttr(kPeeledAttr))
        return;
      dynamic |= op.hasDynamicShape();
      ops.push_back(op);
    });
    return failure(dynamic);
  }
};

} // namespace
