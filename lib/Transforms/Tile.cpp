//===- Tile.cpp - Register tiles for the blocked packed kernels ----------===//
//
// bnn-tile: upstream tiling, fusion and vectorization applied to the blocked
// packed reductions that bnn-lower emits (lib/Conversion/BNNToLinalg/
// PackedKernels.cpp). What is ours is only the choice of the register tile
// and of which producers join it.
//
//===----------------------------------------------------------------------===//

#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "bnn-tile"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNTILE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

constexpr StringLiteral kRegisterTileAttr = "bnn.register_tile";

/// The largest divisor of `size` that is at most `limit` (at least 1).
int64_t largestDivisorAtMost(int64_t size, int64_t limit) {
  for (int64_t p = std::min(size, limit); p > 1; --p)
    if (size % p == 0)
      return p;
  return 1;
}

/// Tile sizes of an epilogue with loop ranges [N, OH, OW, Ob, B] (conv) or
/// [N, Ob, B] (dense): P pixels (rows) by one block of B channels.
SmallVector<int64_t> registerTile(ArrayRef<int64_t> ranges,
                                  unsigned accumulatorBits, int64_t vectorBits,
                                  int64_t registers) {
  int64_t block = ranges.back();
  int64_t perPixel =
      std::max<int64_t>(1, llvm::divideCeil(block * accumulatorBits,
                                            vectorBits));
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
      if (op->hasAttr(kRegisterTileAttr))
        epilogues.push_back(op);
    });
    for (linalg::GenericOp epilogue : epilogues)
      if (failed(tileEpilogue(epilogue)))
        return signalPassFailure();
    if (failed(vectorizeTiles()))
      return signalPassFailure();
  }

  /// Tiles `epilogue` into register tiles with its accumulator chain fused,
  /// then tiles the fused word reductions by one word.
  LogicalResult tileEpilogue(linalg::GenericOp epilogue) {
    MLIRContext *ctx = &getContext();
    SmallVector<int64_t> ranges = epilogue.getStaticLoopRanges();
    if (ShapedType::isDynamicShape(ranges) ||
        (ranges.size() != 3 && ranges.size() != 5))
      return epilogue.emitError("bnn-tile: expected a static blocked "
                                "epilogue of rank 3 or 5");
    // Accumulators of the popcounts are words: the first input's type.
    auto popcountType =
        cast<RankedTensorType>(epilogue.getDpsInputs()[0].getType());
    SmallVector<int64_t> tile =
        registerTile(ranges, popcountType.getElementTypeBitWidth(), vectorBits,
                     registers);
    LLVM_DEBUG(llvm::dbgs() << "bnn-tile: " << epilogue.getLoc() << " tile "
                            << llvm::interleaved(tile) << "\n");

    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(getAsIndexOpFoldResult(ctx, tile));
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);
    // Only the accumulator chain joins the tile: producers whose result has
    // the epilogue's iteration shape (the fill and the per-tap generics).
    // Per-channel constants and corrections stay outside, computed once.
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer,
            bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          auto type = dyn_cast<RankedTensorType>(producer.getType());
          if (!type || type.getShape() != ArrayRef<int64_t>(ranges) ||
              !isa<linalg::LinalgOp>(producer.getOwner()))
            return std::nullopt;
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        });

    IRRewriter rewriter(ctx);
    rewriter.setInsertionPoint(epilogue);
    FailureOr<scf::SCFTileAndFuseResult> tiled =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
    if (failed(tiled))
      return epilogue.emitError("bnn-tile: tiling the packed kernel failed");
    for (OpResult result : epilogue->getResults())
      rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
    rewriter.eraseOp(epilogue);

    // Word reductions of the fused generics: one word per iteration.
    for (Operation *op : tiled->tiledAndFusedOps) {
      auto generic = dyn_cast<linalg::GenericOp>(op);
      if (!generic || generic.getNumReductionLoops() == 0)
        continue;
      SmallVector<int64_t> reductionTile;
      for (utils::IteratorType it : generic.getIteratorTypesArray())
        reductionTile.push_back(it == utils::IteratorType::reduction ? 1 : 0);
      scf::SCFTilingOptions wordTiling;
      wordTiling.setTileSizes(getAsIndexOpFoldResult(ctx, reductionTile));
      rewriter.setInsertionPoint(generic);
      FailureOr<scf::SCFTilingResult> words =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(generic.getOperation()), wordTiling);
      if (failed(words))
        return generic.emitError("bnn-tile: tiling the word reduction failed");
      rewriter.replaceOp(generic, words->replacements);
    }
    return success();
  }

  /// Vectorizes every linalg op inside a tile loop, keeps the accumulators
  /// in registers across the word loops and the taps, and lowers the vector
  /// ops that have no direct LLVM form.
  LogicalResult vectorizeTiles() {
    MLIRContext *ctx = &getContext();
    func::FuncOp func = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<scf::ForOp>() && op.hasPureTensorSemantics() &&
          !ShapedType::isDynamicShape(op.getStaticLoopRanges()))
        candidates.push_back(op);
    });
    IRRewriter rewriter(ctx);
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result =
          linalg::vectorize(rewriter, op);
      if (failed(result)) {
        LLVM_DEBUG(llvm::dbgs() << "bnn-tile: not vectorized: " << op << "\n");
        continue;
      }
      rewriter.replaceOp(op, result->replacements);
    }

    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    vector::populateDropUnitDimWithShapeCastPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
    FrozenRewritePatternSet frozen(std::move(patterns));
    if (failed(applyPatternsGreedily(func, frozen)))
      return func.emitError("bnn-tile: vector cleanup did not converge");

    // The accumulator read and write of each word loop move out of it (the
    // pairs match once the transfers are in their final form), then the
    // forwarding across taps runs once more.
    SmallVector<scf::ForOp> loops;
    func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      hoistLoopInvariantSubsets(rewriter, loop);
    if (failed(applyPatternsGreedily(func, frozen)))
      return func.emitError("bnn-tile: vector cleanup did not converge");
    return success();
  }
};

} // namespace
