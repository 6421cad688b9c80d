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

#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Passes.h"
#include "bnn/Transforms/SignValues.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <limits>

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNFUSETHRESHOLD
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// Largest accumulator range searched exhaustively.
constexpr int64_t kMaxAccRange = int64_t(1) << 22;

//===----------------------------------------------------------------------===//
// Per-channel float chains
//===----------------------------------------------------------------------===//

/// One elementwise linalg.generic of the chain: `activation` is the index of
/// the input that carries the layer's values; the other inputs are constants
/// read per channel ([O] on the innermost axis) or as scalars.
struct ChainStep {
  linalg::GenericOp op;
  unsigned activation = 0;
  // For each input: per-channel values, or one value for a scalar, or empty
  // for the activation.
  SmallVector<SmallVector<float>> constants;
};

/// The f32 value of `value` if an arith.constant outside a step's body
/// defines it.
std::optional<float> getOutsideConstant(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto attr = dyn_cast<FloatAttr>(constant.getValue());
  if (!attr || !attr.getType().isF32())
    return std::nullopt;
  return attr.getValue().convertToFloat();
}

bool hasNoFastMath(Operation *op) {
  auto fmf = op->getAttrOfType<arith::FastMathFlagsAttr>("fastmath");
  return !fmf || fmf.getValue() == arith::FastMathFlags::none;
}

/// Ops whose f32 evaluation we reproduce bit for bit.
bool isEvaluable(Operation &op) {
  if (isa<arith::ConstantOp>(op))
    return isa<FloatAttr>(cast<arith::ConstantOp>(op).getValue());
  if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
          arith::NegFOp, math::SqrtOp>(op))
    return hasNoFastMath(&op);
  return isa<linalg::YieldOp>(op);
}

/// Matches an elementwise per-channel affine step; `why` explains a refusal.
FailureOr<ChainStep> matchStep(linalg::GenericOp op, Value activation,
                               std::string &why) {
  ChainStep step;
  step.op = op;
  auto resultType = dyn_cast<RankedTensorType>(op.getResultTypes().front());
  if (op.getNumResults() != 1 || !resultType ||
      !resultType.getElementType().isF32() ||
      op.getNumParallelLoops() != op.getNumLoops()) {
    why = "a step between the layers is not an elementwise f32 op";
    return failure();
  }
  unsigned rank = resultType.getRank();
  int64_t channels = resultType.getShape().back();
  Block &body = op.getRegion().front();
  if (!body.getArgument(op.getNumDpsInputs()).use_empty()) {
    why = "a step between the layers reads its output";
    return failure();
  }
  for (Operation &inner : body) {
    if (!isEvaluable(inner)) {
      llvm::raw_string_ostream os(why);
      os << "a step between the layers uses '" << inner.getName()
         << "' (supported: addf, subf, mulf, divf, negf, sqrt without "
            "fast-math flags)";
      return failure();
    }
    for (Value operand : inner.getOperands())
      if (operand.getParentRegion() != &op.getRegion() &&
          !getOutsideConstant(operand)) {
        why = "a step between the layers reads a value from outside that "
              "is not an f32 constant";
        return failure();
      }
  }
  for (OpOperand *input : op.getDpsInputOperands()) {
    unsigned index = input->getOperandNumber();
    AffineMap map = op.getMatchingIndexingMap(input);
    if (input->get() == activation) {
      if (!map.isIdentity()) {
        why = "the layer's values are not read elementwise";
        return failure();
      }
      step.activation = index;
      step.constants.emplace_back();
      continue;
    }
    DenseFPElementsAttr values;
    if (!matchPattern(input->get(), m_Constant(&values)) ||
        !values.getElementType().isF32()) {
      why = "a step between the layers has a non-constant operand";
      return failure();
    }
    if (values.isSplat()) {
      step.constants.push_back({values.getSplatValue<float>()});
      continue;
    }
    SmallVector<float> all(values.getValues<float>());
    bool perChannel =
        map.getNumResults() == 1 &&
        map.getResult(0) == getAffineDimExpr(rank - 1, op.getContext()) &&
        values.getNumElements() == channels;
    bool scalar = map.getNumResults() == 0 && values.getNumElements() == 1;
    // arith ops on whole tensors (converted to linalg) read a constant of
    // the full shape: per channel if it only varies along the channels.
    bool broadcast =
        map.isIdentity() && resultType.hasStaticShape() &&
        values.getType() == resultType.clone(resultType.getElementType());
    if (broadcast) {
      for (size_t i = 0; i < all.size() && broadcast; ++i)
        broadcast = all[i] == all[i % channels];
      all.resize(channels);
    }
    if (!perChannel && !scalar && !broadcast) {
      why = "a constant of a step is neither per channel nor a scalar";
      return failure();
    }
    step.constants.push_back(std::move(all));
  }
  return step;
}

/// The body of a step as straight-line f32 code over numbered slots (block
/// arguments first), evaluated once per accumulator value of every channel:
/// the search runs it millions of times on a large model.
struct StepProgram {
  enum class Kind { Constant, Add, Sub, Mul, Div, Neg, Sqrt };
  struct Instruction {
    Kind kind;
    unsigned lhs = 0, rhs = 0;
    float constant = 0.0f;
  };
  SmallVector<Instruction> code;
  unsigned numArguments = 0, result = 0;
  SmallVector<float> slots;

  explicit StepProgram(ChainStep &step) {
    Block &body = step.op.getRegion().front();
    llvm::DenseMap<Value, unsigned> slotOf;
    for (BlockArgument arg : body.getArguments())
      slotOf[arg] = numArguments++;
    unsigned next = numArguments;
    // Instructions write consecutive slots, constants included.
    // A value of the body, or a constant defined outside it (canonicalize
    // hoists the constants of a body, such as epsilon, to the function).
    auto slotFor = [&](Value value) {
      auto it = slotOf.find(value);
      if (it != slotOf.end())
        return it->second;
      Instruction constant;
      constant.kind = Kind::Constant;
      constant.constant = *getOutsideConstant(value);
      code.push_back(constant);
      slotOf[value] = next;
      return next++;
    };
    for (Operation &op : body) {
      if (auto yield = dyn_cast<linalg::YieldOp>(op)) {
        result = slotFor(yield.getOperand(0));
        break;
      }
      Instruction in;
      auto operand = [&](unsigned i) { return slotFor(op.getOperand(i)); };
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        in.kind = Kind::Constant;
        in.constant =
            cast<FloatAttr>(constant.getValue()).getValue().convertToFloat();
      } else if (isa<arith::NegFOp, math::SqrtOp>(op)) {
        in.kind = isa<arith::NegFOp>(op) ? Kind::Neg : Kind::Sqrt;
        in.lhs = operand(0);
      } else {
        in.kind = isa<arith::AddFOp>(op)   ? Kind::Add
                  : isa<arith::SubFOp>(op) ? Kind::Sub
                  : isa<arith::MulFOp>(op) ? Kind::Mul
                                           : Kind::Div;
        in.lhs = operand(0);
        in.rhs = operand(1);
      }
      code.push_back(in);
      slotOf[op.getResult(0)] = next++;
    }
    slots.resize(next);
  }

  /// Loads the constants of channel `o` into the argument slots.
  void setChannel(ChainStep &step, int64_t o) {
    for (auto [i, constants] : llvm::enumerate(step.constants))
      if (i != step.activation)
        slots[i] = constants.size() == 1 ? constants[0] : constants[o];
  }

  /// The step's f32 result for activation `x` (after setChannel).
  float run(unsigned activation, float x) {
    slots[activation] = x;
    unsigned out = numArguments;
    for (const Instruction &in : code) {
      float a = slots[in.lhs], b = slots[in.rhs];
      float value = 0.0f;
      switch (in.kind) {
      case Kind::Constant:
        value = in.constant;
        break;
      case Kind::Add:
        value = a + b;
        break;
      case Kind::Sub:
        value = a - b;
        break;
      case Kind::Mul:
        value = a * b;
        break;
      case Kind::Div:
        value = a / b;
        break;
      case Kind::Neg:
        value = -a;
        break;
      case Kind::Sqrt:
        value = std::sqrt(a);
        break;
      }
      slots[out++] = value;
    }
    return slots[result];
  }
};

//===----------------------------------------------------------------------===//
// pack(sign(chain(scale(acc)))) -> threshold(acc)
//===----------------------------------------------------------------------===//

/// The largest |acc| the producer of an accumulator can give.
std::optional<int64_t> accumulatorBound(Operation *producer) {
  if (auto conv = dyn_cast_or_null<BConv2DOp>(producer)) {
    auto filterType = conv.getFilter().getType();
    if (!filterType.hasStaticShape())
      return std::nullopt;
    return filterType.getDimSize(1) * filterType.getDimSize(2) *
           static_cast<int64_t>(conv.getChannelsIn() / conv.getGroups());
  }
  if (auto dense = dyn_cast_or_null<BDenseOp>(producer))
    return static_cast<int64_t>(dense.getSize());
  return std::nullopt;
}

/// Logical length of one output channel's packed filter row.
int64_t filterRowSize(Operation *producer) {
  if (auto conv = dyn_cast<BConv2DOp>(producer))
    return conv.getChannelsIn() / conv.getGroups();
  return cast<BDenseOp>(producer).getSize();
}

/// The filter constant with the logical bits of `flipped` channels inverted:
/// w_hat -> -w_hat negates the channel's accumulator, masks unchanged.
DenseIntElementsAttr flipChannels(DenseIntElementsAttr filter,
                                  ArrayRef<bool> flipped, int64_t rowSize) {
  auto type = filter.getType();
  unsigned wordBits = getWordBits(type.getElementType());
  int64_t channels = type.getDimSize(0);
  int64_t perChannel = filter.getNumElements() / channels;
  int64_t wordsPerRow = type.getShape().back();
  SmallVector<APInt> words(filter.getValues<APInt>());
  for (int64_t o = 0; o < channels; ++o) {
    if (!flipped[o])
      continue;
    for (int64_t i = 0; i < perChannel; ++i) {
      int64_t w = i % wordsPerRow;
      int64_t bits = std::min<int64_t>(wordBits, rowSize - w * wordBits);
      words[o * perChannel + i] ^= APInt::getLowBitsSet(wordBits, bits);
    }
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

/// Tries to fuse one pack; emits a remark and returns failure when the chain
/// is recognized but cannot be fused.
LogicalResult fuseThreshold(PackOp pack, RewriterBase &rewriter) {
  if (pack.getPlane() != Plane::Sign)
    return failure();
  Value value = pack.getX();
  // A flatten whose rows are not whole words (otherwise the pack moved above
  // it), possibly after a max pool of the signs: the threshold then reads
  // the flattened (max-pooled) accumulators, see below.
  auto flatten = value.getDefiningOp<tensor::CollapseShapeOp>();
  linalg::PoolingNhwcMaxOp pool;
  tensor::PadOp poolPad;
  if (flatten) {
    value = flatten.getSrc();
    if ((pool = value.getDefiningOp<linalg::PoolingNhwcMaxOp>())) {
      auto fill = pool.getOutputs()[0].getDefiningOp<linalg::FillOp>();
      if (!pool.hasPureTensorSemantics() || !fill ||
          !isAtMostMinusOne(fill.getInputs()[0]))
        return failure();
      value = pool.getInputs()[0];
      if ((poolPad = value.getDefiningOp<tensor::PadOp>())) {
        Value padValue = poolPad.getConstantPaddingValue();
        if (!padValue || !isAtMostMinusOne(padValue))
          return failure();
        // Every window must keep a real tap, as in bmaxpool2d.
        auto window = cast<ShapedType>(pool.getInputs()[1].getType());
        ArrayRef<int64_t> low = poolPad.getStaticLow(),
                          high = poolPad.getStaticHigh();
        if (low.size() != 4 || ShapedType::isDynamicShape(low) ||
            ShapedType::isDynamicShape(high) ||
            low[1] >= window.getDimSize(0) || high[1] >= window.getDimSize(0) ||
            low[2] >= window.getDimSize(1) || high[2] >= window.getDimSize(1))
          return failure();
        value = poolPad.getSource();
      }
    }
  }
  SignOp sign = value.getDefiningOp<SignOp>();
  if (sign)
    value = sign.getX();
  if (pool && !sign)
    return failure(); // A max pool of float values, not of signs.

  // Walk back to the scale through the per-channel steps.
  SmallVector<ChainStep> steps;
  Operation *anchor = value.getDefiningOp();
  while (auto generic = dyn_cast_or_null<linalg::GenericOp>(anchor)) {
    // Which input carries the layer's values: the one that is not constant.
    Value activation;
    for (Value input : generic.getDpsInputs())
      if (!matchPattern(input, m_Constant()))
        activation = input;
    if (!activation)
      return failure();
    std::string why;
    FailureOr<ChainStep> step = matchStep(generic, activation, why);
    if (failed(step)) {
      // Say why only when a binary layer's scale is behind the step: other
      // float layers are float by design.
      if (reachesScale(activation))
        pack.emitRemark("not fused into a threshold: ") << why;
      return failure();
    }
    steps.push_back(*step);
    anchor = activation.getDefiningOp();
  }
  auto scale = dyn_cast_or_null<ScaleOp>(anchor);
  if (!scale)
    return failure();
  auto remark = [&](const Twine &reason) {
    pack.emitRemark("not fused into a threshold: ") << reason;
    return failure();
  };
  // Every intermediate value must feed only the chain: it disappears.
  SmallVector<Operation *> chainOps = {scale};
  for (ChainStep &step : llvm::reverse(steps))
    chainOps.push_back(step.op);
  for (Operation *op : {static_cast<Operation *>(sign), poolPad.getOperation(),
                        pool.getOperation(), flatten.getOperation()})
    if (op)
      chainOps.push_back(op);
  // (A step may also name its input as its unused init, as
  // convert-elementwise-to-linalg does.)
  for (auto [i, op] : llvm::enumerate(chainOps)) {
    Operation *next =
        i + 1 < chainOps.size() ? chainOps[i + 1] : pack.getOperation();
    if (!llvm::all_of(op->getResult(0).getUsers(),
                      [&](Operation *user) { return user == next; }))
      return remark("an intermediate float value has other users");
  }
  DenseFPElementsAttr multiplier, bias;
  if (!matchPattern(scale.getMultiplier(), m_Constant(&multiplier)) ||
      !matchPattern(scale.getBias(), m_Constant(&bias)) ||
      !multiplier.getElementType().isF32())
    return remark("the scale's multiplier and bias are not f32 constants");
  Operation *producer = scale.getAcc().getDefiningOp();
  std::optional<int64_t> bound = accumulatorBound(producer);
  if (!bound)
    return remark("the accumulator does not come from bconv2d or bdense "
                  "with a static filter");
  if (*bound > kMaxAccRange)
    return remark("the accumulator range is too large to search");

  // The bit of every channel for every accumulator value.
  SmallVector<float> m(multiplier.getValues<float>());
  SmallVector<float> b(bias.getValues<float>());
  int64_t channels = m.size();
  SmallVector<int32_t> thresholds(channels);
  SmallVector<bool> flipped(channels, false);
  std::vector<bool> positive(2 * *bound + 1);
  SmallVector<StepProgram> programs;
  for (ChainStep &step : llvm::reverse(steps))
    programs.emplace_back(step);
  for (int64_t o = 0; o < channels; ++o) {
    for (auto [program, step] : llvm::zip(programs, llvm::reverse(steps)))
      program.setChannel(step, o);
    for (int64_t acc = -*bound; acc <= *bound; ++acc) {
      // As bnn.scale lowers: sitofp, mulf, addf.
      float y = static_cast<float>(acc) * m[o];
      y = y + b[o];
      for (auto [program, step] : llvm::zip(programs, llvm::reverse(steps)))
        y = program.run(step.activation, y);
      positive[acc + *bound] = !(y < 0.0f); // sign: NaN is +1
    }
    // First and last positions where the bit changes.
    int64_t changes = 0, at = 0;
    for (size_t i = 1; i < positive.size(); ++i)
      if (positive[i] != positive[i - 1]) {
        ++changes;
        at = static_cast<int64_t>(i) - *bound;
      }
    if (changes == 0) {
      thresholds[o] = positive.front() ? std::numeric_limits<int32_t>::min()
                                       : std::numeric_limits<int32_t>::max();
    } else if (changes == 1 && positive.back()) {
      thresholds[o] = static_cast<int32_t>(at); // +1 iff acc >= at
    } else if (changes == 1) {
      flipped[o] = true; // +1 iff acc <= at - 1 iff -acc >= 1 - at
      thresholds[o] = static_cast<int32_t>(1 - at);
    } else {
      return remark(Twine("the sign of channel ") + Twine(o) +
                    " is not monotone in the accumulator");
    }
  }

  Value acc = scale.getAcc();
  if (llvm::is_contained(flipped, true)) {
    if (!acc.hasOneUse())
      return remark("a channel needs flipped filter bits but the accumulator "
                    "has other users");
    Value filter = producer->getOperand(1);
    DenseIntElementsAttr filterBits;
    if (!matchPattern(filter, m_Constant(&filterBits)))
      return remark("a channel needs flipped filter bits but the filter is "
                    "not constant");
    rewriter.setInsertionPoint(producer);
    Value newFilter = arith::ConstantOp::create(
        rewriter, producer->getLoc(),
        flipChannels(filterBits, flipped, filterRowSize(producer)));
    rewriter.modifyOpInPlace(producer,
                             [&] { producer->setOperand(1, newFilter); });
  }
  rewriter.setInsertionPoint(pack);
  Location loc = pack.getLoc();
  if (pool) {
    // After the flips every channel is +1 iff acc >= t, so the max of the
    // window's signs is +1 iff the max of its accumulators reaches t:
    // pool the integers (padding and init INT32_MIN never win).
    Type i32 = rewriter.getI32Type();
    Value lowest = arith::ConstantOp::create(
        rewriter, loc,
        rewriter.getIntegerAttr(i32, std::numeric_limits<int32_t>::min()));
    Value input = acc;
    if (poolPad) {
      auto padType = cast<RankedTensorType>(poolPad.getType()).clone(i32);
      input = tensor::PadOp::create(rewriter, loc, padType, acc,
                                    poolPad.getMixedLowPad(),
                                    poolPad.getMixedHighPad(), lowest);
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
  if (flatten) {
    acc = tensor::CollapseShapeOp::create(rewriter, loc, acc,
                                          flatten.getReassociationIndices());
    // The flattened axis runs over (pixel, channel): channel = k mod O.
    int64_t flatSize = cast<ShapedType>(acc.getType()).getShape().back();
    SmallVector<int32_t> tiled(flatSize);
    for (int64_t k = 0; k < flatSize; ++k)
      tiled[k] = thresholds[k % channels];
    thresholds = std::move(tiled);
  }
  auto thresholdType = RankedTensorType::get(
      {static_cast<int64_t>(thresholds.size())}, rewriter.getI32Type());
  Value thresholdValue = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(thresholdType, ArrayRef<int32_t>(thresholds)));
  rewriter.replaceOpWithNewOp<ThresholdOp>(pack, pack.getP().getType(), acc,
                                           thresholdValue);
  for (Operation *op : llvm::reverse(chainOps))
    rewriter.eraseOp(op);
  return success();
}

//===----------------------------------------------------------------------===//
// pack(maxpool(sign(x))) -> bmaxpool2d(pack(sign(x)))
//===----------------------------------------------------------------------===//

LogicalResult fuseMaxPool(PackOp pack, RewriterBase &rewriter) {
  if (pack.getPlane() != Plane::Sign)
    return failure();
  auto pool = pack.getX().getDefiningOp<linalg::PoolingNhwcMaxOp>();
  if (!pool || !pool.hasPureTensorSemantics())
    return failure();
  Value input = pool.getInputs()[0];
  SmallVector<int64_t> padding = {0, 0, 0, 0};
  auto padOp = input.getDefiningOp<tensor::PadOp>();
  if (padOp) {
    Value padValue = padOp.getConstantPaddingValue();
    ArrayRef<int64_t> low = padOp.getStaticLow(), high = padOp.getStaticHigh();
    if (!padValue || !isAtMostMinusOne(padValue) ||
        ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high) ||
        low[0] || high[0] || low[3] || high[3])
      return failure();
    padding = {low[1], high[1], low[2], high[2]};
    input = padOp.getSource();
  }
  if (!input.getDefiningOp<SignOp>())
    return failure();
  auto remark = [&](const Twine &reason) {
    pack.emitRemark("max pool not packed: ") << reason;
    return failure();
  };
  auto fill = pool.getOutputs()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || !isAtMostMinusOne(fill.getInputs()[0]))
    return remark("the pool's init is not a fill with a value <= -1");
  SmallVector<int64_t> dilations(pool.getDilations().getValues<int64_t>());
  if (dilations != SmallVector<int64_t>{1, 1})
    return remark("the pool is dilated");
  auto windowType = cast<ShapedType>(pool.getInputs()[1].getType());
  SmallVector<int64_t> kernel(windowType.getShape());
  if (padding[0] >= kernel[0] || padding[1] >= kernel[0] ||
      padding[2] >= kernel[1] || padding[3] >= kernel[1])
    return remark("the padding is not smaller than the window");
  SmallVector<int64_t> strides(pool.getStrides().getValues<int64_t>());

  rewriter.setInsertionPoint(pack);
  auto packedType = pack.getP().getType();
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> packedShape(inputType.getShape());
  packedShape.back() = packedType.getShape().back();
  Value packed =
      PackOp::create(rewriter, pack.getLoc(), packedType.clone(packedShape),
                     input, Plane::Sign);
  rewriter.replaceOpWithNewOp<BMaxPool2DOp>(pack, packedType, packed, kernel,
                                            strides, padding);
  // The float pool is dead now; erase it so the sign has the pack as its
  // only user again.
  if (pool->use_empty())
    rewriter.eraseOp(pool);
  if (padOp && padOp->use_empty())
    rewriter.eraseOp(padOp);
  return success();
}

struct BNNFuseThresholdPass
    : public bnn::impl::BNNFuseThresholdBase<BNNFuseThresholdPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Pools first: they expose pack(sign(...)) to the threshold fusion.
    SmallVector<PackOp> packs;
    getOperation()->walk([&](PackOp op) { packs.push_back(op); });
    for (PackOp pack : packs)
      (void)fuseMaxPool(pack, rewriter);
    // The pool rewrite created new packs of signs.
    packs.clear();
    getOperation()->walk([&](PackOp op) { packs.push_back(op); });
    for (PackOp pack : packs)
      (void)fuseThreshold(pack, rewriter);
  }
};
} // namespace
