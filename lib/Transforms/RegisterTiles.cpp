//===- RegisterTiles.cpp - Shared steps of the register-tiling passes -----===//

#include "RegisterTiles.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "bnn-register-tiles"

using namespace mlir;

int64_t bnn::largestDivisorAtMost(int64_t size, int64_t limit) {
  for (int64_t p = std::min(size, limit); p > 1; --p)
    if (size % p == 0)
      return p;
  return 1;
}

FailureOr<bnn::FusedTile>
bnn::tileAndFuseProducers(RewriterBase &rewriter, TilingInterface consumer,
                          ArrayRef<int64_t> tileSizes,
                          function_ref<bool(OpResult)> shouldFuse) {
  MLIRContext *ctx = rewriter.getContext();
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(getAsIndexOpFoldResult(ctx, tileSizes));
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (!shouldFuse(producer))
          return std::nullopt;
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      });
  rewriter.setInsertionPoint(consumer);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, consumer, options);
  if (failed(tiled))
    return failure();
  for (OpResult result : consumer->getResults())
    rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
  rewriter.eraseOp(consumer);
  return FusedTile{SmallVector<Operation *>(tiled->tiledAndFusedOps.begin(),
                                            tiled->tiledAndFusedOps.end()),
                   tiled->loops};
}

void bnn::populateAllCanonicalizationPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
}

FailureOr<linalg::LinalgOp> bnn::tileLinalgOp(RewriterBase &rewriter,
                                              linalg::LinalgOp op,
                                              ArrayRef<int64_t> tileSizes) {
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tileSizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), tiling);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return cast<linalg::LinalgOp>(tiled->tiledOps.front());
}

FailureOr<linalg::LinalgOp> bnn::tileReductionsByOne(RewriterBase &rewriter,
                                                     linalg::LinalgOp op) {
  if (op.getNumReductionLoops() == 0)
    return op;
  SmallVector<int64_t> tileSizes;
  for (utils::IteratorType it : op.getIteratorTypesArray())
    tileSizes.push_back(it == utils::IteratorType::reduction ? 1 : 0);
  return tileLinalgOp(rewriter, op, tileSizes);
}

LogicalResult bnn::vectorizeRegisterTiles(func::FuncOp func,
                                          ArrayRef<linalg::LinalgOp> tileOps,
                                          StringRef passName) {
  MLIRContext *ctx = func.getContext();
  IRRewriter rewriter(ctx);
  for (linalg::LinalgOp op : tileOps) {
    if (!op.hasPureTensorSemantics() ||
        ShapedType::isDynamicShape(op.getStaticLoopRanges()))
      continue;
    rewriter.setInsertionPoint(op);
    // Contractions (float matmul tiles) as vector.contract, which lowers to
    // outer products: FMAs.
    FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
        rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
        /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/true);
    if (failed(result)) {
      LLVM_DEBUG(llvm::dbgs()
                 << passName << ": not vectorized: " << op << "\n");
      continue;
    }
    rewriter.replaceOp(op, result->replacements);
  }

  // Float matmul and convolution tiles: one outer product (an FMA per
  // accumulator register) per reduction step. Lowered first and on their
  // own: the unit-dimension patterns below would otherwise reshape the
  // contractions back and forth.
  RewritePatternSet contractions(ctx);
  vector::populateVectorContractLoweringPatterns(
      contractions, vector::VectorContractLowering::OuterProduct);
  vector::populateVectorTransferPermutationMapLoweringPatterns(contractions);
  if (failed(applyPatternsGreedily(func, std::move(contractions))))
    return func.emitError()
           << passName << ": lowering the contractions did not converge";

  RewritePatternSet patterns(ctx);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorBroadcastLoweringPatterns(patterns);
  vector::populateVectorTransposeLoweringPatterns(
      patterns, vector::VectorTransposeLowering::Shuffle1D);
  vector::populateVectorMultiReductionLoweringPatterns(
      patterns, vector::VectorMultiReductionLowering::InnerParallel);
  vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
  vector::populateVectorTransferDropUnitDimsPatterns(patterns);
  vector::populateDropUnitDimWithShapeCastPatterns(patterns);
  vector::populateSinkVectorOpsPatterns(patterns);
  populateAllCanonicalizationPatterns(patterns);
  // Not the rewrite of a chain of row inserts into one from_elements of
  // every scalar: on the accumulator tiles it multiplies the IR (and the
  // compile time) several times over; LLVM gets the rows as they are.
  FrozenRewritePatternSet frozen(
      std::move(patterns),
      /*disabledPatternLabels=*/{
          "(anonymous namespace)::InsertChainFullyInitialized"});
  if (failed(applyPatternsGreedily(func, frozen)))
    return func.emitError() << passName << ": vector cleanup did not converge";

  // The accumulator read and write of each reduction loop move out of it
  // (the pairs match once the transfers are in their final form), then the
  // forwarding between consecutive loops runs once more.
  SmallVector<scf::ForOp> loops;
  func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
  for (scf::ForOp loop : loops)
    hoistLoopInvariantSubsets(rewriter, loop);
  if (failed(applyPatternsGreedily(func, frozen)))
    return func.emitError() << passName << ": vector cleanup did not converge";
  return success();
}
