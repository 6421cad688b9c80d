//===- ONNXOps.cpp - The node view, shared helpers, the dispatch ---------===//
//
// Each mapping reads its node through NodeContext and defines the node's
// outputs. Convolutions, pooling and dense layers are emitted in the forms
// bnn-binarize and bnn-fuse-threshold read (docs/ONNX.md): NHWC/OHWI
// convolutions on a zero-filled init behind a tensor.pad, matmuls with the
// dense weight as [O, K] read through transposed indexing maps, biases and
// batch norms as elementwise layers after them, sign patterns as bnn.sign.
//
//===----------------------------------------------------------------------===//

#include "OperatorMappings.h"

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::bnn::onnx_import;

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

ImportedTensor *NodeContext::input(unsigned i) const {
  if (i >= static_cast<unsigned>(node.input_size()) || node.input(i).empty())
    return nullptr;
  return importer.lookup(node.input(i));
}

ImportedTensor *NodeContext::requiredInput(unsigned i) const {
  ImportedTensor *tensor = input(i);
  if (!tensor)
    emitError() << "input " << i << " is missing";
  return tensor;
}

FailureOr<DenseElementsAttr> NodeContext::constantInput(unsigned i,
                                                        StringRef role) const {
  ImportedTensor *tensor = requiredInput(i);
  if (!tensor)
    return failure();
  if (!tensor->constant || !tensor->isFloat()) {
    emitError() << role << " (input " << i
                << ") must be a float constant (an initializer or a "
                   "constant subgraph)";
    return failure();
  }
  return tensor->constant;
}

const onnx::NodeProto *NodeContext::producerOf(unsigned i) const {
  if (i >= static_cast<unsigned>(node.input_size()))
    return nullptr;
  return importer.producer(node.input(i));
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::intAttr(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : defaultValue;
}

float NodeContext::floatAttr(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : defaultValue;
}

std::string NodeContext::stringAttr(StringRef name,
                                    StringRef defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t>
NodeContext::intsAttr(StringRef name, ArrayRef<int64_t> defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return SmallVector<int64_t>(defaultValue);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

InFlightDiagnostic NodeContext::emitError() const {
  InFlightDiagnostic diag = mlir::emitError(loc);
  diag << "node '" << (node.name().empty() ? "<unnamed>" : node.name()) << "' ("
       << node.op_type() << "): ";
  return diag;
}

void NodeContext::setOutput(unsigned i, ImportedTensor tensor) const {
  if (i < static_cast<unsigned>(node.output_size()) && !node.output(i).empty())
    importer.define(node.output(i), std::move(tensor), &node);
}

LogicalResult NodeContext::checkUsedOutputs(unsigned n) const {
  for (int i = n; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      return emitError() << "output " << i << " ('" << node.output(i)
                         << "') is not supported";
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

ImportedTensor
mlir::bnn::onnx_import::makeTensor(Value value, ArrayRef<int64_t> logicalShape,
                                   Layout layout) {
  ImportedTensor t;
  t.value = value;
  t.shape.assign(logicalShape.begin(), logicalShape.end());
  t.elementType = cast<ShapedType>(value.getType()).getElementType();
  t.layout = layout;
  return t;
}

/// Float operands only, with an error naming the node otherwise.
LogicalResult
mlir::bnn::onnx_import::requireFloat(const NodeContext &node,
                                     ArrayRef<ImportedTensor *> operands) {
  for (ImportedTensor *t : operands)
    if (!t->isFloat())
      return node.emitError() << "operands must be f32 tensors";
  return success();
}

LogicalResult mlir::bnn::onnx_import::importElementwise(
    NodeContext &node, unsigned numInputs,
    const GraphImporter::ScalarBody &body) {
  SmallVector<ImportedTensor *> operands;
  for (unsigned i = 0; i < numInputs; ++i) {
    ImportedTensor *t = node.requiredInput(i);
    if (!t)
      return failure();
    operands.push_back(t);
  }
  if (failed(requireFloat(node, operands)) || failed(node.checkUsedOutputs(1)))
    return failure();
  FailureOr<ImportedTensor> result = node.importer.createElementwise(
      node, operands, Float32Type::get(node.importer.getContext()), body);
  if (failed(result))
    return failure();
  node.setOutput(0, std::move(*result));
  return success();
}

Value mlir::bnn::onnx_import::f32Constant(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// A 4-D activation input in NHWC, or an error.
FailureOr<Value> mlir::bnn::onnx_import::nhwcInput(NodeContext &node,
                                                   unsigned i) {
  ImportedTensor *t = node.requiredInput(i);
  if (!t)
    return failure();
  if (t->rank() != 4 || !t->isFloat()) {
    node.emitError() << "input " << i
                     << " must be a 4-D f32 tensor [N, C, H, W] (1-D and 3-D "
                        "spatial operators are not supported)";
    return failure();
  }
  return node.importer.getNHWC(*t, node.loc);
}

/// Spatial pads [top, left, bottom, right] from `pads` or `auto_pad`.
FailureOr<SmallVector<int64_t>> mlir::bnn::onnx_import::readPads(
    NodeContext &node, ArrayRef<int64_t> inSize /*H, W*/,
    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> dilations) {
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = node.intsAttr("pads", {0, 0, 0, 0});
    if (pads.size() != 4 ||
        llvm::any_of(pads, [](int64_t p) { return p < 0; })) {
      node.emitError() << "pads must be 4 non-negative values (2-D only)";
      return failure();
    }
    // ONNX: [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right].
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    node.emitError() << "auto_pad '" << autoPad << "' is not supported";
    return failure();
  }
  SmallVector<int64_t> begin(2), end(2);
  for (int d = 0; d < 2; ++d) {
    int64_t out = (inSize[d] + strides[d] - 1) / strides[d];
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[d] +
                                             dilations[d] * (kernel[d] - 1) +
                                             1 - inSize[d]);
    begin[d] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    end[d] = total - begin[d];
  }
  return SmallVector<int64_t>{begin[0], begin[1], end[0], end[1]};
}

/// Output size of a window op; fails when the window does not fit.
FailureOr<int64_t>
mlir::bnn::onnx_import::windowOutput(NodeContext &node, int64_t in,
                                     int64_t padSum, int64_t kernel,
                                     int64_t stride, int64_t dilation) {
  int64_t span = dilation * (kernel - 1) + 1;
  if (stride <= 0 || dilation <= 0 || kernel <= 0 || in + padSum < span) {
    node.emitError() << "the window (kernel " << kernel << ", dilation "
                     << dilation << ", stride " << stride
                     << ") does not fit the padded input of size "
                     << in + padSum;
    return failure();
  }
  return (in + padSum - span) / stride + 1;
}

DenseIntElementsAttr mlir::bnn::onnx_import::i64Pair(OpBuilder &b,
                                                     ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                   values);
}

/// The constant with the elements of axis `axis` (logical index c*H*W +
/// h*W + w) reordered to NHWC's flatten order (h*W*C + w*C + c).
DenseElementsAttr
mlir::bnn::onnx_import::permuteFlattenAxis(DenseElementsAttr attr, int64_t axis,
                                           std::array<int64_t, 3> chw) {
  auto [c, h, w] = chw;
  ArrayRef<int64_t> shape = attr.getType().getShape();
  SmallVector<float> in = getFloatValues(attr), out(in.size());
  SmallVector<int64_t> strides = getStrides(shape);
  for (int64_t k = 0; k < static_cast<int64_t>(in.size()); ++k) {
    int64_t physical = (k / strides[axis]) % shape[axis];
    int64_t hh = physical / (w * c), ww = (physical / c) % w, cc = physical % c;
    int64_t logical = cc * h * w + hh * w + ww;
    out[k] = in[k + (logical - physical) * strides[axis]];
  }
  return DenseElementsAttr::get(attr.getType(), ArrayRef<float>(out));
}

/// The filter or dense weight of a layer: a constant, or the XNOR-Net
/// pattern built as bnn.importance_sign(W', ones) on the rearranged W'.
/// `rearrange` maps the logical constant to the layout the layer reads.
FailureOr<Value> mlir::bnn::onnx_import::layerWeights(
    NodeContext &node, unsigned i,
    llvm::function_ref<DenseElementsAttr(DenseElementsAttr)> rearrange) {
  ImportedTensor *t = node.requiredInput(i);
  if (!t)
    return failure();
  OpBuilder &b = node.importer.getBuilder();
  if (t->xnorWeights) {
    DenseElementsAttr weights = rearrange(t->xnorWeights);
    ArrayRef<int64_t> shape = weights.getType().getShape();
    auto onesType = RankedTensorType::get(shape.drop_front(), b.getF32Type());
    Value w = node.importer.materializeConstant(weights, node.loc);
    Value ones = node.importer.materializeConstant(
        DenseElementsAttr::get(onesType, 1.0f), node.loc);
    return bnn::ImportanceSignOp::create(b, node.loc, w, ones).getResult();
  }
  if (!t->constant || !t->isFloat()) {
    node.emitError() << "the weights (input " << i
                     << ") must be a float constant: an initializer or a "
                        "subgraph of constants";
    return failure();
  }
  return node.importer.materializeConstant(rearrange(t->constant), node.loc);
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

LogicalResult mlir::bnn::onnx_import::importNode(NodeContext &node) {
  node.importer.getContext()->loadDialect<bnn::BNNDialect, math::MathDialect>();
  StringRef op = node.opType();
  auto binary = [&](auto makeOp) {
    return importElementwise(
        node, 2, [&](OpBuilder &b, Location loc, ArrayRef<Value> v) {
          return decltype(makeOp)::create(b, loc, v[0], v[1]).getResult();
        });
  };
  if (op == "Conv")
    return importConv(node);
  if (op == "MaxPool")
    return importPool(node, PoolKind::Max);
  if (op == "AveragePool")
    return importPool(node, PoolKind::Average);
  if (op == "GlobalAveragePool")
    return importPool(node, PoolKind::GlobalAverage);
  if (op == "Gemm")
    return importGemm(node);
  if (op == "MatMul")
    return importMatMul(node);
  if (op == "BatchNormalization")
    return importBatchNorm(node);
  if (op == "Add")
    return binary(arith::AddFOp());
  if (op == "Sub")
    return binary(arith::SubFOp());
  if (op == "Mul")
    return binary(arith::MulFOp());
  if (op == "Div")
    return binary(arith::DivFOp());
  if (op == "Relu")
    return importElementwise(
        node, 1, [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
          return arith::MaximumFOp::create(b, loc, v[0],
                                           f32Constant(b, loc, 0.0f))
              .getResult();
        });
  if (op == "LeakyRelu" || op == "PRelu") {
    float alpha = node.floatAttr("alpha", 0.01f);
    bool isPRelu = op == "PRelu";
    return importElementwise(
        node, isPRelu ? 2 : 1,
        [&](OpBuilder &b, Location loc, ArrayRef<Value> v) {
          Value slope = isPRelu ? v[1] : f32Constant(b, loc, alpha);
          Value negative =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, v[0],
                                    f32Constant(b, loc, 0.0f));
          Value scaled = arith::MulFOp::create(b, loc, v[0], slope);
          return arith::SelectOp::create(b, loc, negative, scaled, v[0])
              .getResult();
        });
  }
  if (op == "Neg")
    return importElementwise(
        node, 1, [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
          return arith::NegFOp::create(b, loc, v[0]).getResult();
        });
  if (op == "Abs")
    return importElementwise(
        node, 1, [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
          return math::AbsFOp::create(b, loc, v[0]).getResult();
        });
  if (op == "Clip")
    return importClip(node);
  if (op == "Sign")
    return importSign(node);
  if (op == "Less" || op == "LessOrEqual" || op == "Greater" ||
      op == "GreaterOrEqual" || op == "Equal")
    return importComparison(node);
  if (op == "Where")
    return importWhere(node);
  if (op == "Flatten")
    return importFlatten(node);
  if (op == "Reshape")
    return importReshape(node);
  if (op == "Squeeze" || op == "Unsqueeze")
    return importSqueezeLike(node);
  if (op == "Transpose")
    return importTranspose(node);
  if (op == "Concat")
    return importConcat(node);
  if (op == "Softmax")
    return importSoftmax(node);
  if (op == "Pad")
    return importPad(node);
  if (op == "Identity" || op == "Dropout")
    return importIdentity(node);
  return node.emitError() << "unsupported ONNX operator '" << op
                          << "' (docs/ONNX.md lists the supported ones)";
}
