//===- ChannelSteps.cpp - Per-channel float steps of a layer ------------===//

#include "ChannelSteps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>

using namespace mlir;
using namespace mlir::bnn;

namespace {

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
  auto fastMath = dyn_cast<arith::ArithFastMathInterface>(op);
  return !fastMath || fastMath.getFastMathFlagsAttr().getValue() ==
                          arith::FastMathFlags::none;
}

/// Ops whose f32 evaluation we reproduce bit for bit.
bool isEvaluable(Operation &op) {
  if (isa<arith::ConstantOp>(op))
    return isa<FloatAttr>(cast<arith::ConstantOp>(op).getValue());
  if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
          arith::NegFOp, math::SqrtOp, arith::MaximumFOp, arith::MinimumFOp>(
          op))
    return hasNoFastMath(&op) && op.getResult(0).getType().isF32();
  if (auto cmp = dyn_cast<arith::CmpFOp>(op))
    return hasNoFastMath(&op) && cmp.getLhs().getType().isF32();
  if (auto select = dyn_cast<arith::SelectOp>(op))
    return select.getCondition().getType().isInteger(1) &&
           select.getType().isF32();
  return isa<linalg::YieldOp>(op);
}

} // namespace

/// Matches an elementwise per-channel affine step; `why` explains a refusal.
FailureOr<ChainStep> bnn::matchStep(linalg::GenericOp op, Value activation,
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
         << "' (supported: addf, subf, mulf, divf, negf, sqrt, maximumf, "
            "minimumf, cmpf and select, without fast-math flags)";
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

StepProgram::StepProgram(ChainStep &step) {
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
    } else if (isa<arith::MaximumFOp, arith::MinimumFOp>(op)) {
      in.kind = isa<arith::MaximumFOp>(op) ? Kind::Max : Kind::Min;
      in.lhs = operand(0);
      in.rhs = operand(1);
    } else if (auto cmp = dyn_cast<arith::CmpFOp>(op)) {
      in.kind = Kind::Cmp;
      in.predicate = cmp.getPredicate();
      in.lhs = operand(0);
      in.rhs = operand(1);
    } else if (isa<arith::SelectOp>(op)) {
      in.kind = Kind::Select;
      in.lhs = operand(1);
      in.rhs = operand(2);
      in.third = operand(0);
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

void StepProgram::setChannel(ChainStep &step, int64_t o) {
  for (auto [i, constants] : llvm::enumerate(step.constants))
    if (i != step.activation)
      slots[i] = constants.size() == 1 ? constants[0] : constants[o];
}

float StepProgram::run(unsigned activation, float x) {
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
    // IEEE 754-2019 maximum/minimum, as arith.maximumf/minimumf: NaN
    // propagates, +0 > -0.
    case Kind::Max:
      value = std::isnan(a) || std::isnan(b) ? NAN
              : a == b                       ? (std::signbit(a) ? b : a)
                                             : std::max(a, b);
      break;
    case Kind::Min:
      value = std::isnan(a) || std::isnan(b) ? NAN
              : a == b                       ? (std::signbit(a) ? a : b)
                                             : std::min(a, b);
      break;
    case Kind::Cmp:
      value = arith::applyCmpPredicate(in.predicate, APFloat(a), APFloat(b))
                  ? 1.0f
                  : 0.0f;
      break;
    case Kind::Select:
      value = slots[in.third] != 0.0f ? a : b;
      break;
    }
    slots[out++] = value;
  }
  return slots[result];
}

Monotonicity StepProgram::getMonotonicity(unsigned activation) {
  // The values of the slots that do not depend on the activation.
  (void)run(activation, 0.0f);
  SmallVector<Monotonicity> direction(slots.size(), Monotonicity::Constant);
  direction[activation] = Monotonicity::NonDecreasing;
  auto flip = [](Monotonicity m) {
    return compose(m, Monotonicity::NonIncreasing);
  };
  // A constant operand that keeps the other operand's order.
  auto finiteConstant = [&](unsigned slot) {
    return direction[slot] == Monotonicity::Constant &&
           std::isfinite(slots[slot]);
  };
  unsigned out = numArguments;
  for (const Instruction &in : code) {
    Monotonicity a = direction[in.lhs], b = direction[in.rhs];
    Monotonicity m = Monotonicity::Unknown;
    switch (in.kind) {
    case Kind::Constant:
      m = Monotonicity::Constant;
      break;
    case Kind::Neg:
      m = flip(a);
      break;
    case Kind::Sqrt:
      m = a == Monotonicity::Constant ? a : Monotonicity::Unknown;
      break;
    case Kind::Max:
    case Kind::Min:
      // Pointwise max/min of two non-decreasing functions is
      // non-decreasing (and so on); mixed directions are Unknown.
      if (a == Monotonicity::Constant)
        m = b;
      else if (b == Monotonicity::Constant || a == b)
        m = a;
      break;
    case Kind::Cmp:
    case Kind::Select: {
      bool constant = a == Monotonicity::Constant &&
                      b == Monotonicity::Constant &&
                      (in.kind == Kind::Cmp ||
                       direction[in.third] == Monotonicity::Constant);
      m = constant ? Monotonicity::Constant : Monotonicity::Unknown;
      break;
    }
    case Kind::Add:
    case Kind::Sub:
      if (a == Monotonicity::Constant && b == Monotonicity::Constant)
        m = Monotonicity::Constant;
      else if (finiteConstant(in.rhs))
        m = a;
      else if (finiteConstant(in.lhs))
        m = in.kind == Kind::Add ? b : flip(b);
      break;
    case Kind::Mul:
    case Kind::Div: {
      if (a == Monotonicity::Constant && b == Monotonicity::Constant) {
        m = Monotonicity::Constant;
        break;
      }
      // x * c, c * x and x / c with c finite and not zero.
      unsigned constant = finiteConstant(in.rhs) ? in.rhs : in.lhs;
      Monotonicity other = constant == in.rhs ? a : b;
      if (!finiteConstant(constant) || slots[constant] == 0.0f ||
          (in.kind == Kind::Div && constant != in.rhs))
        break;
      m = slots[constant] > 0.0f ? other : flip(other);
      break;
    }
    }
    direction[out++] = m;
  }
  return direction[result];
}
