//===- BNNToLinalg.cpp - bnn ops to linalg on tensors -------------------===//
//
// Every bnn op becomes linalg.generic ops on tensors (plus tensor.pad and
// reshapes), so that upstream tiling, fusion, vectorization and
// bufferization apply. This file lowers the packed (Level 2) ops and holds
// the pass; Level1Lowerings.cpp lowers the float ops, PackedKernels.cpp the
// blocked layout of bconv2d and bdense. Packed kernels compute with the word
// formula of DESIGN.md section 2: per word, popcount(m) - 2 * popcount((a XOR
// b) AND m), where the mask m keeps the logical bits of the word, the unmasked
// weights of a ternary filter, and (for exact zero padding) only taps inside
// the input.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "bnn/Conversion/Passes.h"
#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Transforms/CheckedOptions.h"

#include "bnn/Dialect/BNN/BNNOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNLOWER
#include "bnn/Conversion/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
using namespace mlir::bnn::lowering;

//===----------------------------------------------------------------------===//
// Level 2
//===----------------------------------------------------------------------===//

/// OR-reduces one bit per element of [..., words, W] into [..., words]:
/// bit b of a word is `predicate(element b)`.
Value packBits(
    OpBuilder &b, Location loc, ValueRange split, ArrayRef<AffineMap> inputMaps,
    RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> predicate) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = resultType.getRank();
  Type wordType = resultType.getElementType();
  Value init = filledTensor(b, loc, resultType.getShape(),
                            constantInt(b, loc, wordType, 0));
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::getMultiDimMapWithTargets(
      rank + 1, llvm::to_vector(llvm::seq<unsigned>(0, rank)), ctx));
  return generic(
      b, loc, init, split, maps, iterators(rank, 1),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value bitIndex = linalg::IndexOp::create(nb, l, rank);
        Value shift = arith::IndexCastOp::create(nb, l, wordType, bitIndex);
        Value one = constantInt(nb, l, wordType, 1);
        Value bit = arith::ShLIOp::create(nb, l, one, shift);
        Value zeroWord = constantInt(nb, l, wordType, 0);
        Value set = predicate(nb, l, args.drop_back());
        Value contribution = arith::SelectOp::create(nb, l, set, bit, zeroWord);
        yieldValue(nb, l,
                   arith::OrIOp::create(nb, l, args.back(), contribution));
      });
}

/// Packs `predicate` of the innermost axis of `inputs` into the words of
/// `resultType`: bit i of word w is the predicate of channel w * W + i, and
/// the bits past the channel count C are 0. An input is [..., C], or [C]
/// broadcast over the rows where `perChannel` says so. The whole words and
/// the tail word are two generics on slices of the inputs, never a padded
/// copy: at batch 64 the padded copy of a 16-channel float layer was 12.8 MB.
Value packInnermost(
    OpBuilder &b, Location loc, ValueRange inputs, ArrayRef<bool> perChannel,
    RankedTensorType resultType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> predicate) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = resultType.getRank();
  int64_t wordBits = getWordBits(resultType.getElementType());
  int64_t channels =
      cast<RankedTensorType>(inputs[0].getType()).getShape().back();
  int64_t wholeWords = channels / wordBits, tailBits = channels % wordBits;
  // Words [firstWord, firstWord + words) of `bits` channels each.
  auto packChunk = [&](int64_t firstWord, int64_t words, int64_t bits) {
    SmallVector<Value> split;
    SmallVector<AffineMap> maps;
    for (auto [input, broadcast] : llvm::zip_equal(inputs, perChannel)) {
      auto type = cast<RankedTensorType>(input.getType());
      int64_t inputRank = type.getRank();
      SmallVector<int64_t> offsets(inputRank, 0), sizes(type.getShape());
      offsets.back() = firstWord * wordBits;
      sizes.back() = words * bits;
      Value chunk = input;
      if (sizes.back() != type.getShape().back())
        chunk = tensor::ExtractSliceOp::create(
            b, loc, type.clone(sizes), input,
            getAsIndexOpFoldResult(ctx, offsets),
            getAsIndexOpFoldResult(ctx, sizes),
            getAsIndexOpFoldResult(ctx, SmallVector<int64_t>(inputRank, 1)));
      split.push_back(splitInnermost(b, loc, chunk, bits));
      maps.push_back(broadcast ? AffineMap::getMultiDimMapWithTargets(
                                     rank + 1, {rank - 1, rank}, ctx)
                               : b.getMultiDimIdentityMap(rank + 1));
    }
    SmallVector<int64_t> shape(resultType.getShape());
    shape.back() = words;
    return packBits(b, loc, split, maps, resultType.clone(shape), predicate);
  };
  if (tailBits == 0)
    return packChunk(0, wholeWords, wordBits);
  if (wholeWords == 0)
    return packChunk(0, 1, tailBits);
  Value result = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                         resultType.getElementType());
  auto insert = [&](Value chunk, int64_t firstWord) {
    auto type = cast<RankedTensorType>(chunk.getType());
    SmallVector<int64_t> offsets(rank, 0);
    offsets.back() = firstWord;
    return tensor::InsertSliceOp::create(
        b, loc, chunk, result, getAsIndexOpFoldResult(ctx, offsets),
        getAsIndexOpFoldResult(ctx, type.getShape()),
        getAsIndexOpFoldResult(ctx, SmallVector<int64_t>(rank, 1)));
  };
  result = insert(packChunk(0, wholeWords, wordBits), 0);
  return insert(packChunk(wholeWords, 1, tailBits), wholeWords);
}

struct LowerPack : public StaticShapeLowering<PackOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(PackOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = op.getP().getType();
    // Bits past the channel count are 0 in either plane, as the encoding
    // needs.
    bool signPlane = op.getPlane() == Plane::Sign;
    Value p = packInnermost(
        rewriter, loc, op.getX(), {false}, resultType,
        [signPlane](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value zero = constantFloat(b, l, args[0].getType(), 0.0);
          return arith::CmpFOp::create(b, l,
                                       signPlane ? arith::CmpFPredicate::OLT
                                                 : arith::CmpFPredicate::UNE,
                                       args[0], zero);
        });
    return p;
  }
};

struct LowerUnpack : public StaticShapeLowering<UnpackOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(UnpackOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto packedType = op.getP().getType();
    auto resultType = op.getX().getType();
    Type wordType = packedType.getElementType();
    unsigned wordBits = getWordBits(wordType);
    unsigned rank = packedType.getRank();
    // Unpack every bit of every word into [..., words, W], then keep the
    // first `size` elements of the flattened innermost axis.
    SmallVector<int64_t> splitShape(packedType.getShape());
    splitShape.push_back(wordBits);
    Value init = tensor::EmptyOp::create(rewriter, loc, splitShape,
                                         resultType.getElementType());
    Value split = generic(
        rewriter, loc, init, op.getP(),
        {AffineMap::getMultiDimMapWithTargets(
             rank + 1, llvm::to_vector(llvm::seq<unsigned>(0, rank)), ctx),
         rewriter.getMultiDimIdentityMap(rank + 1)},
        iterators(rank + 1, 0), [&](OpBuilder &b, Location l, ValueRange args) {
          Value bitIndex = linalg::IndexOp::create(b, l, rank);
          Value shift = arith::IndexCastOp::create(b, l, wordType, bitIndex);
          Value shifted = arith::ShRUIOp::create(b, l, args[0], shift);
          Value bit = arith::AndIOp::create(b, l, shifted,
                                            constantInt(b, l, wordType, 1));
          Value isNegative =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, bit,
                                    constantInt(b, l, wordType, 0));
          Type f = args[1].getType();
          yieldValue(b, l,
                     arith::SelectOp::create(b, l, isNegative,
                                             constantFloat(b, l, f, -1.0),
                                             constantFloat(b, l, f, 1.0)));
        });
    SmallVector<ReassociationIndices> reassociation;
    for (unsigned i = 0; i + 1 < rank; ++i)
      reassociation.push_back({i});
    reassociation.push_back({rank - 1, rank});
    Value flat =
        tensor::CollapseShapeOp::create(rewriter, loc, split, reassociation);
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
    for (int64_t d : resultType.getShape())
      sizes.push_back(rewriter.getIndexAttr(d));
    Value x = tensor::ExtractSliceOp::create(rewriter, loc, resultType, flat,
                                             offsets, sizes, strides);
    return x;
  }
};

struct LowerBConv2D : public StaticShapeLowering<BConv2DOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(BConv2DOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inputType = op.getInput().getType();
    auto filterType = op.getFilter().getType();
    auto resultType = op.getAcc().getType();
    Type wordType = inputType.getElementType();
    unsigned wordBits = getWordBits(wordType);
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      padding = op.getPadding();
    int64_t groups = op.getGroups();
    int64_t channelsPerGroup = op.getChannelsIn() / groups;
    int64_t outChannels = filterType.getDimSize(0);
    int64_t filterWords = filterType.getDimSize(3);
    int64_t height = inputType.getDimSize(1), width = inputType.getDimSize(2);
    int64_t outH = resultType.getDimSize(1), outW = resultType.getDimSize(2);
    int64_t kernelH = filterType.getDimSize(1),
            kernelW = filterType.getDimSize(2);

    // Padded taps read the word 0 (all +1). With pad_value = 0 they are
    // masked out below, so they contribute nothing.
    Value zeroWord = constantInt(rewriter, loc, wordType, 0);
    Value input =
        pad(rewriter, loc, op.getInput(), {0, padding[0], padding[2], 0},
            {0, padding[1], padding[3], 0}, zeroWord);

    // Loops: d0 n, d1 oh, d2 ow, d3 o | d4 kh, d5 kw, d6 word.
    AffineExpr n = getAffineDimExpr(0, ctx), oh = getAffineDimExpr(1, ctx),
               ow = getAffineDimExpr(2, ctx), o = getAffineDimExpr(3, ctx),
               kh = getAffineDimExpr(4, ctx), kw = getAffineDimExpr(5, ctx),
               word = getAffineDimExpr(6, ctx);
    AffineExpr inputWord =
        groups == 1 ? word
                    : o.floorDiv(outChannels / groups) * filterWords + word;
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0,
                       {n, oh * strides[0] + kh * dilations[0],
                        ow * strides[1] + kw * dilations[1], inputWord},
                       ctx),
        AffineMap::get(7, 0, {o, kh, kw, word}, ctx)};
    SmallVector<Value> inputs = {input, op.getFilter()};
    auto addInput = [&](Value v, AffineMap map) {
      inputs.push_back(v);
      maps.push_back(map);
    };
    if (op.getFilterMask())
      addInput(op.getFilterMask(), maps[1]);
    addInput(logicalBitsMask(rewriter, loc, channelsPerGroup, wordBits),
             AffineMap::get(7, 0, {word}, ctx));

    // Exact zero padding: per (output row, kernel row) and (output column,
    // kernel column), a word of ones if the tap is inside the input.
    bool maskPadding = op.getPadValue() == 0 &&
                       llvm::any_of(padding, [](int64_t p) { return p != 0; });
    if (maskPadding) {
      auto tapMask = [&](int64_t outSize, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBefore, int64_t inSize) {
        SmallVector<APInt> values;
        for (int64_t i = 0; i < outSize; ++i)
          for (int64_t k = 0; k < kernel; ++k) {
            int64_t pos = i * stride + k * dilation - padBefore;
            bool inside = pos >= 0 && pos < inSize;
            values.push_back(inside ? APInt::getAllOnes(wordBits)
                                    : APInt::getZero(wordBits));
          }
        auto type = RankedTensorType::get({outSize, kernel}, wordType);
        return arith::ConstantOp::create(rewriter, loc,
                                         DenseElementsAttr::get(type, values))
            .getResult();
      };
      addInput(
          tapMask(outH, kernelH, strides[0], dilations[0], padding[0], height),
          AffineMap::get(7, 0, {oh, kh}, ctx));
      addInput(
          tapMask(outW, kernelW, strides[1], dilations[1], padding[2], width),
          AffineMap::get(7, 0, {ow, kw}, ctx));
    }
    maps.push_back(AffineMap::get(7, 0, {n, oh, ow, o}, ctx));

    return generic(rewriter, loc, zeroAccumulators(rewriter, loc, resultType),
                   inputs, maps, iterators(4, 3), accumulateMaskedDot);
  }
};

struct LowerBDense : public StaticShapeLowering<BDenseOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(BDenseOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    unsigned wordBits = getWordBits(op.getInput().getType().getElementType());
    // Loops: d0 n, d1 o | d2 word.
    SmallVector<Value> inputs = {op.getInput(), op.getFilter()};
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimMapWithTargets(3, {0, 2}, ctx),
        AffineMap::getMultiDimMapWithTargets(3, {1, 2}, ctx)};
    if (op.getFilterMask()) {
      inputs.push_back(op.getFilterMask());
      maps.push_back(maps[1]);
    }
    inputs.push_back(logicalBitsMask(rewriter, loc, op.getSize(), wordBits));
    maps.push_back(AffineMap::getMultiDimMapWithTargets(3, {2}, ctx));
    maps.push_back(AffineMap::getMultiDimMapWithTargets(3, {0, 1}, ctx));
    return generic(rewriter, loc,
                   zeroAccumulators(rewriter, loc, op.getAcc().getType()),
                   inputs, maps, iterators(2, 1), accumulateMaskedDot);
  }
};

/// Past this many taps a max pool is one generic with the window as
/// reduction loops instead of one operand per tap.
constexpr int64_t kMaxPoolTapOperands = 16;

/// The AND of the window's taps, written as one elementwise generic over
/// KH * KW strided slices of the padded input (one per tap) so that every
/// indexing map is an identity and the AND vectorizes along the words.
struct LowerBMaxPool2D : public StaticShapeLowering<BMaxPool2DOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(BMaxPool2DOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = op.getOutput().getType();
    Type wordType = resultType.getElementType();
    ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides(),
                      padding = op.getPadding();
    // Padded taps are all ones, the identity of AND: they are ignored.
    Value ones = constantInt(rewriter, loc, wordType, -1);
    Value input =
        pad(rewriter, loc, op.getInput(), {0, padding[0], padding[2], 0},
            {0, padding[1], padding[3], 0}, ones);
    ArrayRef<int64_t> shape = resultType.getShape();
    if (kernel[0] * kernel[1] > kMaxPoolTapOperands)
      return lowerAsWindowReduction(op, input, ones, rewriter);
    SmallVector<Value> taps;
    for (int64_t kh = 0; kh < kernel[0]; ++kh)
      for (int64_t kw = 0; kw < kernel[1]; ++kw)
        taps.push_back(tensor::ExtractSliceOp::create(
            rewriter, loc, resultType, input,
            getAsIndexOpFoldResult(rewriter.getContext(),
                                   ArrayRef<int64_t>{0, kh, kw, 0}),
            getAsIndexOpFoldResult(rewriter.getContext(), shape),
            getAsIndexOpFoldResult(
                rewriter.getContext(),
                ArrayRef<int64_t>{1, strides[0], strides[1], 1})));
    AffineMap id = rewriter.getMultiDimIdentityMap(4);
    SmallVector<AffineMap> maps(taps.size() + 1, id);
    Value init = tensor::EmptyOp::create(rewriter, loc, shape, wordType);
    return generic(rewriter, loc, init, taps, maps, iterators(4, 0),
                   [](OpBuilder &b, Location l, ValueRange args) {
                     Value all = args[0];
                     for (Value tap : args.drop_front().drop_back())
                       all = arith::AndIOp::create(b, l, all, tap);
                     yieldValue(b, l, all);
                   });
  }

  Value lowerAsWindowReduction(BMaxPool2DOp op, Value input, Value ones,
                               PatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType = op.getOutput().getType();
    ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides();
    // The window's extent, as linalg pooling ops carry it.
    Value window =
        tensor::EmptyOp::create(rewriter, loc, kernel, rewriter.getI8Type());
    // Loops: d0 n, d1 oh, d2 ow, d3 c | d4 kh, d5 kw.
    AffineExpr n = getAffineDimExpr(0, ctx), oh = getAffineDimExpr(1, ctx),
               ow = getAffineDimExpr(2, ctx), c = getAffineDimExpr(3, ctx),
               kh = getAffineDimExpr(4, ctx), kw = getAffineDimExpr(5, ctx);
    SmallVector<AffineMap> maps = {
        AffineMap::get(6, 0, {n, oh * strides[0] + kh, ow * strides[1] + kw, c},
                       ctx),
        AffineMap::get(6, 0, {kh, kw}, ctx),
        AffineMap::get(6, 0, {n, oh, ow, c}, ctx)};
    Value init = filledTensor(rewriter, loc, resultType.getShape(), ones);
    return generic(rewriter, loc, init, {input, window}, maps, iterators(4, 2),
                   [](OpBuilder &b, Location l, ValueRange args) {
                     yieldValue(b, l,
                                arith::AndIOp::create(b, l, args[2], args[0]));
                   });
  }
};

struct LowerScale : public StaticShapeLowering<ScaleOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(ScaleOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto resultType = op.getY().getType();
    unsigned rank = resultType.getRank();
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel =
        AffineMap::getMultiDimMapWithTargets(rank, {rank - 1}, ctx);
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType());
    Value y = generic(
        rewriter, loc, init, {op.getAcc(), op.getMultiplier(), op.getBias()},
        {id, channel, channel, id}, iterators(rank, 0),
        [](OpBuilder &b, Location l, ValueRange args) {
          Value acc = arith::SIToFPOp::create(b, l, args[1].getType(), args[0]);
          Value scaled = arith::MulFOp::create(b, l, acc, args[1]);
          yieldValue(b, l, arith::AddFOp::create(b, l, scaled, args[2]));
        });
    return y;
  }
};

struct LowerThreshold : public StaticShapeLowering<ThresholdOp> {
  using StaticShapeLowering::StaticShapeLowering;
  Value lower(ThresholdOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = op.getOutput().getType();
    // Bits past the channel count are 0, as the encoding needs.
    Value p = packInnermost(
        rewriter, loc, {op.getAcc(), op.getThreshold()}, {false, true},
        resultType, [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, args[0],
                                       args[1]);
        });
    return p;
  }
};

struct BNNLowerPass : public bnn::impl::BNNLowerBase<BNNLowerPass> {
  using BNNLowerBase::BNNLowerBase;

  /// Why the options are invalid, or nothing.
  std::optional<std::string> checkOptions() const {
    if (channelBlock >= 0)
      return std::nullopt;
    return "bnn-lower: channel-block must be >= 0, got " +
           std::to_string(static_cast<int64_t>(channelBlock));
  }

  // Checked when a pipeline string is parsed, and when the pass runs
  // (CheckedOptions.h).
  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    return initializeCheckedOptions(*this, options, errorHandler);
  }

  void runOnOperation() override {
    if (std::optional<std::string> error = checkOptions()) {
      getOperation().emitError(*error);
      return signalPassFailure();
    }
    // The lowerings compute masks and reshapes at compile time: the only
    // reason a verified op cannot be lowered is a dynamic shape. Said in
    // those words, before the conversion would say "failed to legalize".
    WalkResult dynamic = getOperation()->walk([](Operation *op) {
      if (!isa<BNNDialect>(op->getDialect()) || lowering::hasStaticShapes(op))
        return WalkResult::advance();
      op->emitError("cannot lower '")
          << op->getName()
          << "': bnn-lower needs static shapes on every operand and result";
      return WalkResult::interrupt();
    });
    if (dynamic.wasInterrupted())
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateBNNToLinalgPatterns(patterns, channelBlock);
    ConversionTarget target(getContext());
    target.addIllegalDialect<BNNDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // The conversion driver does not fold: fold the constants the lowerings
    // built (masks, index arithmetic) and drop what became dead.
    (void)applyPatternsGreedily(getOperation(), FrozenRewritePatternSet());
  }
};
} // namespace

void bnn::populateBNNToLinalgPatterns(RewritePatternSet &patterns,
                                      int64_t channelBlock) {
  if (channelBlock > 0)
    lowering::populateBlockedPackedKernelPatterns(patterns, channelBlock);
  lowering::populateLevel1LoweringPatterns(patterns);
  patterns.add<LowerPack, LowerUnpack, LowerBConv2D, LowerBDense,
               LowerBMaxPool2D, LowerScale, LowerThreshold>(
      patterns.getContext());
}
