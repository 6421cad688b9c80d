//===- Vectorize.cpp - Register tiles for the float layers ----------------===//
//
// bnn-vectorize: the upstream tile-decompose-vectorize path for the float
// convolutions and matmuls that bnn-tile does not handle (a model's first
// convolution, its classifier, the float code of a training step). What is
// ours is the choice of the register tile.
//
//===----------------------------------------------------------------------===//

#include "RegisterTiles.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "bnn-vectorize"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNVECTORIZE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// A linalg op the pass may tile: static tensors, not inside a loop
/// (bnn-tile's register tiles already are).
bool isTopLevelStatic(linalg::LinalgOp op) {
  return op.hasPureTensorSemantics() && !op->getParentOfType<scf::ForOp>() &&
         !ShapedType::isDynamicShape(op.getStaticLoopRanges());
}

bool hasFloatOperands(linalg::LinalgOp op) {
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    return isa<FloatType>(getElementTypeOrSelf(type));
  });
}

/// Fills and elementwise generics (batch norm, bias, activations, packing),
/// possibly with a short reduction (the bits of a packed word): left to
/// LLVM's loop
/// vectorizer, a loop nest over NHWC with few channels gets gathers and
/// scatters across pixels.
constexpr int64_t kMaxReductionElements = 256;

/// A projection that keeps the loop order ((d0, d2) but not (d2, d0)):
/// vectors read and written along the innermost loop need no transposes,
/// which lower element by element.
bool isOrderedProjection(AffineMap map) {
  if (!map.isProjectedPermutation())
    return false;
  int64_t previous = -1;
  for (AffineExpr result : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(result);
    if (!dim)
      return false; // The zero of a broadcast map.
    if (static_cast<int64_t>(dim.getPosition()) <= previous)
      return false;
    previous = dim.getPosition();
  }
  return true;
}

bool isRowwiseGeneric(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp, linalg::FillOp>(op) ||
      op.getNumParallelLoops() == 0 ||
      !llvm::all_of(op.getIndexingMapsArray(), isOrderedProjection) ||
      failed(linalg::vectorizeOpPrecondition(op)))
    return false;
  int64_t reductionElements = 1;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (auto [range, iterator] : llvm::zip(ranges, op.getIteratorTypesArray()))
    if (iterator == utils::IteratorType::reduction)
      reductionElements *= range;
  return reductionElements <= kMaxReductionElements;
}

/// Only the zero fill of the accumulators joins a tile.
bool isFill(OpResult producer) {
  return isa<linalg::FillOp>(producer.getOwner());
}

struct BNNVectorizePass : public bnn::impl::BNNVectorizeBase<BNNVectorizePass> {
  using BNNVectorizeBase::BNNVectorizeBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    if (vectorBits < 64 || registers < 2) {
      func.emitError("bnn-vectorize: expected vector-bits >= 64 and "
                     "registers >= 2, got ")
          << static_cast<int64_t>(vectorBits) << " and "
          << static_cast<int64_t>(registers);
      return signalPassFailure();
    }

    RewritePatternSet layouts(ctx);
    populateVectorKernelLayoutPatterns(layouts);
    // A pad becomes a fill (vectorized below) and an insert_slice, as
    // bufferization would make it, but early enough for the fill to be seen.
    linalg::populateDecomposePadPatterns(layouts);
    if (failed(applyPatternsGreedily(func, std::move(layouts))))
      return signalPassFailure();

    SmallVector<linalg::LinalgOp> kernels;
    SmallVector<linalg::LinalgOp> rows;
    func.walk([&](linalg::LinalgOp op) {
      if (!isTopLevelStatic(op))
        return;
      if (isa<linalg::Conv2DNhwcHwcfOp, linalg::MatmulOp>(op) &&
          hasFloatOperands(op))
        kernels.push_back(op);
      else if (isRowwiseGeneric(op))
        rows.push_back(op);
    });
    PatternRewriter rewriter(ctx);
    SmallVector<linalg::LinalgOp> tileOps;
    for (linalg::LinalgOp kernel : kernels)
      if (failed(tileKernel(rewriter, kernel, tileOps)))
        return signalPassFailure();
    for (linalg::LinalgOp row : rows)
      if (failed(tileRows(rewriter, row, tileOps)))
        return signalPassFailure();
    if (failed(vectorizeRegisterTiles(func, tileOps, getArgument())))
      return signalPassFailure();
  }

  /// Tile sizes of a convolution (loops N, OH, OW, F, KH, KW, C) or matmul
  /// (M, N, K): `pixels` rows by `channels` output channels; reductions are
  /// tiled separately.
  SmallVector<int64_t> registerTile(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    bool conv = isa<linalg::Conv2DNhwcHwcfOp>(op);
    unsigned pixelDim = conv ? 2 : 0, channelDim = conv ? 3 : 1;
    unsigned elementBits = getElementTypeOrSelf(op->getResult(0).getType())
                               .getIntOrFloatBitWidth();
    int64_t lanes = std::max<int64_t>(1, vectorBits / elementBits);
    int64_t channels = largestDivisorAtMost(ranges[channelDim], 2 * lanes);
    int64_t perPixel = llvm::divideCeil(channels, lanes);
    int64_t budget = std::max<int64_t>(1, registers / 2 / perPixel);
    SmallVector<int64_t> tile(ranges.size(), 0);
    for (unsigned d = 0; d < channelDim; ++d)
      tile[d] = 1;
    tile[pixelDim] = largestDivisorAtMost(ranges[pixelDim], budget);
    tile[channelDim] = channels;
    return tile;
  }

  /// Tiles an elementwise generic into vectors along its innermost parallel
  /// loop (at most four vectors of 32-bit lanes), one step of every other
  /// parallel loop, its reduction whole; appends the tile to `tileOps`.
  LogicalResult tileRows(RewriterBase &rewriter, linalg::LinalgOp op,
                         SmallVectorImpl<linalg::LinalgOp> &tileOps) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<int64_t> tile(ranges.size(), 0);
    int64_t innermost = -1;
    for (auto [d, iterator] : llvm::enumerate(iterators))
      if (iterator == utils::IteratorType::parallel) {
        tile[d] = 1;
        innermost = d;
      }
    int64_t lanes = std::max<int64_t>(1, vectorBits / 32);
    tile[innermost] = largestDivisorAtMost(ranges[innermost], 4 * lanes);
    Location loc = op.getLoc();
    FailureOr<linalg::LinalgOp> tiled = tileLinalgOp(rewriter, op, tile);
    if (failed(tiled))
      return emitError(loc, "bnn-vectorize: tiling an elementwise op failed");
    tileOps.push_back(*tiled);
    return success();
  }

  /// Tiles `kernel` and appends the ops of its tiles to `tileOps`.
  LogicalResult tileKernel(PatternRewriter &rewriter, linalg::LinalgOp kernel,
                           SmallVectorImpl<linalg::LinalgOp> &tileOps) {
    SmallVector<int64_t> tile = registerTile(kernel);
    LLVM_DEBUG(llvm::dbgs() << "bnn-vectorize: " << kernel->getName() << " at "
                            << kernel.getLoc() << " tile "
                            << llvm::interleaved(tile) << "\n");
    FailureOr<FusedTile> tiled = tileAndFuseProducers(
        rewriter, cast<TilingInterface>(kernel.getOperation()), tile, isFill);
    if (failed(tiled))
      return kernel.emitError("bnn-vectorize: tiling failed");
    for (Operation *op : tiled->ops) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      if (!linalgOp)
        continue;
      FailureOr<linalg::LinalgOp> step =
          tileReductionsByOne(rewriter, linalgOp);
      if (failed(step))
        return op->emitError("bnn-vectorize: tiling the reduction failed");
      // A step of a convolution tile has a 1x1 window: a 1-D convolution,
      // which the vectorizer takes.
      if (auto conv =
              dyn_cast<linalg::Conv2DNhwcHwcfOp>(step->getOperation())) {
        rewriter.setInsertionPoint(conv);
        FailureOr<linalg::Conv1DNwcWcfOp> conv1d =
            linalg::DownscaleSizeOneWindowed2DConvolution<
                linalg::Conv2DNhwcHwcfOp, linalg::Conv1DNwcWcfOp>(
                rewriter.getContext())
                .returningMatchAndRewrite(conv, rewriter);
        if (failed(conv1d))
          return conv.emitError("bnn-vectorize: a convolution step is not a "
                                "1-D convolution");
        step = cast<linalg::LinalgOp>(conv1d->getOperation());
      }
      tileOps.push_back(*step);
    }
    return success();
  }
};

} // namespace
