//===- GenerateGradients.cpp - Reverse mode on tensors: @NAME_grad --------===//
//
// For a training model @NAME (parameters are the arguments marked
// bnn.param), builds @NAME_grad(data..., labels, params...) -> (loss,
// grads...): a clone of the forward ops, the loss and its adjoint of the
// logits, then the reverse sweep over the forward ops through their
// GradientOpInterface rules. The forward values the sweep reads stay alive
// in SSA form; bufferization places them.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Interfaces/GradientOpInterface.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/IR/IRMapping.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNGENERATEGRADIENTS
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

enum class LossKind { SoftmaxCrossEntropy, MeanSquaredError };

/// The loss (0-d) and its adjoint of the logits [N, K].
struct LossAndSeed {
  Value loss;
  Value dLogits;
};

LossAndSeed buildSoftmaxCrossEntropy(OpBuilder &b, Location loc, Value logits,
                                     Value labels) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(logits.getType());
  Type f = type.getElementType();
  int64_t n = type.getDimSize(0);
  auto d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  AffineMap nk = AffineMap::get(2, 0, {d0, d1}, ctx);
  AffineMap nOnly = AffineMap::get(2, 0, {d0}, ctx);
  auto parallel = utils::IteratorType::parallel;
  auto reduction = utils::IteratorType::reduction;
  // Row maximum and sum of exp(x - max): log-sum-exp without overflow.
  Value rowMax = buildGeneric(
      b, loc,
      filledTensor(b, loc, {n}, f, -std::numeric_limits<double>::infinity()),
      logits, {nk, nOnly}, {parallel, reduction},
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::MaximumFOp::create(nb, l, a[0], a[1]);
      });
  Value sumExp = buildGeneric(
      b, loc, filledTensor(b, loc, {n}, f, 0.0), ValueRange{logits, rowMax},
      {nk, nOnly, nOnly}, {parallel, reduction},
      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value e = math::ExpOp::create(nb, l,
                                      arith::SubFOp::create(nb, l, a[0], a[1]));
        return arith::AddFOp::create(nb, l, a[2], e);
      });
  auto isLabel = [](OpBuilder &nb, Location l, Value label) -> Value {
    Value k = linalg::IndexOp::create(nb, l, 1);
    Value labelIndex =
        arith::IndexCastOp::create(nb, l, nb.getIndexType(), label);
    return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, k,
                                 labelIndex);
  };
  // sum over n and k of [k == label] (max + log(sum) - x), then / N.
  AffineMap scalar = AffineMap::get(2, 0, {}, ctx);
  Value total = buildGeneric(
      b, loc, filledTensor(b, loc, {}, f, 0.0),
      ValueRange{logits, rowMax, sumExp, labels},
      {nk, nOnly, nOnly, nOnly, scalar}, {reduction, reduction},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value lse = arith::AddFOp::create(nb, l, a[1],
                                          math::LogOp::create(nb, l, a[2]));
        Value term = arith::SubFOp::create(nb, l, lse, a[0]);
        Value zero = floatConstant(nb, l, a[0].getType(), 0.0);
        Value picked =
            arith::SelectOp::create(nb, l, isLabel(nb, l, a[3]), term, zero);
        return arith::AddFOp::create(nb, l, a[4], picked);
      });
  Value invN = floatConstant(b, loc, f, 1.0 / static_cast<double>(n));
  AffineMap none = AffineMap::get(0, 0, {}, ctx);
  Value loss = buildGeneric(b, loc, filledTensor(b, loc, {}, f, 0.0), total,
                            {none, none}, {},
                            [&](OpBuilder &nb, Location l, ValueRange a) {
                              return arith::MulFOp::create(nb, l, a[0], invN);
                            });
  // (softmax - onehot) / N.
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape(), f);
  Value dLogits = buildGeneric(
      b, loc, empty, ValueRange{logits, rowMax, sumExp, labels},
      {nk, nOnly, nOnly, nOnly, nk}, {parallel, parallel},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value e = math::ExpOp::create(nb, l,
                                      arith::SubFOp::create(nb, l, a[0], a[1]));
        Value softmax = arith::DivFOp::create(nb, l, e, a[2]);
        Value one = floatConstant(nb, l, a[0].getType(), 1.0);
        Value zero = floatConstant(nb, l, a[0].getType(), 0.0);
        Value onehot =
            arith::SelectOp::create(nb, l, isLabel(nb, l, a[3]), one, zero);
        return arith::MulFOp::create(
            nb, l, arith::SubFOp::create(nb, l, softmax, onehot), invN);
      });
  return {loss, dLogits};
}

LossAndSeed buildMeanSquaredError(OpBuilder &b, Location loc, Value logits,
                                  Value targets) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(logits.getType());
  Type f = type.getElementType();
  double count = static_cast<double>(type.getNumElements());
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap scalar = AffineMap::get(2, 0, {}, ctx);
  auto reduction = utils::IteratorType::reduction;
  auto parallel = utils::IteratorType::parallel;
  Value invCount = floatConstant(b, loc, f, 1.0 / count);
  Value loss = buildGeneric(
      b, loc, filledTensor(b, loc, {}, f, 0.0), ValueRange{logits, targets},
      {id, id, scalar}, {reduction, reduction},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
        Value sq = arith::MulFOp::create(nb, l, d, d);
        return arith::AddFOp::create(
            nb, l, a[2], arith::MulFOp::create(nb, l, sq, invCount));
      });
  Value twoOverCount = floatConstant(b, loc, f, 2.0 / count);
  Value dLogits = buildGeneric(
      b, loc, tensor::EmptyOp::create(b, loc, type.getShape(), f),
      ValueRange{logits, targets}, {id, id, id}, {parallel, parallel},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
        return arith::MulFOp::create(nb, l, d, twoOverCount);
      });
  return {loss, dLogits};
}

bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

/// `NAME_grad(data..., labels, params...) -> (loss, d params..., batch
/// statistics..., [logits])`: the model's forward ops cloned, the loss, and
/// the reverse sweep through each op's GradientOpInterface.
struct GradientFunction {
  GradientFunction(func::FuncOp model, RankedTensorType logitsType,
                   LossKind kind, bool returnLogits)
      : model(model), logitsType(logitsType), kind(kind),
        returnLogits(returnLogits) {
    for (unsigned i = 0; i < model.getNumArguments(); ++i)
      (model.getArgAttr(i, BNNDialect::getParamAttrName()) ? paramArgs
                                                           : dataArgs)
          .push_back(i);
  }

  /// The function with its signature and the forward ops on its arguments.
  void create(OpBuilder &b, StringRef name) {
    FunctionType type = model.getFunctionType();
    Type f = logitsType.getElementType();
    Type labelsType =
        kind == LossKind::SoftmaxCrossEntropy
            ? Type(RankedTensorType::get({logitsType.getDimSize(0)},
                                         b.getIntegerType(32)))
            : Type(logitsType);
    SmallVector<Type> inputs, results = {RankedTensorType::get({}, f)};
    for (unsigned i : dataArgs)
      inputs.push_back(type.getInput(i));
    inputs.push_back(labelsType);
    for (unsigned i : paramArgs) {
      inputs.push_back(type.getInput(i));
      results.push_back(type.getInput(i));
    }
    // Then the batch mean and variance of every bnn.batch_norm, in order:
    // the runtime keeps the running averages.
    model.walk([&](BatchNormOp bn) {
      auto x = cast<RankedTensorType>(bn.getX().getType());
      auto stats =
          RankedTensorType::get(x.getShape().take_back(), x.getElementType());
      results.append({stats, stats});
    });
    if (returnLogits)
      results.push_back(logitsType);
    Location loc = model.getLoc();
    func =
        func::FuncOp::create(b, loc, name, b.getFunctionType(inputs, results));
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);

    // The forward ops, on the gradient function's arguments.
    IRMapping mapping;
    Block &body = model.getBody().front();
    for (auto [pos, i] : llvm::enumerate(dataArgs))
      mapping.map(body.getArgument(i), entry->getArgument(pos));
    labels = entry->getArgument(dataArgs.size());
    for (auto [pos, i] : llvm::enumerate(paramArgs)) {
      Value arg = entry->getArgument(dataArgs.size() + 1 + pos);
      mapping.map(body.getArgument(i), arg);
      params.push_back(arg);
    }
    for (Operation &op : body.without_terminator())
      forward.push_back(b.clone(op, mapping));
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    logits = mapping.lookup(ret.getOperand(0));
    if (ret.getNumOperands() == 2)
      penalty = mapping.lookup(ret.getOperand(1));
  }

  /// The values that depend on a parameter. A region that reads one from
  /// above (not through an operand) has no rule: its gradient would be lost.
  LogicalResult findVaried() {
    varied.insert(params.begin(), params.end());
    for (Operation *op : forward) {
      Operation *capturing = nullptr;
      op->walk([&](Operation *nested) {
        for (Value v : nested->getOperands())
          if (nested != op && varied.count(v) &&
              !op->isProperAncestor(v.getParentBlock()->getParentOp()) &&
              v.getParentBlock()->getParentOp() != op)
            capturing = nested;
      });
      if (capturing)
        return capturing->emitError("bnn-generate-gradients: '")
               << op->getName()
               << "' reads a value that depends on a parameter from above "
                  "its region; pass it as an operand";
      if (llvm::any_of(op->getOperands(),
                       [&](Value v) { return varied.count(v); }))
        varied.insert(op->getResults().begin(), op->getResults().end());
    }
    return success();
  }

  /// The loss and its seed, then every op's operand adjoints in reverse.
  LogicalResult buildReverseSweep(OpBuilder &b) {
    Location loc = model.getLoc();
    LossAndSeed lossAndSeed =
        kind == LossKind::SoftmaxCrossEntropy
            ? buildSoftmaxCrossEntropy(b, loc, logits, labels)
            : buildMeanSquaredError(b, loc, logits, labels);
    loss = lossAndSeed.loss;
    adjoints[logits] = lossAndSeed.dLogits;
    if (penalty) {
      loss = addTensors(b, loc, loss, penalty);
      adjoints[penalty] = addTensors(
          b, loc, adjoints.lookup(penalty),
          filledTensor(b, loc, {}, logitsType.getElementType(), 1.0));
    }
    for (Operation *op : llvm::reverse(forward)) {
      SmallVector<Value> resultAdjoints;
      for (Value result : op->getResults())
        resultAdjoints.push_back(adjoints.lookup(result));
      if (llvm::none_of(resultAdjoints, [](Value v) { return v; }))
        continue;
      SmallVector<bool> needed;
      for (Value operand : op->getOperands())
        needed.push_back(varied.count(operand) &&
                         isFloatTensor(operand.getType()));
      if (llvm::none_of(needed, [](bool n) { return n; }))
        continue;
      auto rule = dyn_cast<GradientOpInterface>(op);
      if (!rule)
        return op->emitError("bnn-generate-gradients: no gradient rule for '")
               << op->getName() << "'";
      SmallVector<Value> operandAdjoints;
      if (failed(rule.buildOperandAdjoints(b, resultAdjoints, needed,
                                           operandAdjoints)))
        return failure();
      for (auto [operand, adjoint] :
           llvm::zip_equal(op->getOperands(), operandAdjoints))
        if (adjoint)
          adjoints[operand] =
              addTensors(b, op->getLoc(), adjoints.lookup(operand), adjoint);
    }
    return success();
  }

  /// Returns the loss, the parameters' gradients (zero for a parameter the
  /// loss does not depend on), the batch statistics and the logits.
  void buildReturn(OpBuilder &b) {
    Location loc = model.getLoc();
    SmallVector<Value> returned = {loss};
    for (Value param : params) {
      Value grad = adjoints.lookup(param);
      returned.push_back(
          grad ? grad
               : zeroTensor(b, loc, cast<RankedTensorType>(param.getType())));
    }
    for (Operation *op : forward)
      if (auto bn = dyn_cast<BatchNormOp>(op)) {
        auto [mean, var] = bn.buildBatchStatistics(b);
        returned.append({mean, var});
      }
    if (returnLogits)
      returned.push_back(logits);
    func::ReturnOp::create(b, loc, returned);
  }

  func::FuncOp model;
  RankedTensorType logitsType;
  LossKind kind;
  bool returnLogits;
  SmallVector<unsigned> dataArgs, paramArgs;

  func::FuncOp func;
  Value labels, logits, penalty, loss;
  SmallVector<Value> params;
  SmallVector<Operation *> forward;
  DenseSet<Value> varied;
  DenseMap<Value, Value> adjoints;
};

struct GenerateGradientsPass
    : public bnn::impl::BNNGenerateGradientsBase<GenerateGradientsPass> {
  using BNNGenerateGradientsBase::BNNGenerateGradientsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    LossKind kind;
    if (loss == "softmax-cross-entropy")
      kind = LossKind::SoftmaxCrossEntropy;
    else if (loss == "mse")
      kind = LossKind::MeanSquaredError;
    else {
      module.emitError("bnn-generate-gradients: unknown loss '")
          << loss << "' (expected softmax-cross-entropy or mse)";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> models;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (func.getArgAttr(i, BNNDialect::getParamAttrName())) {
          models.push_back(func);
          break;
        }
    }
    for (func::FuncOp model : models)
      if (failed(generate(model, kind)))
        return signalPassFailure();
  }

  LogicalResult generate(func::FuncOp model, LossKind kind) {
    auto fail = [&](const Twine &message) {
      return model.emitError("bnn-generate-gradients: '")
             << model.getSymName() << "': " << message;
    };
    FailureOr<RankedTensorType> logitsType = checkModel(model, fail);
    if (failed(logitsType))
      return failure();
    std::string name = (model.getSymName() + "_grad").str();
    if (getOperation().lookupSymbol(name))
      return fail("a symbol '" + name + "' exists already");

    GradientFunction grad(model, *logitsType, kind, returnLogits);
    OpBuilder b(&getContext());
    b.setInsertionPointAfter(model);
    grad.create(b, name);
    if (failed(grad.findVaried()) || failed(grad.buildReverseSweep(b))) {
      grad.func.erase();
      return failure();
    }
    grad.buildReturn(b);
    return success();
  }

  /// Checks the model's form; returns its logits' type.
  FailureOr<RankedTensorType>
  checkModel(func::FuncOp model,
             function_ref<InFlightDiagnostic(const Twine &)> fail) {
    if (!model.getBody().hasOneBlock())
      return fail("the model must be one block");
    FunctionType type = model.getFunctionType();
    if (type.getNumResults() < 1 || type.getNumResults() > 2)
      return fail("expected the logits and an optional penalty as results");
    auto logitsType = dyn_cast<RankedTensorType>(type.getResult(0));
    if (!logitsType || logitsType.getRank() != 2 ||
        !logitsType.hasStaticShape() ||
        !isa<FloatType>(logitsType.getElementType()))
      return fail("the first result (the logits) must be a static N x K "
                  "float tensor");
    if (type.getNumResults() == 2 &&
        type.getResult(1) !=
            RankedTensorType::get({}, logitsType.getElementType()))
      return fail("the second result (the penalty) must be a 0-d tensor of "
                  "the logits' element type");
    for (unsigned i = 0; i < model.getNumArguments(); ++i)
      if (model.getArgAttr(i, BNNDialect::getParamAttrName()) &&
          !isFloatTensor(type.getInput(i)))
        return fail("parameter #" + Twine(i) + " is not a float tensor");
    return logitsType;
  }
};

} // namespace
