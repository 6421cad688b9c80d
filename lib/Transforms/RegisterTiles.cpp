//===- RegisterTiles.cpp - Shared steps of the register-tiling passes -----===//

#include "RegisterTiles.h"

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "bnn-register-tiles"

using namespace mlir;

ArrayRef<std::string> bnn::getRegisterTileDisabledPatterns() {
  static const std::string labels[] = {
      "(anonymous namespace)::InsertChainFullyInitialized"};
  return labels;
}

std::unique_ptr<Pass> bnn::createRegisterTileCanonicalizerPass() {
  return createCanonicalizerPass(GreedyRewriteConfig(),
                                 getRegisterTileDisabledPatterns());
}

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

namespace {
/// transpose(broadcast(v)) -> broadcast(shape_cast(v)) when the transpose
/// keeps the dims that carry v's elements in their order, so that only unit
/// dims move: a tile's input words read once per pixel and broadcast along
/// the channel lanes ([P] -> [B, P] -> transpose [P, B]) become one splat
/// per pixel ([P] -> [P, 1] -> [P, B]) instead of B * P element inserts and
/// a shuffle. Upstream's fold covers only the results that are a broadcast
/// as they are.
struct TransposeOfBroadcastToBroadcast
    : public OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto broadcast = op.getVector().getDefiningOp<vector::BroadcastOp>();
    if (!broadcast)
      return rewriter.notifyMatchFailure(op, "not a transposed broadcast");
    auto sourceType = dyn_cast<VectorType>(broadcast.getSourceType());
    VectorType broadcastType = broadcast.getResultVectorType();
    if (!sourceType || sourceType.isScalable() || broadcastType.isScalable())
      return rewriter.notifyMatchFailure(op, "scalar or scalable source");
    int64_t rank = broadcastType.getRank();
    int64_t leading = rank - sourceType.getRank();
    SmallVector<int64_t> castShape;
    int64_t lastCarried = -1;
    for (int64_t dim : op.getPermutation()) {
      int64_t size = broadcastType.getDimSize(dim);
      bool carried = dim >= leading && size != 1 &&
                     sourceType.getDimSize(dim - leading) == size;
      if (!carried) {
        castShape.push_back(1);
        continue;
      }
      if (dim < lastCarried)
        return rewriter.notifyMatchFailure(op, "reorders the source's dims");
      lastCarried = dim;
      castShape.push_back(size);
    }
    Value cast = vector::ShapeCastOp::create(
        rewriter, op.getLoc(),
        VectorType::get(castShape, sourceType.getElementType()),
        broadcast.getSource());
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(
        op, op.getResultVectorType(), cast);
    return success();
  }
};

/// shape_cast(broadcast(v)) -> broadcast(shape_cast(v)) when the shape_cast
/// only drops unit dims and leaves none: a tile's operands broadcast to the
/// loop rank ([1, 1, P, 1, B, 1], the unit dims of the taps and words
/// stepped by one) and then reshaped to the accumulator's [P, B] broadcast
/// to [P, B] directly. Upstream folds only sources broadcastable to the
/// result as it is.
struct ShapeCastOfBroadcastDropUnitDims
    : public OpRewritePattern<vector::ShapeCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::ShapeCastOp op,
                                PatternRewriter &rewriter) const override {
    auto broadcast = op.getSource().getDefiningOp<vector::BroadcastOp>();
    if (!broadcast)
      return rewriter.notifyMatchFailure(op, "not a reshaped broadcast");
    VectorType resultType = op.getResultVectorType();
    VectorType broadcastType = broadcast.getResultVectorType();
    if (resultType.isScalable() || broadcastType.isScalable() ||
        llvm::is_contained(resultType.getShape(), 1))
      return rewriter.notifyMatchFailure(op, "scalable or keeps unit dims");
    SmallVector<int64_t> kept;
    for (auto [dim, size] : llvm::enumerate(broadcastType.getShape()))
      if (size != 1)
        kept.push_back(dim);
    if (!llvm::equal(
            llvm::map_range(
                kept, [&](int64_t d) { return broadcastType.getDimSize(d); }),
            resultType.getShape()))
      return rewriter.notifyMatchFailure(op, "not a drop of unit dims");
    Value source = broadcast.getSource();
    auto sourceType = dyn_cast<VectorType>(source.getType());
    if (!sourceType)
      // A scalar broadcasts to any shape.
      return rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, resultType,
                                                              source),
             success();
    if (sourceType.isScalable())
      return rewriter.notifyMatchFailure(op, "scalable source");
    int64_t leading = broadcastType.getRank() - sourceType.getRank();
    SmallVector<int64_t> castShape;
    for (int64_t dim : kept)
      castShape.push_back(dim < leading ? 1
                                        : sourceType.getDimSize(dim - leading));
    Value cast = vector::ShapeCastOp::create(
        rewriter, op.getLoc(),
        VectorType::get(castShape, sourceType.getElementType()), source);
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, resultType, cast);
    return success();
  }
};

/// True when `value` holds 1 << i in lane i of its innermost dim (of size
/// the element width): a constant, or shli(1, index_cast(vector.step)),
/// possibly broadcast over outer dims.
bool isLaneBits(Value value) {
  while (auto broadcast = value.getDefiningOp<vector::BroadcastOp>())
    value = broadcast.getSource();
  auto type = dyn_cast<VectorType>(value.getType());
  if (!type || type.getRank() != 1)
    return false;
  DenseIntElementsAttr constant;
  if (matchPattern(value, m_Constant(&constant)))
    return llvm::all_of(
        llvm::enumerate(constant.getValues<APInt>()),
        [](auto lane) { return lane.value().isOneBitSet(lane.index()); });
  auto shift = value.getDefiningOp<arith::ShLIOp>();
  if (!shift || !matchPattern(shift.getLhs(), m_One()))
    return false;
  auto cast = shift.getRhs().getDefiningOp<arith::IndexCastOp>();
  return cast && cast.getIn().getDefiningOp<vector::StepOp>();
}

/// multi_reduction<or>(select(c, lane bits, 0)) over an innermost dim of
/// W lanes into iW words -> acc | bitcast(c): the bit-packing of bnn.pack
/// and bnn.threshold as one vector compare and a mask move (kmov on
/// AVX-512, movmsk on AVX2) instead of W shifts, selects and ORs.
struct OrReductionOfLaneBitsToBitcast
    : public OpRewritePattern<vector::MultiDimReductionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::MultiDimReductionOp op,
                                PatternRewriter &rewriter) const override {
    VectorType sourceType = op.getSourceVectorType();
    int64_t rank = sourceType.getRank();
    if (op.getKind() != vector::CombiningKind::OR || sourceType.isScalable() ||
        op.getReductionDims() != ArrayRef<int64_t>{rank - 1})
      return rewriter.notifyMatchFailure(op, "not an OR over the lanes");
    Type wordType = sourceType.getElementType();
    if (!wordType.isInteger() ||
        sourceType.getShape().back() != wordType.getIntOrFloatBitWidth())
      return rewriter.notifyMatchFailure(op, "not one word of lanes");
    auto select = op.getSource().getDefiningOp<arith::SelectOp>();
    if (!select || !isa<VectorType>(select.getCondition().getType()) ||
        !matchPattern(select.getFalseValue(), m_Zero()) ||
        !isLaneBits(select.getTrueValue()))
      return rewriter.notifyMatchFailure(op, "not a select of lane bits");
    SmallVector<int64_t> wordsShape(sourceType.getShape());
    wordsShape.back() = 1;
    Location loc = op.getLoc();
    Value words = vector::BitCastOp::create(
        rewriter, loc, VectorType::get(wordsShape, wordType),
        select.getCondition());
    Value acc = op.getAcc();
    if (auto accType = dyn_cast<VectorType>(acc.getType()))
      words = vector::ShapeCastOp::create(rewriter, loc, accType, words);
    else
      words = vector::ExtractOp::create(rewriter, loc, words,
                                        SmallVector<int64_t>(rank, 0));
    rewriter.replaceOpWithNewOp<arith::OrIOp>(op, acc, words);
    return success();
  }
};
} // namespace

void bnn::populateBitPackingPatterns(RewritePatternSet &patterns) {
  patterns.add<OrReductionOfLaneBitsToBitcast>(patterns.getContext());
}

void bnn::populateBroadcastFoldingPatterns(RewritePatternSet &patterns) {
  patterns
      .add<TransposeOfBroadcastToBroadcast, ShapeCastOfBroadcastDropUnitDims>(
          patterns.getContext());
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
  populateBitPackingPatterns(contractions);
  if (failed(applyPatternsGreedily(func, std::move(contractions))))
    return func.emitError()
           << passName << ": lowering the contractions did not converge";

  // Unit dims (the taps and words stepped by one) dropped before any
  // broadcast or transpose is lowered: a broadcast to [B, 1] lowers to B
  // element inserts, a broadcast to [B] to one splat.
  RewritePatternSet unitDims(ctx);
  vector::populateCastAwayVectorLeadingOneDimPatterns(unitDims);
  vector::populateVectorTransferDropUnitDimsPatterns(unitDims);
  vector::populateDropUnitDimWithShapeCastPatterns(unitDims);
  vector::populateSinkVectorOpsPatterns(unitDims);
  populateBroadcastFoldingPatterns(unitDims);
  populateAllCanonicalizationPatterns(unitDims);
  if (failed(applyPatternsGreedily(
          func, FrozenRewritePatternSet(std::move(unitDims),
                                        getRegisterTileDisabledPatterns()))))
    return func.emitError()
           << passName << ": dropping unit dimensions did not converge";

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
      /*disabledPatternLabels=*/getRegisterTileDisabledPatterns());
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
