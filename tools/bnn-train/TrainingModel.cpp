//===- TrainingModel.cpp - What bnn-train reads in a training model ------===//

#include "TrainingModel.h"

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Interfaces/GradientOpInterface.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>

using namespace mlir;
using namespace mlir::bnn;
using namespace mlir::bnn::train;

const char *mlir::bnn::train::roleName(ParamRole role) {
  switch (role) {
  case ParamRole::Weight:
    return "weight";
  case ParamRole::Bias:
    return "bias";
  case ParamRole::Transform:
    return "transform";
  case ParamRole::Importance:
    return "importance";
  case ParamRole::BatchNormScale:
    return "batch norm scale";
  case ParamRole::BatchNormShift:
    return "batch norm shift";
  case ParamRole::SqBeta:
    return "SQ beta";
  }
  return "?";
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "x" : "") + std::to_string(d);
  return s.empty() ? "scalar" : s;
}

//===----------------------------------------------------------------------===//
// Dependences
//===----------------------------------------------------------------------===//

/// Values computed (transitively) from `roots`, in the function's top-level
/// ops (a region reads its operands through block arguments).
static DenseSet<Value> dependentsOf(func::FuncOp function,
                                    ArrayRef<Value> roots) {
  DenseSet<Value> set(roots.begin(), roots.end());
  for (Operation &op : function.getBody().front())
    if (llvm::any_of(op.getOperands(), [&](Value v) { return set.count(v); }))
      set.insert(op.getResults().begin(), op.getResults().end());
  return set;
}

static SmallVector<Value> dataArguments(func::FuncOp function) {
  SmallVector<Value> data;
  for (BlockArgument arg : function.getArguments())
    if (!function.getArgAttr(arg.getArgNumber(),
                             BNNDialect::getParamAttrName()))
      data.push_back(arg);
  return data;
}

static SmallVector<Value> paramArguments(func::FuncOp function) {
  SmallVector<Value> params;
  for (BlockArgument arg : function.getArguments())
    if (function.getArgAttr(arg.getArgNumber(), BNNDialect::getParamAttrName()))
      params.push_back(arg);
  return params;
}

/// Weight quantizers in program order: importance_sign, ternary, and sign
/// of a value that does not depend on the data.
static SmallVector<Operation *> collectQuantizers(func::FuncOp function) {
  DenseSet<Value> data = dependentsOf(function, dataArguments(function));
  SmallVector<Operation *> quantizers;
  for (Operation &op : function.getBody().front()) {
    if (isa<ImportanceSignOp, TernaryOp>(op))
      quantizers.push_back(&op);
    else if (auto sign = dyn_cast<SignOp>(op); sign && !data.count(sign.getX()))
      quantizers.push_back(&op);
  }
  return quantizers;
}

static SmallVector<SignOp> collectActivationSigns(func::FuncOp function) {
  DenseSet<Value> data = dependentsOf(function, dataArguments(function));
  SmallVector<SignOp> signs;
  for (Operation &op : function.getBody().front())
    if (auto sign = dyn_cast<SignOp>(op); sign && data.count(sign.getX()))
      signs.push_back(sign);
  return signs;
}

/// `roots` and every value they are computed from, through defining ops.
static SetVector<Value> valuesBehind(ArrayRef<Value> roots) {
  SetVector<Value> slice;
  SmallVector<Value> worklist(roots);
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!slice.insert(v))
      continue;
    if (Operation *def = v.getDefiningOp())
      worklist.append(def->operand_begin(), def->operand_end());
  }
  return slice;
}

/// The op that reads a quantized weight: its first user.
static Operation *layerOf(Operation *quantizer) {
  for (Operation *user : quantizer->getResult(0).getUsers())
    return user;
  return nullptr;
}

static bool isContraction(Operation *op) {
  if (isa<linalg::ConvolutionOpInterface>(op) || isa<linalg::MatmulOp>(op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && generic.getNumReductionLoops() > 0 &&
         generic.getNumDpsInputs() >= 2;
}

//===----------------------------------------------------------------------===//
// Analysis
//===----------------------------------------------------------------------===//

/// The one public function with bnn.param arguments.
static FailureOr<func::FuncOp> findTrainingFunction(ModuleOp module) {
  func::FuncOp forward;
  for (auto function : module.getOps<func::FuncOp>()) {
    if (!function.isPublic() || function.isExternal() ||
        paramArguments(function).empty())
      continue;
    if (forward) {
      function.emitError("bnn-train: a second training model '")
          << function.getSymName() << "' (the first is '"
          << forward.getSymName() << "'); give bnn-train a file with one";
      return failure();
    }
    forward = function;
  }
  if (!forward) {
    module.emitError("bnn-train: no public function with bnn.param "
                     "arguments: nothing to train (docs/Training.md)");
    return failure();
  }
  return forward;
}

LogicalResult TrainingModel::analyzeSignature() {
  TrainingModel &model = *this;
  func::FuncOp f = forward;
  SmallVector<Value> data = dataArguments(f);
  if (data.size() != 1) {
    f.emitError("bnn-train: '")
        << f.getSymName() << "' has " << data.size()
        << " data inputs; bnn-train feeds exactly one, the images "
           "(N x H x W x C f32); mark every other argument bnn.param";
    return failure();
  }
  auto imageType = dyn_cast<RankedTensorType>(data[0].getType());
  if (!imageType || imageType.getRank() != 4 || !imageType.hasStaticShape() ||
      !imageType.getElementType().isF32()) {
    f.emitError("bnn-train: the data input must be a static tensor<N x H x W "
                "x C x f32> of images, got ")
        << data[0].getType();
    return failure();
  }
  model.dataArgument = cast<BlockArgument>(data[0]).getArgNumber();
  model.batchSize = imageType.getDimSize(0);
  model.image.assign(imageType.getShape().begin() + 1,
                     imageType.getShape().end());

  FunctionType type = f.getFunctionType();
  auto logits = type.getNumResults() >= 1
                    ? dyn_cast<RankedTensorType>(type.getResult(0))
                    : RankedTensorType();
  if (!logits || logits.getRank() != 2 || !logits.hasStaticShape() ||
      !logits.getElementType().isF32() ||
      logits.getDimSize(0) != model.batchSize) {
    f.emitError("bnn-train: the first result must be the logits, tensor<")
        << model.batchSize << " x K x f32>";
    return failure();
  }
  model.numClasses = logits.getDimSize(1);
  if (type.getNumResults() > 2 ||
      (type.getNumResults() == 2 &&
       type.getResult(1) !=
           RankedTensorType::get({}, logits.getElementType()))) {
    f.emitError("bnn-train: results must be the logits and an optional "
                "penalty tensor<f32>");
    return failure();
  }
  model.penalty = type.getNumResults() == 2;

  return success();
}

LogicalResult TrainingModel::analyzeParams() {
  TrainingModel &model = *this;
  func::FuncOp f = forward;
  for (Value arg : paramArguments(f)) {
    auto tensor = dyn_cast<RankedTensorType>(arg.getType());
    unsigned number = cast<BlockArgument>(arg).getArgNumber();
    if (!tensor || !tensor.hasStaticShape() ||
        !tensor.getElementType().isF32()) {
      f.emitError("bnn-train: parameter #")
          << number << " must be a static f32 tensor, got " << arg.getType();
      return failure();
    }
    Param param;
    param.argument = number;
    param.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    param.size = tensor.getNumElements();
    std::optional<ParamRole> role;
    int64_t fanIn = 1;
    if (tensor.getRank() >= 1)
      for (int64_t d : tensor.getShape().drop_front())
        fanIn *= d;
    auto choose = [&](ParamRole r) {
      // The most specific use decides.
      if (!role || static_cast<int>(r) > static_cast<int>(*role))
        role = r;
    };
    for (OpOperand &use : arg.getUses()) {
      Operation *user = use.getOwner();
      unsigned n = use.getOperandNumber();
      if (isa<SqRegularizerOp>(user) && n == 1)
        choose(ParamRole::SqBeta);
      else if (isa<OrthonormalTransformOp>(user) && n == 1)
        choose(ParamRole::Transform);
      else if (isa<ImportanceSignOp>(user) && n == 1)
        choose(ParamRole::Importance);
      else if (isa<BatchNormOp>(user))
        choose(n == 1 ? ParamRole::BatchNormScale : ParamRole::BatchNormShift);
      else if (tensor.getRank() >= 2) {
        if (isa<linalg::MatmulOp>(user) && n == 1)
          fanIn = tensor.getDimSize(0); // [K, O]
        choose(ParamRole::Weight);
      } else if (tensor.getRank() == 1 && isa<linalg::LinalgOp>(user))
        choose(ParamRole::Bias);
    }
    if (!role) {
      f.emitError("bnn-train: cannot tell the role of parameter #")
          << number << " (" << arg.getType()
          << ") from its uses; docs/Training.md lists the roles";
      return failure();
    }
    param.role = *role;
    param.fanIn = fanIn;
    model.params.push_back(param);
  }
  return success();
}

void TrainingModel::analyzeLayers() {
  TrainingModel &model = *this;
  func::FuncOp f = forward;
  DenseMap<Value, unsigned> paramIndex;
  for (auto [i, param] : llvm::enumerate(model.params))
    paramIndex[f.getArgument(param.argument)] = i;

  for (Operation *quantizer : collectQuantizers(f)) {
    QuantizedLayer layer;
    Value weight = quantizer->getOperand(0);
    if (isa<ImportanceSignOp>(quantizer))
      layer.kind = weight.getDefiningOp<OrthonormalTransformOp>()
                       ? LayerKind::BiTAT
                       : LayerKind::ImportanceSign;
    else if (isa<TernaryOp>(quantizer))
      layer.kind = LayerKind::Ternary;
    else
      layer.kind = LayerKind::WeightSign;
    if (auto transform = weight.getDefiningOp<OrthonormalTransformOp>()) {
      auto wType = cast<RankedTensorType>(transform.getX().getType());
      layer.transformOnLastAxis =
          static_cast<int64_t>(transform.getAxis()) == wType.getRank() - 1;
      layer.transformTransposed = transform.getTranspose();
    }
    SmallVector<Value> roots = {weight};
    if (auto is = dyn_cast<ImportanceSignOp>(quantizer))
      roots.push_back(is.getS());
    for (Value v : valuesBehind(roots)) {
      auto it = paramIndex.find(v);
      if (it == paramIndex.end())
        continue;
      Param &p = model.params[it->second];
      layer.params.push_back(it->second);
      if (p.role == ParamRole::Transform)
        layer.transformParam = it->second;
      else if (p.role == ParamRole::Importance)
        layer.importanceParam = it->second;
      else if (p.role == ParamRole::Weight)
        layer.weightParam = it->second;
    }
    if (auto ternary = dyn_cast<TernaryOp>(quantizer))
      for (Value v : valuesBehind({ternary.getDelta()}))
        if (auto it = paramIndex.find(v);
            it != paramIndex.end() &&
            model.params[it->second].role == ParamRole::SqBeta)
          layer.betaParam = it->second;
    for (unsigned p : layer.params)
      model.params[p].layer = model.layers.size();
    Operation *reader = layerOf(quantizer);
    std::string readerName =
        reader ? reader->getName().stripDialect().str() : "unused";
    if (reader && reader->getNumOperands() > 0)
      if (auto input =
              dyn_cast<RankedTensorType>(reader->getOperand(0).getType()))
        layer.inputChannels = input.getShape().back();
    auto wType = cast<RankedTensorType>(weight.getType());
    const char *kinds[] = {"BiTAT", "importance sign", "SQ ternary", "sign"};
    layer.description = readerName + " " + shapeString(wType.getShape()) +
                        " (" + kinds[static_cast<int>(layer.kind)] + ")";
    model.layers.push_back(layer);
  }
}

FailureOr<TrainingModel> TrainingModel::analyze(ModuleOp module) {
  TrainingModel model;
  model.module = module;
  FailureOr<func::FuncOp> forward = findTrainingFunction(module);
  if (failed(forward))
    return failure();
  model.forward = *forward;
  func::FuncOp f = model.forward;
  if (failed(model.analyzeSignature()) || failed(model.analyzeParams()))
    return failure();
  model.analyzeLayers();

  for (auto &param : model.params) {
    param.name = "p" + std::to_string(param.argument) + " (" +
                 roleName(param.role) + " " + shapeString(param.shape) + ")";
  }
  f.walk([&](BatchNormOp bn) {
    auto x = cast<RankedTensorType>(bn.getX().getType());
    model.batchNormChannels.push_back(x.getShape().back());
    model.batchNormRows.push_back(x.getNumElements() / x.getShape().back());
    model.batchNormMomenta.push_back(bn.getMomentum().convertToDouble());
  });
  return model;
}

std::string TrainingModel::fingerprint() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << forward.getSymName() << ": " << forward.getFunctionType() << ";";
  forward.walk([&](Operation *op) { os << " " << op->getName(); });
  return text;
}

//===----------------------------------------------------------------------===//
// Variants
//===----------------------------------------------------------------------===//

/// The quantized layer an activation sign belongs to: the one that computes
/// its input (back through batch norm and other elementwise ops to the
/// previous contraction), so that a layer learns with its output binarized
/// before the layers above are; after a float layer, the quantized layer
/// that reads it (through pads, pools and reshapes); else none (-1).
static SmallVector<int> activationSignOwners(func::FuncOp function) {
  SmallVector<Operation *> quantizers = collectQuantizers(function);
  DenseMap<Operation *, int> readers;
  for (auto [i, q] : llvm::enumerate(quantizers))
    if (Operation *reader = layerOf(q))
      readers[reader] = i;
  DenseSet<Value> data = dependentsOf(function, dataArguments(function));
  SmallVector<int> owners;
  for (SignOp sign : collectActivationSigns(function)) {
    int owner = -1;
    // The producer.
    SmallVector<Value> pending = {sign.getX()};
    DenseSet<Value> visited;
    while (!pending.empty() && owner < 0) {
      Value v = pending.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (!def || !visited.insert(v).second)
        continue;
      if (auto it = readers.find(def); it != readers.end()) {
        owner = it->second;
        break;
      }
      if (isContraction(def))
        continue;
      for (Value operand : def->getOperands())
        if (data.count(operand))
          pending.push_back(operand);
    }
    // Else the reader.
    std::deque<Operation *> queue = {sign};
    DenseSet<Operation *> seen;
    while (!queue.empty() && owner < 0) {
      Operation *op = queue.front();
      queue.pop_front();
      for (Operation *user : op->getUsers()) {
        if (!seen.insert(user).second)
          continue;
        if (auto it = readers.find(user); it != readers.end()) {
          owner = it->second;
          break;
        }
        if (!isContraction(user))
          queue.push_back(user);
      }
    }
    owners.push_back(owner);
  }
  return owners;
}

/// clamp(x, -1, 1): the relaxation of sign that the straight-through
/// estimator differentiates.
static Value buildHardTanh(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  return buildGeneric(b, loc, init, {x}, {id, id}, iterators,
                      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                        Type t = args[0].getType();
                        Value one = floatConstant(nb, l, t, 1.0);
                        Value minusOne = floatConstant(nb, l, t, -1.0);
                        Value low =
                            arith::MaximumFOp::create(nb, l, args[0], minusOne);
                        return arith::MinimumFOp::create(nb, l, low, one);
                      });
}

static void setReturn(func::FuncOp function, ValueRange values) {
  auto ret = cast<func::ReturnOp>(function.getBody().front().getTerminator());
  OpBuilder b(ret);
  func::ReturnOp::create(b, ret.getLoc(), values);
  ret.erase();
  function.setType(FunctionType::get(function.getContext(),
                                     function.getArgumentTypes(),
                                     ValueRange(values).getTypes()));
}

static void eraseDeadOps(func::FuncOp function) {
  Block &body = function.getBody().front();
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (isOpTriviallyDead(&op)) {
        op.erase();
        changed = true;
      }
  }
}

/// Applies `state` to `function` (a clone of the forward model): relaxed
/// quantizers become the identity, relaxed activation signs hardtanh, and
/// the penalty is scaled or dropped.
static void applyQuantizationState(func::FuncOp function,
                                   const QuantizationState &state,
                                   bool keepPenalty) {
  SmallVector<Operation *> quantizers = collectQuantizers(function);
  SmallVector<SignOp> signs = collectActivationSigns(function);
  SmallVector<int> owners = activationSignOwners(function);
  for (auto [sign, owner] : llvm::zip_equal(signs, owners)) {
    bool quantized = owner >= 0 ? static_cast<bool>(state.layerQuantized[owner])
                                : state.allSigns;
    if (quantized)
      continue;
    OpBuilder b(sign);
    sign.getResult().replaceAllUsesWith(
        buildHardTanh(b, sign.getLoc(), sign.getX()));
    sign.erase();
  }
  for (auto [i, quantizer] : llvm::enumerate(quantizers)) {
    auto ternary = dyn_cast<TernaryOp>(quantizer);
    if (ternary && state.layerQuantized[i] && i < state.binaryLayers.size() &&
        state.binaryLayers[i]) {
      OpBuilder b(ternary);
      auto deltaType = cast<RankedTensorType>(ternary.getDelta().getType());
      Value zero = arith::ConstantOp::create(
          b, ternary.getLoc(), deltaType,
          DenseElementsAttr::get(
              deltaType, FloatAttr::get(deltaType.getElementType(), 0.0)));
      ternary.getDeltaMutable().set(zero);
    }
    if (state.layerQuantized[i])
      continue;
    quantizer->getResult(0).replaceAllUsesWith(quantizer->getOperand(0));
    quantizer->erase();
  }
  auto ret = cast<func::ReturnOp>(function.getBody().front().getTerminator());
  if (ret.getNumOperands() == 2) {
    Value logits = ret.getOperand(0), penalty = ret.getOperand(1);
    if (!keepPenalty || state.penaltyScale == 0) {
      setReturn(function, {logits});
    } else if (state.penaltyScale != 1) {
      OpBuilder b(ret);
      Location loc = ret.getLoc();
      Value scaled = buildGeneric(
          b, loc, filledTensor(b, loc, {}, b.getF32Type(), 0.0), {penalty},
          {AffineMap::get(b.getContext()), AffineMap::get(b.getContext())}, {},
          [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
            Value c = floatConstant(nb, l, nb.getF32Type(), state.penaltyScale);
            return arith::MulFOp::create(nb, l, args[0], c);
          });
      setReturn(function, {logits, scaled});
    }
  }
  eraseDeadOps(function);
}

namespace {
/// A clone of the model's module holding only the forward function.
struct Variant {
  OwningOpRef<ModuleOp> module;
  func::FuncOp function;
};
} // namespace

static Variant cloneForward(func::FuncOp forward) {
  Variant v;
  OpBuilder b(forward.getContext());
  v.module = ModuleOp::create(b, forward.getLoc());
  b.setInsertionPointToStart(v.module->getBody());
  v.function = cast<func::FuncOp>(b.clone(*forward));
  return v;
}

FailureOr<OwningOpRef<ModuleOp>>
TrainingModel::buildTrainingStep(const QuantizationState &state) const {
  Variant v = cloneForward(forward);
  applyQuantizationState(v.function, state, /*keepPenalty=*/true);
  PassManager pm(forward.getContext(), ModuleOp::getOperationName());
  BNNGenerateGradientsOptions options;
  options.returnLogits = true;
  pm.addPass(createBNNGenerateGradients(options));
  if (failed(pm.run(*v.module)))
    return failure();
  v.function.erase();
  return std::move(v.module);
}

/// Replaces each bnn.batch_norm of `function` by the inference affine on
/// new trailing arguments (mean, var per batch norm).
static void useRunningStatistics(func::FuncOp function) {
  SmallVector<BatchNormOp> norms;
  function.walk([&](BatchNormOp bn) { norms.push_back(bn); });
  Block &body = function.getBody().front();
  for (BatchNormOp bn : norms) {
    auto xType = cast<RankedTensorType>(bn.getX().getType());
    auto stats = RankedTensorType::get(xType.getShape().take_back(),
                                       xType.getElementType());
    Location loc = bn.getLoc();
    unsigned at = function.getNumArguments();
    (void)function.insertArgument(at, stats, {}, loc);
    (void)function.insertArgument(at + 1, stats, {}, loc);
    Value mean = body.getArgument(at), var = body.getArgument(at + 1);
    OpBuilder b(bn);
    int64_t rank = xType.getRank();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, b.getAffineDimExpr(rank - 1));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value init = tensor::EmptyOp::create(b, loc, xType.getShape(),
                                         xType.getElementType());
    double epsilon = bn.getEpsilon().convertToDouble();
    // The form bnn-fuse-threshold folds (as examples/fashion_mnist writes
    // it): (x - mean) / sqrt(var + eps) * gamma + beta.
    Value y = buildGeneric(
        b, loc, init, {bn.getX(), mean, var, bn.getGamma(), bn.getBeta()},
        {id, channel, channel, channel, channel, id}, iterators,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value eps = floatConstant(nb, l, a[0].getType(), epsilon);
          Value centred = arith::SubFOp::create(nb, l, a[0], a[1]);
          Value varEps = arith::AddFOp::create(nb, l, a[2], eps);
          Value sd = math::SqrtOp::create(nb, l, varEps);
          Value normed = arith::DivFOp::create(nb, l, centred, sd);
          Value scaled = arith::MulFOp::create(nb, l, normed, a[3]);
          return arith::AddFOp::create(nb, l, scaled, a[4]);
        });
    bn.getResult().replaceAllUsesWith(y);
    bn.erase();
  }
}

FailureOr<OwningOpRef<ModuleOp>>
TrainingModel::buildEvaluation(const QuantizationState &state) const {
  Variant v = cloneForward(forward);
  applyQuantizationState(v.function, state, /*keepPenalty=*/false);
  useRunningStatistics(v.function);
  return std::move(v.module);
}

FailureOr<OwningOpRef<ModuleOp>>
TrainingModel::buildLayerInputProbe(const QuantizationState &state,
                                    unsigned layer) const {
  Variant v = cloneForward(forward);
  SmallVector<Operation *> quantizers = collectQuantizers(v.function);
  Operation *reader = layerOf(quantizers[layer]);
  if (!reader || reader->getNumOperands() == 0)
    return failure();
  // The values the layer reads, before any padding of the border.
  Value input = reader->getOperand(0);
  if (auto pad = input.getDefiningOp<tensor::PadOp>())
    input = pad.getSource();
  // Keep the probed value alive through the rewrites below.
  setReturn(v.function, {input});
  applyQuantizationState(v.function, state, /*keepPenalty=*/false);
  return std::move(v.module);
}

/// Results of ops that depend on parameters only (and on no data), are
/// not bnn ops (the compiler folds those) and are read by a bnn op or by
/// an op on data: what the exported model needs as constants.
static SmallVector<Value> parameterExpressions(func::FuncOp function,
                                               unsigned dataArgument) {
  DenseSet<Value> data =
      dependentsOf(function, {function.getArgument(dataArgument)});
  SmallVector<Value> args;
  for (BlockArgument arg : function.getArguments())
    if (arg.getArgNumber() != dataArgument)
      args.push_back(arg);
  DenseSet<Value> fromParams = dependentsOf(function, args);
  SmallVector<Value> roots;
  for (Operation &op : function.getBody().front()) {
    if (isa<BNNDialect>(op.getDialect()) || op.getNumResults() != 1)
      continue;
    Value v = op.getResult(0);
    if (!fromParams.count(v) || data.count(v))
      continue;
    if (llvm::any_of(v.getUsers(), [&](Operation *user) {
          return isa<BNNDialect>(user->getDialect()) ||
                 llvm::any_of(user->getResults(),
                              [&](Value r) { return data.count(r); });
        }))
      roots.push_back(v);
  }
  return roots;
}

FailureOr<OwningOpRef<ModuleOp>>
TrainingModel::buildParameterExpressions(const QuantizationState &state,
                                         unsigned &count) const {
  FailureOr<OwningOpRef<ModuleOp>> eval = buildEvaluation(state);
  if (failed(eval))
    return failure();
  auto function = *(*eval)->getOps<func::FuncOp>().begin();
  SmallVector<Value> roots = parameterExpressions(function, dataArgument);
  count = roots.size();
  if (roots.empty())
    return std::move(*eval);
  setReturn(function, roots);
  eraseDeadOps(function);
  return std::move(*eval);
}

FailureOr<OwningOpRef<ModuleOp>> TrainingModel::buildExport(
    const QuantizationState &state, ArrayRef<std::vector<float>> paramValues,
    ArrayRef<std::vector<float>> statValues,
    ArrayRef<std::vector<float>> expressionValues, int64_t exportBatch) const {
  FailureOr<OwningOpRef<ModuleOp>> eval = buildEvaluation(state);
  if (failed(eval))
    return failure();
  auto function = *(*eval)->getOps<func::FuncOp>().begin();
  SmallVector<Value> roots = parameterExpressions(function, dataArgument);
  if (roots.size() != expressionValues.size())
    return function.emitError("bnn-train: internal: ")
           << roots.size() << " parameter expressions, "
           << expressionValues.size() << " values";
  Block &body = function.getBody().front();
  OpBuilder b(&body, body.begin());
  Location loc = function.getLoc();
  auto constant = [&](Value like, const std::vector<float> &values) {
    auto type = cast<RankedTensorType>(like.getType());
    auto attr = DenseElementsAttr::get(type, ArrayRef<float>(values));
    return arith::ConstantOp::create(b, loc, type, attr).getResult();
  };
  for (auto [root, values] : llvm::zip_equal(roots, expressionValues)) {
    b.setInsertionPoint(root.getDefiningOp());
    root.replaceAllUsesWith(constant(root, values));
  }
  b.setInsertionPointToStart(&body);
  for (auto [param, values] : llvm::zip_equal(params, paramValues)) {
    Value arg = function.getArgument(param.argument);
    arg.replaceAllUsesWith(constant(arg, values));
  }
  unsigned firstStat = forward.getNumArguments();
  for (auto [i, values] : llvm::enumerate(statValues)) {
    Value arg = function.getArgument(firstStat + i);
    arg.replaceAllUsesWith(constant(arg, values));
  }
  eraseDeadOps(function);
  llvm::BitVector erase(function.getNumArguments(), true);
  erase.reset(dataArgument);
  if (failed(function.eraseArguments(erase)))
    return failure();
  if (exportBatch != batchSize &&
      failed(setBatchSize(function, 0, batchSize, exportBatch)))
    return failure();
  return std::move(*eval);
}

//===----------------------------------------------------------------------===//
// Batch size
//===----------------------------------------------------------------------===//

static Type withBatch(Type type, int64_t to) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(tensor.getShape());
  shape[0] = to;
  return tensor.clone(shape);
}

LogicalResult mlir::bnn::train::setBatchSize(func::FuncOp function,
                                             unsigned dataArgument,
                                             int64_t from, int64_t to) {
  auto hasBatch = [&](Value v) {
    auto tensor = dyn_cast<RankedTensorType>(v.getType());
    return tensor && tensor.getRank() >= 1 && tensor.getDimSize(0) == from;
  };
  DenseSet<Value> data =
      dependentsOf(function, {function.getArgument(dataArgument)});
  SetVector<Value> batched;
  for (Value v : data)
    if (hasBatch(v))
      batched.insert(v);
  // The inits a batched result is written into are batched too, back
  // through fills to the empties.
  SmallVector<Value> worklist(batched.begin(), batched.end());
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    auto result = dyn_cast<OpResult>(v);
    if (!result)
      continue;
    auto dps = dyn_cast<DestinationStyleOpInterface>(result.getOwner());
    if (!dps)
      continue;
    Value init = dps.getDpsInitOperand(result.getResultNumber())->get();
    if (hasBatch(init) && batched.insert(init))
      worklist.push_back(init);
  }
  for (Value v : batched) {
    v.setType(withBatch(v.getType(), to));
    if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>()) {
      SmallVector<int64_t> shape(expand.getStaticOutputShape());
      shape[0] = to;
      expand.setStaticOutputShape(shape);
    }
  }
  auto ret = cast<func::ReturnOp>(function.getBody().front().getTerminator());
  function.setType(FunctionType::get(
      function.getContext(), function.getBody().front().getArgumentTypes(),
      ret.getOperandTypes()));
  if (failed(verify(function))) {
    function.emitError("bnn-train: cannot change the batch size of '")
        << function.getSymName() << "' from " << from << " to " << to
        << " (an op above fixes the batch); write the model with batch " << to;
    return failure();
  }
  return success();
}
