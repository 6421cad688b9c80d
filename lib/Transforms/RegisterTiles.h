//===- RegisterTiles.h - Shared steps of the register-tiling passes -------===//
//
// bnn-tile (packed kernels) and bnn-vectorize (float and elementwise kernels)
// build register tiles the same way: tile the parallel loops and fuse the
// accumulator's producers (TilingInterface), tile the reductions by one
// step, vectorize every linalg op inside the tile loops, and hoist the
// accumulators out of the reduction loops so they stay in registers.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_LIB_TRANSFORMS_REGISTERTILES_H
#define BNN_LIB_TRANSFORMS_REGISTERTILES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::bnn {

/// The largest divisor of `size` that is at most `limit` (at least 1).
int64_t largestDivisorAtMost(int64_t size, int64_t limit);

/// The ops of a tile made by tileAndFuseProducers and its loops, outermost
/// first (one per tiled dimension).
struct FusedTile {
  SmallVector<Operation *> ops;
  SmallVector<LoopLikeOpInterface> loops;
};

/// Tiles `consumer` by `tileSizes` (0: not tiled) and fuses into the tile the
/// producers of its operands for which `shouldFuse` holds, transitively.
/// Replaces `consumer`.
FailureOr<FusedTile>
tileAndFuseProducers(RewriterBase &rewriter, TilingInterface consumer,
                     ArrayRef<int64_t> tileSizes,
                     function_ref<bool(OpResult)> shouldFuse);

/// Appends the canonicalization patterns of every loaded dialect and
/// registered op.
void populateAllCanonicalizationPatterns(RewritePatternSet &patterns);

/// Tiles `op` by `tileSizes` (0: not tiled) into scf.for loops and replaces
/// it; returns the tiled op.
FailureOr<linalg::LinalgOp> tileLinalgOp(RewriterBase &rewriter,
                                         linalg::LinalgOp op,
                                         ArrayRef<int64_t> tileSizes);

/// Tiles every reduction loop of `op` by one iteration (loops nest in the
/// op's loop order) and replaces `op`; returns the tiled op (`op` itself
/// when it has no reduction).
FailureOr<linalg::LinalgOp> tileReductionsByOne(RewriterBase &rewriter,
                                                linalg::LinalgOp op);

/// A transpose that moves only unit dims of a broadcast, and a shape_cast
/// that drops every unit dim of one, folded into the broadcast (see
/// RegisterTiles.cpp): broadcasts to [P, B], which lower to splats, instead
/// of broadcasts to [B, 1] or [B, P], which lower to element inserts.
void populateBroadcastFoldingPatterns(RewritePatternSet &patterns);

/// An OR-reduction of (c ? 1 << lane : 0) over the W lanes of an iW word
/// becomes a bitcast of the compare c: packing bits with one mask move.
void populateBitPackingPatterns(RewritePatternSet &patterns);

/// Vectorizes `tileOps` (the linalg ops of register tiles; ops the
/// vectorizer rejects stay as they are), lowers the vector ops of `func`
/// that have no direct LLVM form (contractions become outer products, that
/// is FMAs), and hoists the accumulator reads and writes out of the loops.
/// `passName` prefixes the errors.
LogicalResult vectorizeRegisterTiles(func::FuncOp func,
                                     ArrayRef<linalg::LinalgOp> tileOps,
                                     StringRef passName);

} // namespace mlir::bnn

#endif // BNN_LIB_TRANSFORMS_REGISTERTILES_H
