//===- LinalgGradients.cpp - Gradient rules of linalg ops -----------------===//
//
// One rule for every structured op whose indexing maps are projected
// permutations (linalg.generic, matmul, the elementwise, transpose,
// broadcast and fill ops): the adjoint of input j is one new generic over
// the primal loops, with the primal maps kept, the loops missing from input
// j's map as reductions, and the scalar body differentiated in forward mode
// with respect to input j:
//
//   dx_j[M_j(i)] += sum over the other loops of dy[M_o(i)] * df/dx_j(i)
//
// A reduction must combine with a sum (y = out + h(x), as matmul and a
// hand-written sum do): then df/dx_j = dh/dx_j and the init's adjoint is dy.
// At a kink (max, min, abs, select) the derivative follows the branch the
// forward took.
//
//===----------------------------------------------------------------------===//

#include "bnn/Interfaces/GradientOpInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// Forward-mode derivative of the ops of a scalar body with respect to one
/// block argument. The body has been cloned (`cloned` maps primal values to
/// the clones); tangents are built after the clones.
class BodyTangents {
public:
  BodyTangents(OpBuilder &b, Location loc, IRMapping &cloned)
      : b(b), loc(loc), cloned(cloned) {}

  /// d(seed)/d(seed) = 1: the seed's uses read the one directly.
  void seed(Value primal) {
    tangents[primal] = floatConstant(b, loc, primal.getType(), 1.0);
  }

  /// Tangents of every op of `body` (but the terminator), in order; fails
  /// with an error on `diagOp` for an op with a tangent operand and no rule.
  LogicalResult propagate(Block &body, Operation *diagOp) {
    for (Operation &op : body.without_terminator()) {
      if (llvm::none_of(op.getOperands(),
                        [&](Value v) { return tangents.count(v); }))
        continue;
      FailureOr<Value> tangent = tangentOf(op);
      if (failed(tangent))
        return diagOp->emitError("cannot differentiate '")
               << op.getName() << "' in the body of '" << diagOp->getName()
               << "': no derivative rule for it";
      if (*tangent)
        tangents[op.getResult(0)] = *tangent;
    }
    return success();
  }

  /// The tangent of a primal value: zero when it does not depend on the
  /// seed.
  Value get(Value primal) {
    if (Value t = tangents.lookup(primal))
      return t;
    return floatConstant(b, loc, primal.getType(), 0.0);
  }

private:
  /// The clone of a body value; values from above are used as they are.
  Value v(Value primal) { return cloned.lookupOrDefault(primal); }

  /// The tangent of `op`'s result, null for a result without one (an
  /// integer, a comparison, or no operand with a tangent), failure for an
  /// op without a rule. Absent tangents are zeros that are never built:
  /// x * 0 would not fold (NaN, infinities) and would cost a multiply.
  FailureOr<Value> tangentOf(Operation &op) {
    auto t = [&](unsigned i) { return tangents.lookup(op.getOperand(i)); };
    auto x = [&](unsigned i) { return v(op.getOperand(i)); };
    Value y = op.getNumResults() == 1 ? v(op.getResult(0)) : Value();
    auto zeroIfNull = [&](Value tangent, Value like) -> Value {
      return tangent ? tangent : floatConstant(b, loc, like.getType(), 0.0);
    };
    auto add = [&](Value p, Value q) -> Value {
      if (!p || !q)
        return p ? p : q;
      return arith::AddFOp::create(b, loc, p, q);
    };
    auto neg = [&](Value p) -> Value {
      return p ? arith::NegFOp::create(b, loc, p).getResult() : Value();
    };
    auto mul = [&](Value p, Value q) -> Value {
      if (!p || !q)
        return Value();
      return arith::MulFOp::create(b, loc, p, q);
    };
    auto div = [&](Value p, Value q) -> Value {
      return p ? arith::DivFOp::create(b, loc, p, q).getResult() : Value();
    };
    auto cst = [&](double value) {
      return floatConstant(b, loc, y.getType(), value);
    };
    auto cmp = [&](arith::CmpFPredicate p, Value a, Value c) -> Value {
      return arith::CmpFOp::create(b, loc, p, a, c);
    };
    auto select = [&](Value c, Value a, Value d) -> Value {
      return arith::SelectOp::create(b, loc, c, zeroIfNull(a, y),
                                     zeroIfNull(d, y));
    };
    return TypeSwitch<Operation *, FailureOr<Value>>(&op)
        .Case([&](arith::AddFOp) { return add(t(0), t(1)); })
        .Case([&](arith::SubFOp) { return add(t(0), neg(t(1))); })
        .Case([&](arith::MulFOp) {
          return add(mul(t(0), x(1)), mul(x(0), t(1)));
        })
        .Case([&](arith::DivFOp) {
          // (t0 - y t1) / x1
          return div(add(t(0), neg(mul(y, t(1)))), x(1));
        })
        .Case([&](arith::NegFOp) { return neg(t(0)); })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>([&](Operation *) {
          return select(cmp(arith::CmpFPredicate::OGE, x(0), x(1)), t(0), t(1));
        })
        .Case<arith::MinimumFOp, arith::MinNumFOp>([&](Operation *) {
          return select(cmp(arith::CmpFPredicate::OLE, x(0), x(1)), t(0), t(1));
        })
        .Case([&](arith::SelectOp) -> FailureOr<Value> {
          if (!isa<FloatType>(op.getResult(0).getType()))
            return failure();
          if (!t(1) && !t(2))
            return Value();
          return select(x(0), t(1), t(2));
        })
        .Case([&](math::ExpOp) { return mul(t(0), y); })
        .Case([&](math::LogOp) { return div(t(0), x(0)); })
        .Case([&](math::TanhOp) {
          return mul(t(0), arith::SubFOp::create(b, loc, cst(1.0), mul(y, y)));
        })
        .Case([&](math::SqrtOp) { return div(t(0), mul(cst(2.0), y)); })
        .Case([&](math::RsqrtOp) {
          // d x^-1/2 = -1/2 x^-1/2 / x
          return mul(mul(cst(-0.5), t(0)), div(y, x(0)));
        })
        .Case([&](math::AbsFOp) {
          return select(cmp(arith::CmpFPredicate::OGT, x(0), cst(0.0)), t(0),
                        select(cmp(arith::CmpFPredicate::OLT, x(0), cst(0.0)),
                               neg(t(0)), Value()));
        })
        .Case([&](arith::ExtFOp cast) -> Value {
          return arith::ExtFOp::create(b, loc, cast.getType(), t(0));
        })
        .Case([&](arith::TruncFOp cast) -> Value {
          return arith::TruncFOp::create(b, loc, cast.getType(), t(0));
        })
        // No tangent: comparisons and float-to-integer casts.
        .Case<arith::CmpFOp, arith::FPToSIOp, arith::FPToUIOp>(
            [&](Operation *) { return Value(); })
        .Default([&](Operation *) { return failure(); });
  }

  OpBuilder &b;
  Location loc;
  IRMapping &cloned;
  DenseMap<Value, Value> tangents;
};

/// The reduction body y = out + h(...) with `out` used only there; returns
/// the primal h, or null.
Value summedTerm(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  BlockArgument out = body->getArguments().back();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || !out.hasOneUse())
    return nullptr;
  if (add.getLhs() == out)
    return add.getRhs();
  if (add.getRhs() == out)
    return add.getLhs();
  return nullptr;
}

/// The rule of every projected-permutation structured op.
template <typename OpTy>
struct StructuredOpGradient
    : public GradientOpInterface::ExternalModel<StructuredOpGradient<OpTy>,
                                                OpTy> {
  LogicalResult buildOperandAdjoints(Operation *operation, OpBuilder &b,
                                     ValueRange resultAdjoints,
                                     ArrayRef<bool> neededOperands,
                                     SmallVectorImpl<Value> &adjoints) const {
    auto op = cast<linalg::LinalgOp>(operation);
    Location loc = op.getLoc();
    adjoints.assign(operation->getNumOperands(), Value());
    if (op->getNumResults() != 1 || !op.hasPureTensorSemantics())
      return op->emitError("cannot differentiate '")
             << op->getName() << "': only single-result ops on tensors";
    Value dy = resultAdjoints[0];
    if (!dy)
      return success();
    if (op.hasDynamicShape())
      return op->emitError("cannot differentiate '")
             << op->getName() << "': dynamic shapes";

    bool reduces = op.getNumReductionLoops() > 0;
    Block *body = op.getBlock();
    BlockArgument outArg = body->getArguments().back();
    Value term;
    if (reduces) {
      term = summedTerm(op);
      if (!term)
        return op->emitError("cannot differentiate '")
               << op->getName()
               << "': a reduction must combine with a sum (out + term)";
    }

    OpOperand *init = op.getDpsInitOperand(0);
    AffineMap outMap = op.getMatchingIndexingMap(init);
    SmallVector<AffineMap> primalMaps = op.getIndexingMapsArray();
    unsigned numLoops = op.getNumLoops();

    for (OpOperand &operand : op->getOpOperands()) {
      unsigned index = operand.getOperandNumber();
      if (!neededOperands[index])
        continue;
      auto type = dyn_cast<RankedTensorType>(operand.get().getType());
      if (!type)
        continue;
      bool isInit = &operand == init;
      // y = init + sum: the init's adjoint is dy itself.
      if (isInit && reduces) {
        adjoints[index] = dy;
        continue;
      }
      BlockArgument seedArg = op.getMatchingBlockArgument(&operand);
      if (isInit && seedArg.use_empty())
        continue; // The init's values are not read.
      AffineMap map = op.getMatchingIndexingMap(&operand);
      if (!map.isProjectedPermutation())
        return op->emitError("cannot differentiate '")
               << op->getName() << "' with respect to operand #" << index
               << ": its indexing map " << AffineMapAttr::get(map)
               << " is not a projected permutation";

      // Inputs: the primal operands (the init too, where the body reads
      // it), then dy; output: the adjoint, accumulated over the loops that
      // operand's map drops.
      SmallVector<Value> inputs;
      SmallVector<AffineMap> maps;
      for (OpOperand *input : op.getDpsInputOperands()) {
        inputs.push_back(input->get());
        maps.push_back(op.getMatchingIndexingMap(input));
      }
      bool readsInit = !reduces && !outArg.use_empty();
      if (readsInit) {
        inputs.push_back(init->get());
        maps.push_back(outMap);
      }
      inputs.push_back(dy);
      maps.push_back(outMap);
      maps.push_back(map);
      SmallVector<utils::IteratorType> iterators(
          numLoops, utils::IteratorType::reduction);
      for (AffineExpr e : map.getResults())
        iterators[cast<AffineDimExpr>(e).getPosition()] =
            utils::IteratorType::parallel;

      LogicalResult bodyResult = success();
      auto generic = linalg::GenericOp::create(
          b, loc, type, inputs, zeroTensor(b, loc, type), maps, iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            IRMapping cloned;
            unsigned numInputs = op.getNumDpsInputs();
            for (unsigned i = 0; i < numInputs; ++i)
              cloned.map(body->getArgument(i), args[i]);
            // A reduction's combiner is cloned too (and is dead): its out
            // value is any value of the type.
            cloned.map(outArg,
                       readsInit ? args[numInputs]
                                 : floatConstant(nb, l, outArg.getType(), 0.0));
            for (Operation &bodyOp : body->without_terminator())
              nb.clone(bodyOp, cloned);
            BodyTangents tangents(nb, l, cloned);
            tangents.seed(seedArg);
            bodyResult = tangents.propagate(*body, op);
            Value primalResult =
                reduces ? term
                        : cast<linalg::YieldOp>(body->getTerminator())
                              .getValues()[0];
            Value contribution = arith::MulFOp::create(
                nb, l, args[args.size() - 2], tangents.get(primalResult));
            linalg::YieldOp::create(
                nb, l,
                arith::AddFOp::create(nb, l, args.back(), contribution)
                    .getResult());
          });
      if (failed(bodyResult)) {
        generic->erase();
        return failure();
      }
      adjoints[index] = generic.getResult(0);
    }
    return success();
  }
};

template <typename... OpTys> void attachStructured(MLIRContext *ctx) {
  (OpTys::template attachInterface<StructuredOpGradient<OpTys>>(*ctx), ...);
}

} // namespace

void bnn::registerGradientOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    attachStructured<linalg::GenericOp, linalg::MatmulOp, linalg::FillOp,
                     linalg::TransposeOp, linalg::BroadcastOp, linalg::AddOp,
                     linalg::SubOp, linalg::MulOp, linalg::DivOp, linalg::ExpOp,
                     linalg::LogOp, linalg::NegFOp, linalg::MaxOp,
                     linalg::MinOp, linalg::SqrtOp, linalg::RsqrtOp,
                     linalg::AbsOp, linalg::TanhOp, linalg::CopyOp>(ctx);
  });
  registerConvolutionGradientExternalModels(registry);
  registerTensorGradientExternalModels(registry);
}
