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

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "bnn-tile"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNTILE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// Tile sizes of an epilogue with loop ranges [N, OH, OW, Ob, B] (conv) or
/// [N, Ob, B] (dense): P pixels (rows) by one block of B channels.
SmallVector<int64_t> registerTile(ArrayRef<int64_t> ranges,
                                  unsigned accumulatorBits, int64_t vectorBits,
                                  int64_t registers) {
  int64_t block = ranges.back();
  int64_t perPixel = std::max<int64_t>(
      1, llvm::divideCeil(block * accumulatorBits, vectorBits));
  int64_t budget = std::max<int64_t>(1, registers / 2 / perPixel);
  SmallVector<int64_t> tile(ranges.size(), 1);
  tile.back() = block;
  // The pixel dimension: output width of a convolution, batch of a dense.
  unsigned pixelDim = ranges.size() == 5 ? 2 : 0;
  tile[pixelDim] = largestDivisorAtMost(ranges[pixelDim], budget);
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
    SmallVector<int64_t> tile = registerTile(
        ranges, popcountType.getElementTypeBitWidth(), vectorBits, registers);
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
    FailureOr<SmallVector<Operation *>> tiled = tileAndFuseProducers(
        rewriter, cast<TilingInterface>(epilogue.getOperation()), tile,
        inAccumulatorChain);
    if (failed(tiled))
      return epilogue.emitError("bnn-tile: tiling the packed kernel failed");

    // Word reductions of the fused generics: one word per iteration.
    for (Operation *op : *tiled) {
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
};

} // namespace
