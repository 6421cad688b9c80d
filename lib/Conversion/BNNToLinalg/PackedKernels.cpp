//===- PackedKernels.cpp - bconv2d and bdense in the blocked layout ------===//
//
// (Above 500 lines on purpose: the two blocked lowerings share the filter
// re-layout, the live-bit counts and the border corrections, which only
// make sense together.)
//
// The fast formulation of the packed reductions, the one bnn-tile turns into
// register tiles. Output channels are grouped in blocks of B (the vector
// lanes of a tile): filters are re-laid out once as [O/B, ..., words, B], so
// a tile reads B filter words contiguously, and accumulators are
// [..., O/B, B]. The inner loop is only XOR, popcount and add:
//
//   S[.., o] = sum over taps and words of popcount((x XOR w) AND m)
//   acc[.., o] = C0[o] - 2 * S[.., o] (+ border corrections)
//
// where m is the filter mask of a ternary filter and the logical bits of the
// tail word (each only when there is one), and C0[o] the number of live
// bits (logical and unmasked) of filter o: the dot product of DESIGN.md
// section 2 summed over words. A convolution is one linalg.generic per tap
// (kh, kw) on a strided slice of the padded input, so that every indexing
// map is a projected permutation and upstream tiling, fusion and
// vectorization apply. Padded taps read the word 0 (+1): exact for
// pad_value = 1; for exact zero padding the contribution of the taps outside
// the input is removed by per-row and per-column corrections and, where a
// row and a column are both at the border, a corner correction (inclusion
// and exclusion over the rows and columns of the kernel).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::bnn;
using namespace mlir::bnn::lowering;

namespace {

/// [O, d1, ..., dk] -> [ceil(O / B), d1, ..., dk, B]: output channel
/// o = ob * B + oi of the blocked tensor. Channels past O are 0 words; their
/// results are sliced away. Constant filters are re-laid out at compile time.
Value blockOutputChannels(OpBuilder &b, Location loc, Value filter,
                          int64_t block) {
  auto type = cast<RankedTensorType>(filter.getType());
  int64_t channels = type.getDimSize(0);
  int64_t blocks = llvm::divideCeil(channels, block);
  ArrayRef<int64_t> inner = type.getShape().drop_front();
  int64_t innerSize = 1;
  for (int64_t d : inner)
    innerSize *= d;
  SmallVector<int64_t> blockedShape = {blocks};
  llvm::append_range(blockedShape, inner);
  blockedShape.push_back(block);
  auto blockedType = type.clone(blockedShape);

  DenseIntElementsAttr values;
  if (matchPattern(filter, m_Constant(&values))) {
    if (values.isSplat())
      return arith::ConstantOp::create(b, loc, values.resizeSplat(blockedType));
    unsigned bits = type.getElementTypeBitWidth();
    SmallVector<APInt> source(values.getValues<APInt>());
    SmallVector<APInt> blocked(blocks * innerSize * block, APInt(bits, 0));
    for (int64_t o = 0; o < channels; ++o)
      for (int64_t i = 0; i < innerSize; ++i)
        blocked[((o / block) * innerSize + i) * block + o % block] =
            source[o * innerSize + i];
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(blockedType, blocked));
  }

  // Run time: pad the channels, split them, move the block innermost.
  SmallVector<int64_t> low(type.getRank(), 0), high(type.getRank(), 0);
  high[0] = blocks * block - channels;
  Value padded = pad(b, loc, filter, low, high,
                     constantInt(b, loc, type.getElementType(), 0));
  SmallVector<int64_t> splitShape = {blocks, block};
  llvm::append_range(splitShape, inner);
  SmallVector<ReassociationIndices> reassociation = {{0, 1}};
  for (int64_t i = 1, e = type.getRank(); i < e; ++i)
    reassociation.push_back({i + 1});
  Value split = tensor::ExpandShapeOp::create(b, loc, type.clone(splitShape),
                                              padded, reassociation);
  SmallVector<int64_t> permutation = {0};
  for (int64_t i = 2, e = type.getRank() + 1; i < e; ++i)
    permutation.push_back(i);
  permutation.push_back(1);
  Value init =
      tensor::EmptyOp::create(b, loc, blockedShape, type.getElementType());
  return linalg::TransposeOp::create(b, loc, split, init, permutation)
      .getResult()[0];
}

/// Blocked accumulators [..., ceil(O / B), B] -> [..., O].
Value unblockOutputChannels(OpBuilder &b, Location loc, Value blocked,
                            RankedTensorType resultType) {
  auto type = cast<RankedTensorType>(blocked.getType());
  int64_t rank = type.getRank();
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0; i < rank - 2; ++i)
    reassociation.push_back({i});
  reassociation.push_back({rank - 2, rank - 1});
  Value flat = tensor::CollapseShapeOp::create(b, loc, blocked, reassociation);
  if (cast<RankedTensorType>(flat.getType()) == resultType)
    return flat;
  SmallVector<OpFoldResult> offsets(rank - 1, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(rank - 1, b.getIndexAttr(1));
  for (int64_t d : resultType.getShape())
    sizes.push_back(b.getIndexAttr(d));
  return tensor::ExtractSliceOp::create(b, loc, resultType, flat, offsets,
                                        sizes, strides);
}

/// ANDs the masks of `masks` (null entries skipped) into `word`.
Value applyMasks(OpBuilder &b, Location loc, Value word, ValueRange masks) {
  for (Value m : masks)
    word = arith::AndIOp::create(b, loc, word, m);
  return word;
}

/// popcount of a word as i32.
Value popcountI32(OpBuilder &b, Location loc, Value word) {
  Value count = math::CtPopOp::create(b, loc, word);
  if (count.getType() == b.getI32Type())
    return count;
  return arith::TruncIOp::create(b, loc, b.getI32Type(), count);
}

/// The operands of one blocked reduction that are the same for every tap:
/// the blocked filter and mask and the tail-word mask (null when absent).
struct BlockedOperands {
  Value filter;
  Value mask;
  Value tail;
  int64_t block;
  int64_t blocks;
  int64_t logicalSize;
  unsigned wordBits;
  Type wordType;
};

BlockedOperands blockOperands(OpBuilder &b, Location loc, Value filter,
                              Value mask, int64_t logicalSize,
                              int64_t channelBlock) {
  BlockedOperands result;
  auto type = cast<RankedTensorType>(filter.getType());
  result.wordType = type.getElementType();
  result.wordBits = getWordBits(result.wordType);
  result.logicalSize = logicalSize;
  result.block = std::min<int64_t>(channelBlock, type.getDimSize(0));
  result.blocks = llvm::divideCeil(type.getDimSize(0), result.block);
  result.filter = blockOutputChannels(b, loc, filter, result.block);
  if (mask)
    result.mask = blockOutputChannels(b, loc, mask, result.block);
  if (logicalSize % result.wordBits != 0)
    result.tail = logicalBitsMask(b, loc, logicalSize, result.wordBits);
  return result;
}

/// Live bits (logical and unmasked; `setBits`: live weights that are -1)
/// per output channel, summed over the words of `ops.filter` [Ob, (taps...),
/// words, B]: i32 of shape [Ob, (taps...), B], or [Ob, B] when `reduceTaps`
/// also sums over the taps.
Value countFilterBits(OpBuilder &b, Location loc, const BlockedOperands &ops,
                      bool reduceTaps, bool setBits) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(ops.filter.getType());
  unsigned rank = type.getRank();
  unsigned wordDim = rank - 2;
  // Loops: the kept dims (d0 ob, [taps...], oi), then the reduced ones.
  SmallVector<unsigned> kept = {0};
  SmallVector<unsigned> reduced;
  int64_t reducedTaps = 1;
  for (unsigned d = 1; d < wordDim; ++d) {
    (reduceTaps ? reduced : kept).push_back(d);
    if (reduceTaps)
      reducedTaps *= type.getDimSize(d);
  }
  kept.push_back(rank - 1);
  reduced.push_back(wordDim);
  SmallVector<int64_t> resultShape;
  for (unsigned d : kept)
    resultShape.push_back(type.getDimSize(d));
  Type i32 = b.getI32Type();
  // Without a mask every logical bit is live: a fill, not a splat constant
  // (which would be stored element by element in the object).
  if (!setBits && !ops.mask)
    return filledTensor(
        b, loc, resultShape,
        constantInt(b, loc, i32, ops.logicalSize * reducedTaps));

  SmallVector<unsigned> order(kept);
  llvm::append_range(order, reduced);
  SmallVector<unsigned> loopOf(rank);
  for (auto [loop, dim] : llvm::enumerate(order))
    loopOf[dim] = loop;
  auto mapOf = [&](ArrayRef<unsigned> dims) {
    SmallVector<unsigned> loops;
    for (unsigned d : dims)
      loops.push_back(loopOf[d]);
    return AffineMap::getMultiDimMapWithTargets(rank, loops, ctx);
  };
  AffineMap filterMap = mapOf(llvm::to_vector(llvm::seq<unsigned>(0, rank)));
  SmallVector<Value> inputs = {ops.filter};
  SmallVector<AffineMap> maps = {filterMap};
  if (ops.mask) {
    inputs.push_back(ops.mask);
    maps.push_back(filterMap);
  }
  if (ops.tail) {
    inputs.push_back(ops.tail);
    maps.push_back(mapOf({wordDim}));
  }
  maps.push_back(AffineMap::getMultiDimMapWithTargets(
      rank, llvm::to_vector(llvm::seq<unsigned>(0, kept.size())), ctx));
  Value zero = filledTensor(b, loc, resultShape, constantInt(b, loc, i32, 0));
  Type wordType = ops.wordType;
  return generic(
      b, loc, zero, inputs, maps, iterators(kept.size(), reduced.size()),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value word = setBits ? args[0] : constantInt(nb, l, wordType, -1);
        word = applyMasks(nb, l, word, args.drop_front().drop_back());
        yieldValue(nb, l,
                   arith::AddIOp::create(nb, l, args.back(),
                                         popcountI32(nb, l, word)));
      });
}

/// S += popcount((x XOR w) AND masks) over the words, for one tap of a
/// convolution (or the whole dense layer). Loops: the parallel loops of
/// `accType` [..., Ob, B], then the word. `input` is indexed by the leading
/// loops and the word, the filter slice [Ob, words, B] by Ob, word, B.
Value accumulateXorPopcount(OpBuilder &b, Location loc, Value acc, Value input,
                            Value filter, Value mask, Value tail,
                            unsigned leadingLoops) {
  MLIRContext *ctx = b.getContext();
  unsigned loops = leadingLoops + 3;
  unsigned ob = leadingLoops, oi = leadingLoops + 1, word = leadingLoops + 2;
  SmallVector<unsigned> inputDims =
      llvm::to_vector(llvm::seq<unsigned>(0, leadingLoops));
  inputDims.push_back(word);
  AffineMap filterMap =
      AffineMap::getMultiDimMapWithTargets(loops, {ob, word, oi}, ctx);
  SmallVector<Value> inputs = {input, filter};
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimMapWithTargets(loops, inputDims, ctx), filterMap};
  if (mask) {
    inputs.push_back(mask);
    maps.push_back(filterMap);
  }
  if (tail) {
    inputs.push_back(tail);
    maps.push_back(AffineMap::getMultiDimMapWithTargets(loops, {word}, ctx));
  }
  maps.push_back(AffineMap::getMultiDimMapWithTargets(
      loops, llvm::to_vector(llvm::seq<unsigned>(0, leadingLoops + 2)), ctx));
  return generic(
      b, loc, acc, inputs, maps, iterators(leadingLoops + 2, 1),
      [](OpBuilder &nb, Location l, ValueRange args) {
        Value diff = arith::XOrIOp::create(nb, l, args[0], args[1]);
        diff = applyMasks(nb, l, diff, args.drop_front(2).drop_back());
        Value count = math::CtPopOp::create(nb, l, diff);
        yieldValue(nb, l, arith::AddIOp::create(nb, l, args.back(), count));
      });
}

/// acc = C0 - 2 * S (+ the corrections), the epilogue bnn-tile tiles.
/// `corrections` are i32 tensors read through `correctionMaps`.
Value epilogue(OpBuilder &b, Location loc, Value popcounts, Value liveBits,
               ValueRange corrections, ArrayRef<AffineMap> correctionMaps) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(popcounts.getType());
  unsigned rank = type.getRank();
  SmallVector<Value> inputs = {popcounts, liveBits};
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::getMultiDimMapWithTargets(rank, {rank - 2, rank - 1}, ctx)};
  llvm::append_range(inputs, corrections);
  llvm::append_range(maps, correctionMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(), b.getI32Type());
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators(rank, 0), [](OpBuilder &nb, Location l, ValueRange args) {
        Value count = args[0];
        if (count.getType() != nb.getI32Type())
          count = arith::TruncIOp::create(nb, l, nb.getI32Type(), count);
        Value twice = arith::AddIOp::create(nb, l, count, count);
        Value acc = arith::SubIOp::create(nb, l, args[1], twice);
        for (Value correction : args.drop_front(2).drop_back())
          acc = arith::AddIOp::create(nb, l, acc, correction);
        yieldValue(nb, l, acc);
      });
  op->setAttr(BNNDialect::getRegisterTileAttrName(), b.getUnitAttr());
  return op.getResult(0);
}

/// invalid[i][k] = 1 when output position i reads input position
/// i * stride + k * dilation - before outside [0, size), else 0.
SmallVector<SmallVector<int32_t>> invalidTaps(int64_t outSize, int64_t kernel,
                                              int64_t stride, int64_t dilation,
                                              int64_t before, int64_t size) {
  SmallVector<SmallVector<int32_t>> result(outSize,
                                           SmallVector<int32_t>(kernel, 0));
  for (int64_t i = 0; i < outSize; ++i)
    for (int64_t k = 0; k < kernel; ++k) {
      int64_t pos = i * stride + k * dilation - before;
      result[i][k] = (pos < 0 || pos >= size) ? 1 : 0;
    }
  return result;
}

/// Maximal runs [begin, end) of positions with at least one invalid tap.
SmallVector<std::pair<int64_t, int64_t>>
borderRuns(ArrayRef<SmallVector<int32_t>> invalid) {
  SmallVector<std::pair<int64_t, int64_t>> runs;
  for (int64_t i = 0, e = invalid.size(); i < e; ++i) {
    if (!llvm::is_contained(invalid[i], 1))
      continue;
    if (!runs.empty() && runs.back().second == i)
      runs.back().second = i + 1;
    else
      runs.push_back({i, i + 1});
  }
  return runs;
}

Value invalidTapConstant(OpBuilder &b, Location loc,
                         ArrayRef<SmallVector<int32_t>> invalid, int64_t begin,
                         int64_t end) {
  SmallVector<int32_t> flat;
  for (int64_t i = begin; i < end; ++i)
    llvm::append_range(flat, invalid[i]);
  auto type = RankedTensorType::get(
      {end - begin, static_cast<int64_t>(invalid[0].size())}, b.getI32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<int32_t>(flat)));
}

/// sum over taps of rowInvalid[r, kh] * colInvalid[c, kw] * (2 set - live)
/// per (r, c, ob, oi), for `rowInvalid` [R, KH] and `colInvalid` [C, KW]
/// (either may be null: all ones). Result [R?, C?, Ob, B] with the null
/// dimensions left out.
Value tapCorrection(OpBuilder &b, Location loc, Value rowInvalid,
                    Value colInvalid, Value live, Value set) {
  MLIRContext *ctx = b.getContext();
  auto countType = cast<RankedTensorType>(live.getType()); // [Ob, KH, KW, B]
  unsigned outer = (rowInvalid ? 1 : 0) + (colInvalid ? 1 : 0);
  // Loops: [r], [c], ob, oi | kh, kw.
  unsigned loops = outer + 4;
  unsigned ob = outer, oi = outer + 1, kh = outer + 2, kw = outer + 3;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<int64_t> shape;
  unsigned next = 0;
  if (rowInvalid) {
    inputs.push_back(rowInvalid);
    maps.push_back(
        AffineMap::getMultiDimMapWithTargets(loops, {next, kh}, ctx));
    shape.push_back(cast<RankedTensorType>(rowInvalid.getType()).getDimSize(0));
    ++next;
  }
  if (colInvalid) {
    inputs.push_back(colInvalid);
    maps.push_back(
        AffineMap::getMultiDimMapWithTargets(loops, {next, kw}, ctx));
    shape.push_back(cast<RankedTensorType>(colInvalid.getType()).getDimSize(0));
    ++next;
  }
  AffineMap countMap =
      AffineMap::getMultiDimMapWithTargets(loops, {ob, kh, kw, oi}, ctx);
  inputs.push_back(live);
  inputs.push_back(set);
  maps.push_back(countMap);
  maps.push_back(countMap);
  maps.push_back(AffineMap::getMultiDimMapWithTargets(
      loops, llvm::to_vector(llvm::seq<unsigned>(0, outer + 2)), ctx));
  shape.push_back(countType.getDimSize(0));
  shape.push_back(countType.getDimSize(3));
  Value zero =
      filledTensor(b, loc, shape, constantInt(b, loc, b.getI32Type(), 0));
  return generic(b, loc, zero, inputs, maps, iterators(outer + 2, 2),
                 [outer](OpBuilder &nb, Location l, ValueRange args) {
                   Value liveBits = args[outer], setBits = args[outer + 1];
                   Value twice = arith::AddIOp::create(nb, l, setBits, setBits);
                   Value term = arith::SubIOp::create(nb, l, twice, liveBits);
                   for (Value invalid : args.take_front(outer))
                     term = arith::MulIOp::create(nb, l, term, invalid);
                   yieldValue(nb, l,
                              arith::AddIOp::create(nb, l, args.back(), term));
                 });
}

/// A blocked lowering of `OpTy`, preferred (benefit 2) to the one-generic
/// lowering of BNNToLinalg.cpp; shapes must be static.
template <typename OpTy>
struct BlockedLowering : public OpRewritePattern<OpTy> {
  BlockedLowering(MLIRContext *ctx, int64_t channelBlock)
      : OpRewritePattern<OpTy>(ctx, /*benefit=*/2), channelBlock(channelBlock) {
  }

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const final {
    if (!hasStaticShapes(op))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    return lowerBlocked(op, rewriter);
  }
  virtual LogicalResult lowerBlocked(OpTy op,
                                     PatternRewriter &rewriter) const = 0;

  int64_t channelBlock;
};

struct LowerBConv2DBlocked : public BlockedLowering<BConv2DOp> {
  using BlockedLowering::BlockedLowering;

  LogicalResult lowerBlocked(BConv2DOp op,
                             PatternRewriter &rewriter) const override {
    if (op.getGroups() != 1)
      return rewriter.notifyMatchFailure(
          op, "grouped: split by SplitGroupedBConv2D");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inputType = op.getInput().getType();
    auto filterType = op.getFilter().getType();
    auto resultType = op.getAcc().getType();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      padding = op.getPadding();
    int64_t batch = inputType.getDimSize(0), height = inputType.getDimSize(1),
            width = inputType.getDimSize(2), words = inputType.getDimSize(3);
    int64_t kernelH = filterType.getDimSize(1),
            kernelW = filterType.getDimSize(2);
    int64_t outH = resultType.getDimSize(1), outW = resultType.getDimSize(2);

    BlockedOperands ops =
        blockOperands(rewriter, loc, op.getFilter(), op.getFilterMask(),
                      op.getChannelsIn(), channelBlock);
    // Padded taps read the word 0: +1 everywhere.
    Value input =
        pad(rewriter, loc, op.getInput(), {0, padding[0], padding[2], 0},
            {0, padding[1], padding[3], 0},
            constantInt(rewriter, loc, ops.wordType, 0));

    // S over the taps, one generic per tap on a strided slice of the input.
    SmallVector<int64_t> accShape = {batch, outH, outW, ops.blocks, ops.block};
    Value popcounts = filledTensor(rewriter, loc, accShape,
                                   constantInt(rewriter, loc, ops.wordType, 0));
    auto index = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    auto indices = [&](ArrayRef<int64_t> values) {
      return llvm::map_to_vector(values, index);
    };
    auto filterSlice = [&](Value blocked, int64_t kh, int64_t kw) -> Value {
      if (!blocked)
        return nullptr;
      auto sliceType =
          RankedTensorType::get({ops.blocks, words, ops.block}, ops.wordType);
      return tensor::ExtractSliceOp::create(
          rewriter, loc, sliceType, blocked, indices({0, kh, kw, 0, 0}),
          indices({ops.blocks, 1, 1, words, ops.block}),
          indices({1, 1, 1, 1, 1}));
    };
    for (int64_t kh = 0; kh < kernelH; ++kh)
      for (int64_t kw = 0; kw < kernelW; ++kw) {
        auto tapType =
            RankedTensorType::get({batch, outH, outW, words}, ops.wordType);
        Value tap = tensor::ExtractSliceOp::create(
            rewriter, loc, tapType, input,
            indices({0, kh * dilations[0], kw * dilations[1], 0}),
            indices({batch, outH, outW, words}),
            indices({1, strides[0], strides[1], 1}));
        popcounts = accumulateXorPopcount(
            rewriter, loc, popcounts, tap, filterSlice(ops.filter, kh, kw),
            filterSlice(ops.mask, kh, kw), ops.tail, /*leadingLoops=*/3);
      }

    // C0: the live bits of each filter.
    Value liveTotal = countFilterBits(rewriter, loc, ops, /*reduceTaps=*/true,
                                      /*setBits=*/false);

    bool zeroPadding = op.getPadValue() == 0;
    auto rowInvalid = invalidTaps(outH, kernelH, strides[0], dilations[0],
                                  padding[0], height);
    auto colInvalid =
        invalidTaps(outW, kernelW, strides[1], dilations[1], padding[2], width);
    auto rowRuns = zeroPadding ? borderRuns(rowInvalid)
                               : SmallVector<std::pair<int64_t, int64_t>>{};
    auto colRuns = zeroPadding ? borderRuns(colInvalid)
                               : SmallVector<std::pair<int64_t, int64_t>>{};

    // Taps outside the input, by row and by column of the output, from the
    // live and set bits per (ob, kh, kw, oi).
    Value live, set;
    if (!rowRuns.empty() || !colRuns.empty()) {
      live = countFilterBits(rewriter, loc, ops, /*reduceTaps=*/false,
                             /*setBits=*/false);
      set = countFilterBits(rewriter, loc, ops, /*reduceTaps=*/false,
                            /*setBits=*/true);
    }
    SmallVector<Value> corrections;
    SmallVector<AffineMap> correctionMaps;
    if (!rowRuns.empty()) {
      corrections.push_back(tapCorrection(
          rewriter, loc, invalidTapConstant(rewriter, loc, rowInvalid, 0, outH),
          nullptr, live, set));
      correctionMaps.push_back(
          AffineMap::getMultiDimMapWithTargets(5, {1, 3, 4}, ctx));
    }
    if (!colRuns.empty()) {
      corrections.push_back(tapCorrection(
          rewriter, loc, nullptr,
          invalidTapConstant(rewriter, loc, colInvalid, 0, outW), live, set));
      correctionMaps.push_back(
          AffineMap::getMultiDimMapWithTargets(5, {2, 3, 4}, ctx));
    }
    Value acc = epilogue(rewriter, loc, popcounts, liveTotal, corrections,
                         correctionMaps);

    // Taps outside in both directions were corrected twice: once more, off.
    for (auto [rowBegin, rowEnd] : rowRuns)
      for (auto [colBegin, colEnd] : colRuns) {
        Value corner = tapCorrection(
            rewriter, loc,
            invalidTapConstant(rewriter, loc, rowInvalid, rowBegin, rowEnd),
            invalidTapConstant(rewriter, loc, colInvalid, colBegin, colEnd),
            live, set);
        SmallVector<int64_t> offsets = {0, rowBegin, colBegin, 0, 0};
        SmallVector<int64_t> sizes = {batch, rowEnd - rowBegin,
                                      colEnd - colBegin, ops.blocks, ops.block};
        auto sliceType = RankedTensorType::get(sizes, rewriter.getI32Type());
        Value slice = tensor::ExtractSliceOp::create(
            rewriter, loc, sliceType, acc, indices(offsets), indices(sizes),
            indices({1, 1, 1, 1, 1}));
        Value fixed = generic(
            rewriter, loc, slice, corner,
            {AffineMap::getMultiDimMapWithTargets(5, {1, 2, 3, 4}, ctx),
             rewriter.getMultiDimIdentityMap(5)},
            iterators(5, 0), [](OpBuilder &nb, Location l, ValueRange args) {
              yieldValue(nb, l, arith::SubIOp::create(nb, l, args[1], args[0]));
            });
        acc = tensor::InsertSliceOp::create(rewriter, loc, fixed, acc,
                                            indices(offsets), indices(sizes),
                                            indices({1, 1, 1, 1, 1}));
      }
    rewriter.replaceOp(op,
                       unblockOutputChannels(rewriter, loc, acc, resultType));
    return success();
  }
};

/// A grouped convolution as one ungrouped convolution per group, each
/// lowered by LowerBConv2DBlocked: group g reads input words
/// [g * Kw, (g + 1) * Kw) (groups are word-aligned, see the op) and writes
/// output channels [g * O / groups, (g + 1) * O / groups). Every group costs
/// KH * KW register-tiled loop nests, so past `kMaxSplitGroups` (depthwise
/// layers) the one-generic form is kept.
struct SplitGroupedBConv2D : public BlockedLowering<BConv2DOp> {
  using BlockedLowering::BlockedLowering;
  static constexpr int64_t kMaxSplitGroups = 16;

  LogicalResult lowerBlocked(BConv2DOp op,
                             PatternRewriter &rewriter) const override {
    int64_t groups = op.getGroups();
    if (groups == 1)
      return rewriter.notifyMatchFailure(op, "not grouped");
    if (groups > kMaxSplitGroups)
      return rewriter.notifyMatchFailure(
          op, "too many groups to split: the one-generic form is kept");
    Location loc = op.getLoc();
    auto filterType = op.getFilter().getType();
    auto resultType = op.getAcc().getType();
    int64_t groupWords = filterType.getDimSize(3);
    int64_t groupChannels = filterType.getDimSize(0) / groups;
    auto slice = [&](Value source, int64_t dim, int64_t offset, int64_t size) {
      auto type = cast<RankedTensorType>(source.getType());
      SmallVector<int64_t> sizes(type.getShape());
      sizes[dim] = size;
      SmallVector<OpFoldResult> offsets(type.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[dim] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> one(type.getRank(), rewriter.getIndexAttr(1));
      return tensor::ExtractSliceOp::create(
          rewriter, loc, type.clone(sizes), source, offsets,
          getAsIndexOpFoldResult(rewriter.getContext(), sizes), one);
    };
    Value result = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                           resultType.getElementType());
    SmallVector<int64_t> groupShape(resultType.getShape());
    groupShape.back() = groupChannels;
    for (int64_t g = 0; g < groups; ++g) {
      Value input = slice(op.getInput(), 3, g * groupWords, groupWords);
      Value filter = slice(op.getFilter(), 0, g * groupChannels, groupChannels);
      Value mask = op.getFilterMask() ? slice(op.getFilterMask(), 0,
                                              g * groupChannels, groupChannels)
                                      : Value();
      Value acc = BConv2DOp::create(
          rewriter, loc, resultType.clone(groupShape), input, filter, mask,
          op.getChannelsIn() / groups, op.getStrides(), op.getDilations(),
          op.getPadding(), op.getPadValue(), /*groups=*/1);
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      offsets[3] = rewriter.getIndexAttr(g * groupChannels);
      result = tensor::InsertSliceOp::create(
          rewriter, loc, acc, result, offsets,
          getAsIndexOpFoldResult(rewriter.getContext(), groupShape),
          SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(1)));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerBDenseBlocked : public BlockedLowering<BDenseOp> {
  using BlockedLowering::BlockedLowering;

  LogicalResult lowerBlocked(BDenseOp op,
                             PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    BlockedOperands ops =
        blockOperands(rewriter, loc, op.getFilter(), op.getFilterMask(),
                      op.getSize(), channelBlock);
    int64_t batch = op.getInput().getType().getDimSize(0);
    Value popcounts =
        filledTensor(rewriter, loc, {batch, ops.blocks, ops.block},
                     constantInt(rewriter, loc, ops.wordType, 0));
    popcounts = accumulateXorPopcount(rewriter, loc, popcounts, op.getInput(),
                                      ops.filter, ops.mask, ops.tail,
                                      /*leadingLoops=*/1);
    Value liveTotal = countFilterBits(rewriter, loc, ops, /*reduceTaps=*/true,
                                      /*setBits=*/false);
    Value acc = epilogue(rewriter, loc, popcounts, liveTotal, {}, {});
    rewriter.replaceOp(
        op, unblockOutputChannels(rewriter, loc, acc, op.getAcc().getType()));
    return success();
  }
};

} // namespace

void bnn::lowering::populateBlockedPackedKernelPatterns(
    RewritePatternSet &patterns, int64_t channelBlock) {
  patterns.add<LowerBConv2DBlocked, SplitGroupedBConv2D, LowerBDenseBlocked>(
      patterns.getContext(), channelBlock);
}
