//===- FuseThreshold.cpp - scale + batch norm + sign -> threshold -------===//
//
// Between two binary layers the float glue is
//   y = BN(acc * m + b),  next layer reads pack(sign(y)).
// For each output channel the bit of sign(y) depends on the integer acc only,
// and acc is bounded by the producer (|acc| <= taps * channels). We evaluate
// the float chain for every possible acc exactly as the compiled code does
// (f32 operations in order, no contraction) and read off the threshold, so
// the fused form is exact by construction, with no rounding argument needed:
//   - bit 0 (+1) exactly for acc >= t: threshold t;
//   - bit 0 exactly for acc <= t: flip the channel's filter bits (acc' =
//     -acc) and use threshold -t;
//   - constant: a threshold that is always (INT32_MIN) or never (INT32_MAX)
//     met.
// A chain that is none of these (not monotone) is left alone with a remark.
//
// A max pool of signs (max of +-1 = AND of the bits) becomes bnn.bmaxpool2d
// on the packed signs.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Passes.h"

#include "ChannelSteps.h"
#include "bnn/Reference/Packing.h"
#include "bnn/Transforms/Matchers.h"
#include "bnn/Transforms/ThresholdSolver.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <limits>

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNFUSETHRESHOLD
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

#define DEBUG_TYPE "bnn-fuse-threshold"

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// Largest accumulator range searched exhaustively.
constexpr int64_t kMaxAccRange = int64_t(1) << 22;

//===----------------------------------------------------------------------===//
// pack(sign(chain(scale(acc)))) -> threshold(acc)
//===----------------------------------------------------------------------===//

/// The filter constant with the logical bits of `flipped` channels inverted:
/// w_hat -> -w_hat negates the channel's accumulator, masks unchanged.
DenseIntElementsAttr flipChannels(DenseIntElementsAttr filter,
                                  ArrayRef<ChannelThreshold> channels,
                                  int64_t rowSize) {
  auto type = filter.getType();
  unsigned wordBits = getWordBits(type.getElementType());
  int64_t perChannel = filter.getNumElements() / type.getDimSize(0);
  int64_t wordsPerRow = type.getShape().back();
  SmallVector<APInt> words(filter.getValues<APInt>());
  for (auto [o, channel] : llvm::enumerate(channels)) {
    if (!channel.flipped)
      continue;
    for (int64_t i = 0; i < perChannel; ++i)
      words[o * perChannel + i] ^=
          APInt(wordBits, ::bnn::ref::logicalBitsMask(rowSize, wordBits,
                                                      i % wordsPerRow));
  }
  return cast<DenseIntElementsAttr>(DenseElementsAttr::get(type, words));
}

/// True when `value` comes from a bnn.scale through elementwise generics.
bool reachesScale(Value value) {
  Operation *op = value.getDefiningOp();
  while (auto generic = dyn_cast_or_null<linalg::GenericOp>(op)) {
    Value next;
    for (Value input : generic.getDpsInputs())
      if (!matchPattern(input, m_Constant()))
        next = input;
    if (!next)
      return false;
    op = next.getDefiningOp();
  }
  return isa_and_nonnull<ScaleOp>(op);
}

/// pack(sign(chain(scale(acc)))), possibly as pack(flatten(maxpool(sign(...
/// )))) when the flattened rows are not whole words (otherwise the pack
/// moved above the flatten): the threshold then reads the flattened
/// (max-pooled) accumulators.
struct ThresholdChain {
  PackOp pack;
  tensor::CollapseShapeOp flatten;
  std::optional<SignMaxPool> pool;
  SignOp sign;
  /// From the scale towards the pack.
  SmallVector<ChainStep> steps;
  ScaleOp scale;
  /// The bconv2d or bdense that computes the accumulator.
  Operation *producer = nullptr;
  int64_t bound = 0;
  SmallVector<float> multiplier, bias;
  /// The ops the fused threshold replaces, from the scale to the pack.
  SmallVector<Operation *> ops;
};

/// Lists the ops the fused threshold replaces, from the scale to the pack,
/// and checks that each intermediate value feeds only the next: they all
/// disappear.
LogicalResult collectChainOps(ThresholdChain &chain) {
  chain.ops.push_back(chain.scale);
  for (ChainStep &step : chain.steps)
    chain.ops.push_back(step.op);
  Operation *poolPad = chain.pool && chain.pool->pad
                           ? chain.pool->pad->op.getOperation()
                           : nullptr;
  Operation *pool = chain.pool ? chain.pool->pool.getOperation() : nullptr;
  for (Operation *op : {static_cast<Operation *>(chain.sign), poolPad, pool,
                        chain.flatten.getOperation()})
    if (op)
      chain.ops.push_back(op);
  // (A step may also name its input as its unused init, as
  // convert-elementwise-to-linalg does.)
  for (auto [i, op] : llvm::enumerate(chain.ops)) {
    Operation *next =
        i + 1 < chain.ops.size() ? chain.ops[i + 1] : chain.pack.getOperation();
    if (!llvm::all_of(op->getResult(0).getUsers(),
                      [&](Operation *user) { return user == next; }))
      return failure();
  }
  return success();
}

/// Matches a ThresholdChain. Fails with an empty `why` when `pack` is not
/// the end of a binary layer's float glue, and with the reason when the
/// chain is recognized but cannot be fused.
FailureOr<ThresholdChain> matchThresholdChain(PackOp pack, std::string &why) {
  ThresholdChain chain;
  chain.pack = pack;
  if (pack.getPlane() != Plane::Sign)
    return failure();
  Value value = pack.getX();
  if ((chain.flatten = value.getDefiningOp<tensor::CollapseShapeOp>())) {
    value = chain.flatten.getSrc();
    if (value.getDefiningOp<linalg::PoolingNhwcMaxOp>()) {
      std::string poolWhy;
      FailureOr<SignMaxPool> pool = matchSignMaxPool(value, poolWhy);
      if (failed(pool) || !pool->input.getDefiningOp<SignOp>())
        return failure(); // A pool of float values, not of signs.
      chain.pool = *pool;
      value = pool->input;
    }
  }
  if ((chain.sign = value.getDefiningOp<SignOp>()))
    value = chain.sign.getX();

  // Walk back to the scale through the per-channel steps.
  Operation *anchor = value.getDefiningOp();
  while (auto generic = dyn_cast_or_null<linalg::GenericOp>(anchor)) {
    // Which input carries the layer's values: the one that is not constant.
    Value activation;
    for (Value input : generic.getDpsInputs())
      if (!matchPattern(input, m_Constant()))
        activation = input;
    if (!activation)
      return failure();
    std::string stepWhy;
    FailureOr<ChainStep> step = matchStep(generic, activation, stepWhy);
    if (failed(step)) {
      // Say why only when a binary layer's scale is behind the step: other
      // float layers are float by design.
      if (reachesScale(activation))
        why = stepWhy;
      return failure();
    }
    chain.steps.insert(chain.steps.begin(), *step);
    anchor = activation.getDefiningOp();
  }
  if (!(chain.scale = dyn_cast_or_null<ScaleOp>(anchor)))
    return failure();
  auto refuse = [&](StringRef reason) {
    why = reason.str();
    return failure();
  };

  if (failed(collectChainOps(chain)))
    return refuse("an intermediate float value has other users");
  DenseFPElementsAttr multiplier, bias;
  if (!matchPattern(chain.scale.getMultiplier(), m_Constant(&multiplier)) ||
      !matchPattern(chain.scale.getBias(), m_Constant(&bias)) ||
      !multiplier.getElementType().isF32())
    return refuse("the scale's multiplier and bias are not f32 constants");
  chain.multiplier.assign(multiplier.getValues<float>().begin(),
                          multiplier.getValues<float>().end());
  chain.bias.assign(bias.getValues<float>().begin(),
                    bias.getValues<float>().end());
  chain.producer = chain.scale.getAcc().getDefiningOp();
  std::optional<int64_t> bound;
  if (auto conv = dyn_cast_or_null<BConv2DOp>(chain.producer))
    bound = conv.getDotLength();
  else if (auto dense = dyn_cast_or_null<BDenseOp>(chain.producer))
    bound = dense.getDotLength();
  if (!bound)
    return refuse("the accumulator does not come from bconv2d or bdense "
                  "with a static filter");
  chain.bound = *bound;
  return chain;
}

/// The threshold of every channel: the float chain evaluated for every
/// accumulator value exactly as the compiled code computes it.
FailureOr<SmallVector<ChannelThreshold>> solveThresholds(ThresholdChain &chain,
                                                         std::string &why) {
  SmallVector<StepProgram> programs;
  for (ChainStep &step : chain.steps)
    programs.emplace_back(step);
  SmallVector<ChannelThreshold> thresholds;
  for (int64_t o = 0, e = chain.multiplier.size(); o < e; ++o) {
    for (auto [program, step] : llvm::zip(programs, chain.steps))
      program.setChannel(step, o);
    // As bnn.scale lowers: sitofp, mulf, addf, monotone in acc when the
    // multiplier and bias are finite.
    float m = chain.multiplier[o], b = chain.bias[o];
    Monotonicity monotonicity = !std::isfinite(m) || !std::isfinite(b)
                                    ? Monotonicity::Unknown
                                : m > 0.0f ? Monotonicity::NonDecreasing
                                : m < 0.0f ? Monotonicity::NonIncreasing
                                           : Monotonicity::Constant;
    for (auto [program, step] : llvm::zip(programs, chain.steps))
      monotonicity =
          compose(monotonicity, program.getMonotonicity(step.activation));
    if (monotonicity == Monotonicity::Unknown && chain.bound > kMaxAccRange) {
      why = ("the sign of channel " + Twine(o) +
             " is not provably monotone in the accumulator and its range is "
             "too large to search")
                .str();
      return failure();
    }
    std::optional<ChannelThreshold> solved =
        solveChannelThreshold(chain.bound, monotonicity, [&](int64_t acc) {
          // As bnn.scale lowers: sitofp, mulf, addf.
          float y = static_cast<float>(acc) * chain.multiplier[o];
          y = y + chain.bias[o];
          for (auto [program, step] : llvm::zip(programs, chain.steps))
            y = program.run(step.activation, y);
          return !(y < 0.0f); // sign: NaN is +1
        });
    if (!solved) {
      why = ("the sign of channel " + Twine(o) +
             " is not monotone in the accumulator")
                .str();
      return failure();
    }
    thresholds.push_back(*solved);
  }
  return thresholds;
}

/// The filter with the flipped channels' bits inverted, or failure when a
/// flip is needed but impossible.
FailureOr<std::optional<DenseIntElementsAttr>>
getFlippedFilter(ThresholdChain &chain, ArrayRef<ChannelThreshold> thresholds,
                 std::string &why) {
  if (llvm::none_of(thresholds,
                    [](const ChannelThreshold &t) { return t.flipped; }))
    return std::optional<DenseIntElementsAttr>();
  if (!chain.scale.getAcc().hasOneUse()) {
    why = "a channel needs flipped filter bits but the accumulator has "
          "other users";
    return failure();
  }
  DenseIntElementsAttr filterBits;
  if (!matchPattern(chain.producer->getOperand(1), m_Constant(&filterBits))) {
    why = "a channel needs flipped filter bits but the filter is not "
          "constant";
    return failure();
  }
  int64_t rowSize = isa<BConv2DOp>(chain.producer)
                        ? cast<BConv2DOp>(chain.producer).getFilterRowSize()
                        : cast<BDenseOp>(chain.producer).getFilterRowSize();
  return std::optional<DenseIntElementsAttr>(
      flipChannels(filterBits, thresholds, rowSize));
}

/// Replaces the chain by bnn.threshold on the accumulator (max-pooled and
/// flattened like the signs were).
void rewriteThresholdChain(ThresholdChain &chain,
                           ArrayRef<ChannelThreshold> thresholds,
                           std::optional<DenseIntElementsAttr> flippedFilter,
                           RewriterBase &rewriter) {
  Operation *producer = chain.producer;
  if (flippedFilter) {
    rewriter.setInsertionPoint(producer);
    Value newFilter =
        arith::ConstantOp::create(rewriter, producer->getLoc(), *flippedFilter);
    rewriter.modifyOpInPlace(producer,
                             [&] { producer->setOperand(1, newFilter); });
  }
  PackOp pack = chain.pack;
  rewriter.setInsertionPoint(pack);
  Location loc = pack.getLoc();
  Value acc = chain.scale.getAcc();
  if (chain.pool) {
    // After the flips every channel is +1 iff acc >= t, so the max of the
    // window's signs is +1 iff the max of its accumulators reaches t:
    // pool the integers (padding and init INT32_MIN never win).
    linalg::PoolingNhwcMaxOp pool = chain.pool->pool;
    Type i32 = rewriter.getI32Type();
    Value lowest = arith::ConstantOp::create(
        rewriter, loc,
        rewriter.getIntegerAttr(i32, std::numeric_limits<int32_t>::min()));
    Value input = acc;
    if (chain.pool->pad) {
      tensor::PadOp pad = chain.pool->pad->op;
      auto padType = cast<RankedTensorType>(pad.getType()).clone(i32);
      input = tensor::PadOp::create(rewriter, loc, padType, acc,
                                    pad.getMixedLowPad(), pad.getMixedHighPad(),
                                    lowest);
    }
    auto pooledType =
        cast<RankedTensorType>(pool.getResultTypes()[0]).clone(i32);
    Value init =
        linalg::FillOp::create(
            rewriter, loc, lowest,
            tensor::EmptyOp::create(rewriter, loc, pooledType.getShape(), i32)
                .getResult())
            .getResult(0);
    acc = linalg::PoolingNhwcMaxOp::create(
              rewriter, loc, TypeRange{pooledType},
              ValueRange{input, pool.getInputs()[1]}, ValueRange{init},
              pool.getStrides(), pool.getDilations())
              .getResult(0);
  }
  SmallVector<int32_t> values;
  for (const ChannelThreshold &channel : thresholds)
    values.push_back(channel.threshold);
  if (chain.flatten) {
    acc = tensor::CollapseShapeOp::create(
        rewriter, loc, acc, chain.flatten.getReassociationIndices());
    // The flattened axis runs over (pixel, channel): channel = k mod O.
    int64_t flatSize = cast<ShapedType>(acc.getType()).getShape().back();
    SmallVector<int32_t> tiled(flatSize);
    for (int64_t k = 0; k < flatSize; ++k)
      tiled[k] = values[k % values.size()];
    values = std::move(tiled);
  }
  auto thresholdType = RankedTensorType::get(
      {static_cast<int64_t>(values.size())}, rewriter.getI32Type());
  Value thresholdValue = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(thresholdType, ArrayRef<int32_t>(values)));
  rewriter.replaceOpWithNewOp<ThresholdOp>(pack, pack.getP().getType(), acc,
                                           thresholdValue);
  for (Operation *op : llvm::reverse(chain.ops))
    rewriter.eraseOp(op);
}

/// pack(sign(chain(scale(acc)))) -> threshold(acc).
struct FuseThresholdPattern : public OpRewritePattern<PackOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PackOp pack,
                                PatternRewriter &rewriter) const override {
    std::string why;
    auto refuse = [&]() {
      pack.emitRemark("not fused into a threshold: ") << why;
      return rewriter.notifyMatchFailure(pack, why);
    };
    FailureOr<ThresholdChain> chain = matchThresholdChain(pack, why);
    if (failed(chain))
      return why.empty() ? rewriter.notifyMatchFailure(
                               pack, "not the sign of a binary layer's scale")
                         : refuse();
    FailureOr<SmallVector<ChannelThreshold>> thresholds =
        solveThresholds(*chain, why);
    if (failed(thresholds))
      return refuse();
    FailureOr<std::optional<DenseIntElementsAttr>> flippedFilter =
        getFlippedFilter(*chain, *thresholds, why);
    if (failed(flippedFilter))
      return refuse();
    rewriteThresholdChain(*chain, *thresholds, *flippedFilter, rewriter);
    return success();
  }
};

/// pack(maxpool(sign(x))) -> bmaxpool2d(pack(sign(x))).
struct FuseMaxPoolPattern : public OpRewritePattern<PackOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PackOp pack,
                                PatternRewriter &rewriter) const override {
    if (pack.getPlane() != Plane::Sign)
      return rewriter.notifyMatchFailure(pack, "not the sign plane");
    std::string why;
    FailureOr<SignMaxPool> match = matchSignMaxPool(pack.getX(), why);
    auto refuse = [&](const Twine &reason) {
      pack.emitRemark("max pool not packed: ") << reason;
      return rewriter.notifyMatchFailure(pack, reason);
    };
    bool ofSign = (succeeded(match) && match->input.getDefiningOp<SignOp>()) ||
                  (failed(match) && !why.empty());
    if (!ofSign)
      return rewriter.notifyMatchFailure(pack, "not a max pool of bnn.sign");
    if (failed(match))
      return refuse(why);
    linalg::PoolingNhwcMaxOp pool = match->pool;
    SmallVector<int64_t> dilations(pool.getDilations().getValues<int64_t>());
    if (dilations != SmallVector<int64_t>{1, 1})
      return refuse("the pool is dilated");
    auto windowType = cast<ShapedType>(pool.getInputs()[1].getType());
    SmallVector<int64_t> kernel(windowType.getShape());
    SmallVector<int64_t> strides(pool.getStrides().getValues<int64_t>());
    SmallVector<int64_t> padding = {0, 0, 0, 0};
    if (match->pad)
      padding.assign(match->pad->amounts.begin(), match->pad->amounts.end());

    // What bnn.bmaxpool2d's verifier requires of its attributes.
    if (!isInAttrRange(kernel, 1) || !isInAttrRange(strides, 1) ||
        !isInAttrRange(padding, 0))
      return refuse("the window, strides or padding exceed the range of "
                    "bnn.bmaxpool2d (1 to 2^31 - 1; padding from 0)");
    rewriter.setInsertionPoint(pack);
    auto packedType = pack.getP().getType();
    auto inputType = cast<RankedTensorType>(match->input.getType());
    SmallVector<int64_t> packedShape(inputType.getShape());
    packedShape.back() = packedType.getShape().back();
    Value packed =
        PackOp::create(rewriter, pack.getLoc(), packedType.clone(packedShape),
                       match->input, Plane::Sign);
    // The packed pool is the user's max pool: it keeps its location (the
    // summary and remarks name the layer).
    Value pooled = BMaxPool2DOp::create(rewriter, pool.getLoc(), packedType,
                                        packed, kernel, strides, padding);
    rewriter.replaceOp(pack, pooled);
    // The float pool is dead now; erase it so the sign has the pack as its
    // only user again.
    if (pool->use_empty())
      rewriter.eraseOp(pool);
    if (match->pad && match->pad->op->use_empty())
      rewriter.eraseOp(match->pad->op);
    return success();
  }
};

struct BNNFuseThresholdPass
    : public mlir::bnn::impl::BNNFuseThresholdBase<BNNFuseThresholdPass> {
  void runOnOperation() override {
    MatchFailureLogger logger(DEBUG_TYPE);
    // Pools first: they expose pack(sign(...)) to the threshold fusion. Each
    // walk tries every pack once, so each remark is said once.
    RewritePatternSet pools(&getContext());
    populateBNNFuseMaxPoolPatterns(pools);
    walkAndApplyPatterns(getOperation(), std::move(pools), &logger);
    RewritePatternSet thresholds(&getContext());
    populateBNNFuseThresholdPatterns(thresholds);
    walkAndApplyPatterns(getOperation(), std::move(thresholds), &logger);
  }
};
} // namespace

void mlir::bnn::populateBNNFuseMaxPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseMaxPoolPattern>(patterns.getContext());
}

void mlir::bnn::populateBNNFuseThresholdPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseThresholdPattern>(patterns.getContext());
}
