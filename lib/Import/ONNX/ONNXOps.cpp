//===- ONNXOps.cpp - One mapping per ONNX operator -----------------------===//
//
// Each mapping reads its node through NodeContext and defines the node's
// outputs. Convolutions, pooling and dense layers are emitted in the forms
// bnn-binarize and bnn-fuse-threshold read (docs/ONNX.md): NHWC/OHWI
// convolutions on a zero-filled init behind a tensor.pad, matmuls with the
// dense weight as [O, K] read through transposed indexing maps, biases and
// batch norms as elementwise layers after them, sign patterns as bnn.sign.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

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

namespace {
using Body = GraphImporter::ScalarBody;

ImportedTensor makeTensor(Value value, ArrayRef<int64_t> logicalShape,
                          Layout layout) {
  ImportedTensor t;
  t.value = value;
  t.shape.assign(logicalShape.begin(), logicalShape.end());
  t.elementType = cast<ShapedType>(value.getType()).getElementType();
  t.layout = layout;
  return t;
}

/// Float operands only, with an error naming the node otherwise.
LogicalResult requireFloat(const NodeContext &node,
                           ArrayRef<ImportedTensor *> operands) {
  for (ImportedTensor *t : operands)
    if (!t->isFloat())
      return node.emitError() << "operands must be f32 tensors";
  return success();
}

LogicalResult elementwise(NodeContext &node, unsigned numInputs,
                          const Body &body) {
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

Value f32Constant(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// A 4-D activation input in NHWC, or an error.
FailureOr<Value> nhwcInput(NodeContext &node, unsigned i) {
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
FailureOr<SmallVector<int64_t>> readPads(NodeContext &node,
                                         ArrayRef<int64_t> inSize /*H, W*/,
                                         ArrayRef<int64_t> kernel,
                                         ArrayRef<int64_t> strides,
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
FailureOr<int64_t> windowOutput(NodeContext &node, int64_t in, int64_t padSum,
                                int64_t kernel, int64_t stride,
                                int64_t dilation) {
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

DenseIntElementsAttr i64Pair(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                   values);
}

/// The constant with its elements reordered by `perm` (row-major).
DenseElementsAttr transposeConstant(DenseElementsAttr attr,
                                    ArrayRef<int64_t> perm) {
  ArrayRef<int64_t> shape = attr.getType().getShape();
  SmallVector<int64_t> outShape;
  for (int64_t p : perm)
    outShape.push_back(shape[p]);
  SmallVector<float> in = getFloatValues(attr), out(in.size());
  SmallVector<int64_t> inStrides = getStrides(shape),
                       outStrides = getStrides(outShape);
  for (int64_t k = 0; k < static_cast<int64_t>(in.size()); ++k) {
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      src += ((k / outStrides[d]) % outShape[d]) * inStrides[perm[d]];
    out[k] = in[src];
  }
  return DenseElementsAttr::get(
      RankedTensorType::get(outShape, attr.getElementType()),
      ArrayRef<float>(out));
}

/// The constant with the elements of axis `axis` (logical index c*H*W +
/// h*W + w) reordered to NHWC's flatten order (h*W*C + w*C + c).
DenseElementsAttr permuteFlattenAxis(DenseElementsAttr attr, int64_t axis,
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
FailureOr<Value> layerWeights(
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
// Convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult importConv(NodeContext &node) {
  GraphImporter &im = node.importer;
  OpBuilder &b = im.getBuilder();
  FailureOr<Value> input = nhwcInput(node, 0);
  ImportedTensor *weight = node.requiredInput(1);
  if (failed(input) || !weight || failed(node.checkUsedOutputs(1)))
    return failure();
  if (weight->rank() != 4)
    return node.emitError() << "the filter must be 4-D [O, C/group, KH, KW]";
  auto inType = cast<RankedTensorType>(input->getType());
  int64_t n = inType.getDimSize(0), h = inType.getDimSize(1),
          w = inType.getDimSize(2), c = inType.getDimSize(3);
  int64_t o = weight->shape[0], cg = weight->shape[1], kh = weight->shape[2],
          kw = weight->shape[3];
  int64_t group = node.intAttr("group", 1);
  if (group <= 0 || c % group != 0 || o % group != 0 || cg != c / group)
    return node.emitError()
           << "group " << group << " does not divide the " << c << " input and "
           << o << " output channels as the filter says";
  SmallVector<int64_t> strides = node.intsAttr("strides", {1, 1});
  SmallVector<int64_t> dilations = node.intsAttr("dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2)
    return node.emitError() << "only 2-D convolutions are supported";
  FailureOr<SmallVector<int64_t>> pads =
      readPads(node, {h, w}, {kh, kw}, strides, dilations);
  if (failed(pads))
    return failure();
  FailureOr<int64_t> oh = windowOutput(node, h, (*pads)[0] + (*pads)[2], kh,
                                       strides[0], dilations[0]);
  FailureOr<int64_t> ow = windowOutput(node, w, (*pads)[1] + (*pads)[3], kw,
                                       strides[1], dilations[1]);
  if (failed(oh) || failed(ow))
    return failure();

  auto resultType = RankedTensorType::get({n, *oh, *ow, o}, b.getF32Type());
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", i64Pair(b, strides)),
      b.getNamedAttr("dilations", i64Pair(b, dilations))};
  // OIHW -> OHWI: the filter layout of the contract.
  FailureOr<Value> filter = layerWeights(node, 1, [](DenseElementsAttr a) {
    return transposeConstant(a, {0, 2, 3, 1});
  });
  if (failed(filter))
    return failure();
  Value result;
  auto convolve = [&](Value in, Value f, RankedTensorType type) {
    Value init = im.createFilled(type, b.getF32FloatAttr(0.0f), node.loc);
    return linalg::Conv2DNhwcFhwcOp::create(b, node.loc, TypeRange{type},
                                            ValueRange{in, f}, ValueRange{init},
                                            attrs)
        .getResult(0);
  };
  if (group == 1) {
    result = convolve(im.createSpatialPad(*input, *pads, 0.0f, node.loc),
                      *filter, resultType);
  } else {
    // One convolution per group on channel slices (each padded after the
    // slice, so that a slice of signs is a padded sign input that
    // bnn-binarize packs), concatenated.
    auto one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
    SmallVector<Value> parts;
    for (int64_t g = 0; g < group; ++g) {
      Value inSlice = tensor::ExtractSliceOp::create(
          b, node.loc, *input, {zero, zero, zero, b.getIndexAttr(g * cg)},
          {b.getIndexAttr(n), b.getIndexAttr(h), b.getIndexAttr(w),
           b.getIndexAttr(cg)},
          {one, one, one, one});
      int64_t og = o / group;
      // A constant filter is sliced here: each group's weights stay a
      // constant that bnn-binarize can read.
      Value fSlice;
      DenseElementsAttr filterConstant;
      if (matchPattern(*filter, m_Constant(&filterConstant))) {
        SmallVector<float> all = getFloatValues(filterConstant);
        int64_t groupSize = og * kh * kw * cg;
        fSlice = im.materializeConstant(
            DenseElementsAttr::get(
                RankedTensorType::get({og, kh, kw, cg}, b.getF32Type()),
                ArrayRef<float>(all).slice(g * groupSize, groupSize)),
            node.loc);
      } else {
        fSlice = tensor::ExtractSliceOp::create(
            b, node.loc, *filter, {b.getIndexAttr(g * og), zero, zero, zero},
            {b.getIndexAttr(og), b.getIndexAttr(kh), b.getIndexAttr(kw),
             b.getIndexAttr(cg)},
            {one, one, one, one});
      }
      parts.push_back(
          convolve(im.createSpatialPad(inSlice, *pads, 0.0f, node.loc), fSlice,
                   RankedTensorType::get({n, *oh, *ow, og}, b.getF32Type())));
    }
    result = tensor::ConcatOp::create(b, node.loc, 3, parts);
  }
  ImportedTensor out = makeTensor(result, {n, o, *oh, *ow}, Layout::NHWC);
  if (ImportedTensor *bias = node.input(2)) {
    if (!bias->constant || bias->rank() != 1 || bias->shape[0] != o)
      return node.emitError()
             << "the bias must be a constant of shape [" << o << "]";
    // The bias as an elementwise layer after the convolution: the affine
    // that bnn.scale and the threshold fusion absorb.
    ImportedTensor biasTensor = *bias;
    biasTensor.shape = {o, 1, 1};
    biasTensor.constant = bias->constant.reshape(
        RankedTensorType::get({o, 1, 1}, b.getF32Type()));
    FailureOr<ImportedTensor> added = im.createElementwise(
        node, {&out, &biasTensor}, b.getF32Type(),
        [](OpBuilder &bb, Location loc, ArrayRef<Value> v) {
          return arith::AddFOp::create(bb, loc, v[0], v[1]).getResult();
        });
    if (failed(added))
      return failure();
    out = std::move(*added);
  }
  node.setOutput(0, std::move(out));
  return success();
}

enum class PoolKind { Max, Average, GlobalAverage };

LogicalResult importPool(NodeContext &node, PoolKind kind) {
  GraphImporter &im = node.importer;
  OpBuilder &b = im.getBuilder();
  FailureOr<Value> input = nhwcInput(node, 0);
  if (failed(input) || failed(node.checkUsedOutputs(1)))
    return failure();
  auto inType = cast<RankedTensorType>(input->getType());
  int64_t n = inType.getDimSize(0), h = inType.getDimSize(1),
          w = inType.getDimSize(2), c = inType.getDimSize(3);
  SmallVector<int64_t> kernel, strides, dilations = {1, 1};
  SmallVector<int64_t> pads = {0, 0, 0, 0};
  if (kind == PoolKind::GlobalAverage) {
    kernel = {h, w};
    strides = {1, 1};
  } else {
    kernel = node.intsAttr("kernel_shape");
    strides = node.intsAttr("strides", {1, 1});
    if (kind == PoolKind::Max)
      dilations = node.intsAttr("dilations", {1, 1});
    if (kernel.size() != 2 || strides.size() != 2 || dilations.size() != 2)
      return node.emitError() << "only 2-D pooling is supported";
    FailureOr<SmallVector<int64_t>> read =
        readPads(node, {h, w}, kernel, strides, dilations);
    if (failed(read))
      return failure();
    pads = *read;
  }
  FailureOr<int64_t> oh = windowOutput(node, h, pads[0] + pads[2], kernel[0],
                                       strides[0], dilations[0]);
  FailureOr<int64_t> ow = windowOutput(node, w, pads[1] + pads[3], kernel[1],
                                       strides[1], dilations[1]);
  if (failed(oh) || failed(ow))
    return failure();
  if (node.intAttr("ceil_mode", 0) != 0) {
    // ceil_mode only matters when a last, partial window exists.
    for (int d = 0; d < 2; ++d) {
      int64_t in = (d == 0 ? h : w) + pads[d] + pads[d + 2];
      if ((in - dilations[d] * (kernel[d] - 1) - 1) % strides[d] != 0)
        return node.emitError()
               << "ceil_mode = 1 with a partial last window is not supported";
    }
  }
  bool isMax = kind == PoolKind::Max;
  float padValue = isMax ? -INFINITY : 0.0f;
  Value padded = im.createSpatialPad(*input, pads, padValue, node.loc);
  auto resultType = RankedTensorType::get({n, *oh, *ow, c}, b.getF32Type());
  Value init =
      im.createFilled(resultType, b.getF32FloatAttr(padValue), node.loc);
  Value window = tensor::EmptyOp::create(b, node.loc, kernel, b.getF32Type());
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", i64Pair(b, strides)),
      b.getNamedAttr("dilations", i64Pair(b, dilations))};
  Value pooled =
      isMax
          ? linalg::PoolingNhwcMaxOp::create(b, node.loc, TypeRange{resultType},
                                             ValueRange{padded, window},
                                             ValueRange{init}, attrs)
                .getResult(0)
          : linalg::PoolingNhwcSumOp::create(b, node.loc, TypeRange{resultType},
                                             ValueRange{padded, window},
                                             ValueRange{init}, attrs)
                .getResult(0);
  ImportedTensor out = makeTensor(pooled, {n, c, *oh, *ow}, Layout::NHWC);
  if (!isMax) {
    // The divisor: the window size, or with count_include_pad = 0 (ONNX's
    // default) the number of taps inside the input at each position.
    ImportedTensor divisor;
    divisor.elementType = b.getF32Type();
    bool includePad = node.intAttr("count_include_pad", 0) != 0;
    bool anyPad = llvm::any_of(pads, [](int64_t p) { return p != 0; });
    if (includePad || !anyPad) {
      divisor.shape = {};
      divisor.constant =
          DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                 static_cast<float>(kernel[0] * kernel[1]));
    } else {
      SmallVector<float> counts;
      for (int64_t y = 0; y < *oh; ++y)
        for (int64_t x = 0; x < *ow; ++x) {
          auto inside = [](int64_t start, int64_t k, int64_t size) {
            return std::min(start + k, size) - std::max<int64_t>(start, 0);
          };
          counts.push_back(static_cast<float>(
              inside(y * strides[0] - pads[0], kernel[0], h) *
              inside(x * strides[1] - pads[1], kernel[1], w)));
        }
      divisor.shape = {*oh, *ow};
      divisor.constant = DenseElementsAttr::get(
          RankedTensorType::get({*oh, *ow}, b.getF32Type()),
          ArrayRef<float>(counts));
    }
    FailureOr<ImportedTensor> divided = im.createElementwise(
        node, {&out, &divisor}, b.getF32Type(),
        [](OpBuilder &bb, Location loc, ArrayRef<Value> v) {
          return arith::DivFOp::create(bb, loc, v[0], v[1]).getResult();
        });
    if (failed(divided))
      return failure();
    out = std::move(*divided);
  }
  node.setOutput(0, std::move(out));
  return success();
}

//===----------------------------------------------------------------------===//
// Dense layers
//===----------------------------------------------------------------------===//

/// A 2-D activation for a matmul, and the flatten permutation its weights
/// need when it is the NHWC-ordered Flatten of a convolution's output.
struct MatmulInput {
  Value value;
  std::optional<std::array<int64_t, 3>> flatCHW;
};

FailureOr<MatmulInput> matmulInput(NodeContext &node, unsigned i,
                                   bool weightsConstant) {
  ImportedTensor *t = node.requiredInput(i);
  if (!t)
    return failure();
  if (t->rank() != 2 || !t->isFloat()) {
    node.emitError() << "input " << i << " must be a 2-D f32 tensor";
    return failure();
  }
  if (t->layout == Layout::FlatNHWC && weightsConstant)
    return MatmulInput{t->value, t->flatCHW};
  return MatmulInput{node.importer.getLogical(*t, node.loc), std::nullopt};
}

/// A [M, K] x [K, N] product; `weightsOK` says the weight is [N, K] (read
/// through transposed indexing maps, the dense form of the contract).
Value createMatmul(GraphImporter &im, Location loc, Value a, Value weights,
                   bool weightsOK) {
  OpBuilder &b = im.getBuilder();
  auto aType = cast<RankedTensorType>(a.getType());
  auto wType = cast<RankedTensorType>(weights.getType());
  int64_t cols = weightsOK ? wType.getDimSize(0) : wType.getDimSize(1);
  auto type =
      RankedTensorType::get({aType.getDimSize(0), cols}, b.getF32Type());
  Value init = im.createFilled(type, b.getF32FloatAttr(0.0f), loc);
  auto matmul = linalg::MatmulOp::create(
      b, loc, TypeRange{type}, ValueRange{a, weights}, ValueRange{init});
  if (weightsOK) {
    AffineExpr m, n, k;
    bindDims(b.getContext(), m, n, k);
    auto map = [&](ArrayRef<AffineExpr> results) {
      return AffineMap::get(3, 0, results, b.getContext());
    };
    matmul.setIndexingMapsAttr(
        b.getAffineMapArrayAttr({map({m, k}), map({n, k}), map({m, n})}));
  }
  return matmul.getResult(0);
}

LogicalResult importGemm(NodeContext &node) {
  GraphImporter &im = node.importer;
  OpBuilder &b = im.getBuilder();
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  bool isGemm = node.opType() == "Gemm";
  bool transA = isGemm && node.intAttr("transA", 0);
  bool transB = isGemm && node.intAttr("transB", 0);
  ImportedTensor *weightsTensor = node.requiredInput(1);
  if (!weightsTensor)
    return failure();
  bool constantWeights = weightsTensor->constant || weightsTensor->xnorWeights;
  if (transA)
    return node.emitError() << "transA = 1 is not supported";
  if (!constantWeights)
    return node.emitError() << "the weights (input 1) must be a float "
                               "constant: dense layers on two activations "
                               "are not supported";
  if (weightsTensor->rank() != 2)
    return node.emitError() << "the weights must be 2-D";
  FailureOr<MatmulInput> a = matmulInput(node, 0, /*weightsConstant=*/true);
  if (failed(a))
    return failure();
  int64_t k = cast<ShapedType>(a->value.getType()).getDimSize(1);
  int64_t kAxis = transB ? 1 : 0;
  if (weightsTensor->shape[kAxis] != k)
    return node.emitError()
           << "the weights have " << weightsTensor->shape[kAxis] << " rows for "
           << k << " input features";
  int64_t cols = weightsTensor->shape[1 - kAxis];
  // Dense weights as [O, K] (the contract's dense layout), with K in the
  // NHWC order of a flattened convolution output.
  FailureOr<Value> weights = layerWeights(node, 1, [&](DenseElementsAttr attr) {
    DenseElementsAttr ok = transB ? attr : transposeConstant(attr, {1, 0});
    return a->flatCHW ? permuteFlattenAxis(ok, 1, *a->flatCHW) : ok;
  });
  if (failed(weights))
    return failure();
  Value product = createMatmul(im, node.loc, a->value, *weights, true);
  int64_t m = cast<ShapedType>(a->value.getType()).getDimSize(0);
  ImportedTensor out = makeTensor(product, {m, cols}, Layout::Logical);

  float alpha = isGemm ? node.floatAttr("alpha", 1.0f) : 1.0f;
  float beta = isGemm ? node.floatAttr("beta", 1.0f) : 1.0f;
  ImportedTensor *bias = isGemm ? node.input(2) : nullptr;
  if (alpha != 1.0f || bias) {
    SmallVector<ImportedTensor *> operands = {&out};
    if (bias) {
      if (!bias->isFloat())
        return node.emitError() << "the bias must be f32";
      operands.push_back(bias);
    }
    FailureOr<ImportedTensor> scaled = im.createElementwise(
        node, operands, b.getF32Type(),
        [&](OpBuilder &bb, Location loc, ArrayRef<Value> v) {
          Value r = v[0];
          if (alpha != 1.0f)
            r = arith::MulFOp::create(bb, loc, r, f32Constant(bb, loc, alpha));
          if (v.size() > 1) {
            Value c = v[1];
            if (beta != 1.0f)
              c = arith::MulFOp::create(bb, loc, c, f32Constant(bb, loc, beta));
            r = arith::AddFOp::create(bb, loc, r, c);
          }
          return r;
        });
    if (failed(scaled))
      return failure();
    if (scaled->shape != out.shape)
      return node.emitError() << "the bias does not broadcast to the output";
    out = std::move(*scaled);
  }
  node.setOutput(0, std::move(out));
  return success();
}

LogicalResult importMatMul(NodeContext &node) {
  ImportedTensor *lhs = node.requiredInput(0);
  ImportedTensor *rhs = node.requiredInput(1);
  if (!lhs || !rhs || failed(requireFloat(node, {lhs, rhs})))
    return failure();
  if (lhs->rank() == 2 && rhs->rank() == 2 &&
      (rhs->constant || rhs->xnorWeights))
    return importGemm(node);
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  GraphImporter &im = node.importer;
  OpBuilder &b = im.getBuilder();
  if (lhs->rank() == 2 && rhs->rank() == 2) {
    if (lhs->shape[1] != rhs->shape[0])
      return node.emitError() << "inner dimensions do not match";
    Value product = createMatmul(im, node.loc, im.getLogical(*lhs, node.loc),
                                 im.getLogical(*rhs, node.loc), false);
    node.setOutput(0, makeTensor(product, {lhs->shape[0], rhs->shape[1]},
                                 Layout::Logical));
    return success();
  }
  if (lhs->rank() == 3 && rhs->rank() == 3 && lhs->shape[0] == rhs->shape[0] &&
      lhs->shape[2] == rhs->shape[1]) {
    auto type = RankedTensorType::get(
        {lhs->shape[0], lhs->shape[1], rhs->shape[2]}, b.getF32Type());
    Value init = im.createFilled(type, b.getF32FloatAttr(0.0f), node.loc);
    Value product =
        linalg::BatchMatmulOp::create(b, node.loc, TypeRange{type},
                                      ValueRange{im.getLogical(*lhs, node.loc),
                                                 im.getLogical(*rhs, node.loc)},
                                      ValueRange{init})
            .getResult(0);
    node.setOutput(0, makeTensor(product, type.getShape(), Layout::Logical));
    return success();
  }
  return node.emitError() << "only [M, K] x [K, N] and batched [B, M, K] x "
                             "[B, K, N] products are supported";
}

//===----------------------------------------------------------------------===//
// Normalization, activations, signs
//===----------------------------------------------------------------------===//

LogicalResult importBatchNorm(NodeContext &node) {
  if (node.intAttr("training_mode", 0) != 0)
    return node.emitError() << "training_mode = 1 is not supported: export "
                               "the model in eval mode";
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(requireFloat(node, {x})))
    return failure();
  if (x->rank() < 2)
    return node.emitError() << "the input must have a channel dimension";
  int64_t c = x->shape[1];
  // scale, B, mean, var as [C, 1, ...]: read along the channel dimension.
  SmallVector<ImportedTensor> params;
  for (unsigned i = 1; i <= 4; ++i) {
    static constexpr StringLiteral kRoles[] = {"", "scale", "B", "mean", "var"};
    FailureOr<DenseElementsAttr> constant = node.constantInput(i, kRoles[i]);
    if (failed(constant))
      return failure();
    if (constant->getNumElements() != c)
      return node.emitError()
             << kRoles[i] << " must have " << c << " elements, one per channel";
    ImportedTensor p;
    p.shape = {c};
    p.shape.append(x->rank() - 2, 1);
    p.elementType = constant->getElementType();
    p.constant = constant->reshape(
        RankedTensorType::get(p.shape, constant->getElementType()));
    params.push_back(std::move(p));
  }
  float epsilon = node.floatAttr("epsilon", 1e-5f);
  FailureOr<ImportedTensor> result = node.importer.createElementwise(
      node, {x, &params[0], &params[1], &params[2], &params[3]},
      Float32Type::get(node.importer.getContext()),
      [&](OpBuilder &b, Location loc, ArrayRef<Value> v) {
        // (x - mean) / sqrt(var + epsilon) * scale + B, as ONNX defines it.
        Value centered = arith::SubFOp::create(b, loc, v[0], v[3]);
        Value var =
            arith::AddFOp::create(b, loc, v[4], f32Constant(b, loc, epsilon));
        Value sd = math::SqrtOp::create(b, loc, var);
        Value normalized = arith::DivFOp::create(b, loc, centered, sd);
        Value scaled = arith::MulFOp::create(b, loc, normalized, v[1]);
        return arith::AddFOp::create(b, loc, scaled, v[2]).getResult();
      });
  if (failed(result))
    return failure();
  node.setOutput(0, std::move(*result));
  return success();
}

LogicalResult importClip(NodeContext &node) {
  auto bound = [&](unsigned i, StringRef attrName,
                   float defaultValue) -> FailureOr<float> {
    if (ImportedTensor *t = node.input(i)) {
      if (!t->constant || !t->isFloat() || t->constant.getNumElements() != 1) {
        node.emitError() << attrName << " (input " << i
                         << ") must be a scalar float constant";
        return failure();
      }
      return getFloatValues(t->constant)[0];
    }
    return node.floatAttr(attrName, defaultValue);
  };
  FailureOr<float> lo = bound(1, "min", -INFINITY);
  FailureOr<float> hi = bound(2, "max", INFINITY);
  if (failed(lo) || failed(hi))
    return failure();
  return elementwise(
      node, 1, [&](OpBuilder &b, Location loc, ArrayRef<Value> v) {
        Value r = v[0];
        if (!std::isinf(*lo) || *lo > 0)
          r = arith::MaximumFOp::create(b, loc, r, f32Constant(b, loc, *lo));
        if (!std::isinf(*hi) || *hi < 0)
          r = arith::MinimumFOp::create(b, loc, r, f32Constant(b, loc, *hi));
        return r;
      });
}

/// The contract's sign (+1 at 0 and -0, -1 below) as ONNX computes it from
/// a comparison with zero and two constants: Where(Less(x, 0), -1, 1),
/// Where(GreaterOrEqual(x, 0), 1, -1) and their mirrored forms. Agreement
/// is checked on -1, -0, +0 and +1, where a comparison with zero can
/// differ (NaN inputs are outside the check, docs/ONNX.md).
ImportedTensor *matchSignWhere(NodeContext &node) {
  const onnx::NodeProto *cmp = node.producerOf(0);
  ImportedTensor *ifTrue = node.input(1), *ifFalse = node.input(2);
  if (!cmp || cmp->input_size() != 2 || !ifTrue || !ifFalse ||
      !ifTrue->constant || !ifFalse->constant || !ifTrue->isFloat() ||
      !ifFalse->isFloat() || !ifTrue->constant.isSplat() ||
      !ifFalse->constant.isSplat())
    return nullptr;
  GraphImporter &im = node.importer;
  ImportedTensor *lhs = im.lookup(cmp->input(0));
  ImportedTensor *rhs = im.lookup(cmp->input(1));
  auto isZero = [](ImportedTensor *t) {
    return t && t->constant && t->isFloat() && t->constant.isSplat() &&
           t->constant.getSplatValue<float>() == 0.0f;
  };
  bool zeroOnRight = isZero(rhs);
  if (!zeroOnRight && !isZero(lhs))
    return nullptr;
  ImportedTensor *x = zeroOnRight ? lhs : rhs;
  if (!x || x->constant || !x->isFloat())
    return nullptr;
  StringRef op = cmp->op_type();
  auto compare = [&](float a, float b) -> std::optional<bool> {
    if (op == "Less")
      return a < b;
    if (op == "LessOrEqual")
      return a <= b;
    if (op == "Greater")
      return a > b;
    if (op == "GreaterOrEqual")
      return a >= b;
    return std::nullopt;
  };
  float t = ifTrue->constant.getSplatValue<float>();
  float f = ifFalse->constant.getSplatValue<float>();
  for (float v : {-1.0f, -0.0f, 0.0f, 1.0f}) {
    std::optional<bool> c = zeroOnRight ? compare(v, 0.0f) : compare(0.0f, v);
    if (!c)
      return nullptr;
    float expected = v < 0 ? -1.0f : 1.0f;
    if ((*c ? t : f) != expected)
      return nullptr;
  }
  return x;
}

LogicalResult defineSign(NodeContext &node, ImportedTensor *x) {
  GraphImporter &im = node.importer;
  ImportedTensor out = *x;
  out.logicalValue = out.nhwcValue = Value();
  Value source =
      x->layout == Layout::Logical ? im.getLogical(*x, node.loc) : x->value;
  out.value = bnn::SignOp::create(im.getBuilder(), node.loc, source);
  if (x->layout == Layout::FlatNHWC) {
    // The sign of a flattened value: keep the flatten after the sign, so
    // that the dense layer reads a reshape of a sign (the form binarize
    // packs) and the weights keep their NHWC column order.
    out.nhwcSource =
        bnn::SignOp::create(im.getBuilder(), node.loc, x->nhwcSource);
    out.value = im.createReshape(
        out.nhwcSource, cast<ShapedType>(x->value.getType()).getShape(),
        node.loc);
  }
  node.setOutput(0, std::move(out));
  return success();
}

LogicalResult importSign(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(requireFloat(node, {x})) || failed(node.checkUsedOutputs(1)))
    return failure();
  if (!node.importer.getOptions().exactSign)
    return defineSign(node, x);
  // ONNX's Sign exactly: 0 at +-0.
  return elementwise(
      node, 1, [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
        Value zero = f32Constant(b, loc, 0.0f);
        Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT,
                                          v[0], zero);
        Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                          v[0], zero);
        Value positive = arith::SelectOp::create(
            b, loc, pos, f32Constant(b, loc, 1.0f), v[0]);
        return arith::SelectOp::create(b, loc, neg, f32Constant(b, loc, -1.0f),
                                       positive)
            .getResult();
      });
}

LogicalResult importComparison(NodeContext &node) {
  ImportedTensor *a = node.requiredInput(0), *b = node.requiredInput(1);
  if (!a || !b || failed(requireFloat(node, {a, b})))
    return failure();
  arith::CmpFPredicate predicate =
      llvm::StringSwitch<arith::CmpFPredicate>(node.opType())
          .Case("Less", arith::CmpFPredicate::OLT)
          .Case("LessOrEqual", arith::CmpFPredicate::OLE)
          .Case("Greater", arith::CmpFPredicate::OGT)
          .Case("GreaterOrEqual", arith::CmpFPredicate::OGE)
          .Default(arith::CmpFPredicate::OEQ);
  FailureOr<ImportedTensor> result = node.importer.createElementwise(
      node, {a, b}, IntegerType::get(node.importer.getContext(), 1),
      [&](OpBuilder &bb, Location loc, ArrayRef<Value> v) {
        return arith::CmpFOp::create(bb, loc, predicate, v[0], v[1])
            .getResult();
      });
  if (failed(result))
    return failure();
  node.setOutput(0, std::move(*result));
  return success();
}

LogicalResult importWhere(NodeContext &node) {
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  if (ImportedTensor *x = matchSignWhere(node))
    return defineSign(node, x);
  ImportedTensor *c = node.requiredInput(0), *t = node.requiredInput(1),
                 *f = node.requiredInput(2);
  if (!c || !t || !f || failed(requireFloat(node, {t, f})))
    return failure();
  if (!c->elementType.isInteger(1))
    return node.emitError() << "the condition must be a bool tensor";
  FailureOr<ImportedTensor> result = node.importer.createElementwise(
      node, {c, t, f}, Float32Type::get(node.importer.getContext()),
      [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
        return arith::SelectOp::create(b, loc, v[0], v[1], v[2]).getResult();
      });
  if (failed(result))
    return failure();
  node.setOutput(0, std::move(*result));
  return success();
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// Defines a reshape of input 0 to `shape`; the Flatten of an NHWC
/// activation to [N, C*H*W] keeps NHWC element order (FlatNHWC).
LogicalResult defineReshape(NodeContext &node, ArrayRef<int64_t> shape) {
  GraphImporter &im = node.importer;
  ImportedTensor *x = node.requiredInput(0);
  if (!x)
    return failure();
  int64_t count = 1, target = 1;
  for (int64_t d : x->shape)
    count *= d;
  for (int64_t d : shape)
    target *= d;
  if (count != target)
    return node.emitError()
           << "cannot reshape " << count << " elements into " << target;
  if (x->constant) {
    ImportedTensor out = *x;
    out.shape.assign(shape.begin(), shape.end());
    out.constant = x->constant.reshape(
        RankedTensorType::get(shape, x->constant.getElementType()));
    out.value = out.logicalValue = Value();
    node.setOutput(0, std::move(out));
    return success();
  }
  if (x->layout == Layout::NHWC && shape.size() == 2 &&
      shape[0] == x->shape[0]) {
    auto [c, h, w] =
        std::array<int64_t, 3>{x->shape[1], x->shape[2], x->shape[3]};
    ImportedTensor out;
    out.shape.assign(shape.begin(), shape.end());
    out.elementType = x->elementType;
    out.layout = Layout::FlatNHWC;
    out.nhwcSource = x->value;
    out.flatCHW = {c, h, w};
    out.value = im.createReshape(x->value, shape, node.loc);
    node.setOutput(0, std::move(out));
    return success();
  }
  if (x->layout == Layout::FlatNHWC && shape == ArrayRef<int64_t>(x->shape)) {
    node.setOutput(0, *x);
    return success();
  }
  Value reshaped =
      im.createReshape(im.getLogical(*x, node.loc), shape, node.loc);
  node.setOutput(0, makeTensor(reshaped, shape, Layout::Logical));
  return success();
}

LogicalResult importFlatten(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(node.checkUsedOutputs(1)))
    return failure();
  int64_t rank = x->rank();
  int64_t axis = node.intAttr("axis", 1);
  if (axis < -rank || axis > rank)
    return node.emitError() << "axis " << axis << " is out of range";
  if (axis < 0)
    axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? outer : inner) *= x->shape[d];
  return defineReshape(node, {outer, inner});
}

LogicalResult importReshape(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  ImportedTensor *shapeTensor = node.requiredInput(1);
  if (!x || !shapeTensor || failed(node.checkUsedOutputs(1)))
    return failure();
  if (!shapeTensor->constant || shapeTensor->isFloat())
    return node.emitError() << "the target shape must be an int64 constant "
                               "(a dynamic reshape is not supported)";
  SmallVector<int64_t> shape;
  for (int64_t d : shapeTensor->constant.getValues<int64_t>())
    shape.push_back(d);
  bool allowZero = node.intAttr("allowzero", 0) != 0;
  int64_t known = 1, inferred = -1, count = 1;
  for (int64_t d : x->shape)
    count *= d;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if (i >= x->shape.size())
        return node.emitError() << "0 in the shape copies a dimension the "
                                   "input does not have";
      d = x->shape[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return node.emitError() << "the shape has more than one -1";
      inferred = i;
      continue;
    }
    if (d <= 0)
      return node.emitError() << "the shape has an invalid dimension " << d;
    known *= d;
  }
  if (inferred >= 0) {
    if (known == 0 || count % known != 0)
      return node.emitError() << "-1 in the shape does not divide evenly";
    shape[inferred] = count / known;
  }
  return defineReshape(node, shape);
}

LogicalResult importSqueezeLike(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(node.checkUsedOutputs(1)))
    return failure();
  SmallVector<int64_t> axes = node.intsAttr("axes");
  if (!node.attr("axes") && node.input(1)) {
    ImportedTensor *a = node.input(1);
    if (!a->constant || a->isFloat())
      return node.emitError() << "axes must be an int64 constant";
    for (int64_t v : a->constant.getValues<int64_t>())
      axes.push_back(v);
  }
  SmallVector<int64_t> shape(x->shape);
  if (node.opType() == "Unsqueeze") {
    int64_t rank = shape.size() + axes.size();
    for (int64_t &a : axes)
      a = a < 0 ? a + rank : a;
    llvm::sort(axes);
    for (int64_t a : axes) {
      if (a < 0 || a > static_cast<int64_t>(shape.size()))
        return node.emitError() << "axis out of range";
      shape.insert(shape.begin() + a, 1);
    }
  } else {
    SmallVector<int64_t> kept;
    for (int64_t d = 0; d < x->rank(); ++d) {
      bool listed =
          axes.empty() ? shape[d] == 1 : llvm::any_of(axes, [&](int64_t a) {
            return (a < 0 ? a + x->rank() : a) == d;
          });
      if (listed && shape[d] != 1)
        return node.emitError()
               << "cannot squeeze dimension " << d << " of size " << shape[d];
      if (!listed)
        kept.push_back(shape[d]);
    }
    shape = kept;
  }
  return defineReshape(node, shape);
}

LogicalResult importTranspose(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(node.checkUsedOutputs(1)))
    return failure();
  SmallVector<int64_t> perm = node.intsAttr("perm");
  if (perm.empty())
    for (int64_t d = x->rank() - 1; d >= 0; --d)
      perm.push_back(d);
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (static_cast<int64_t>(perm.size()) != x->rank() ||
      llvm::any_of(llvm::enumerate(sorted), [](auto p) {
        return p.value() != static_cast<int64_t>(p.index());
      }))
    return node.emitError() << "perm is not a permutation of the input's "
                               "dimensions";
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(x->shape[p]);
  GraphImporter &im = node.importer;
  // NCHW -> NHWC of an NHWC-stored activation: already there.
  if (x->layout == Layout::NHWC && perm == SmallVector<int64_t>{0, 2, 3, 1}) {
    node.setOutput(0, makeTensor(x->value, shape, Layout::Logical));
    return success();
  }
  Value result =
      im.createTranspose(im.getLogical(*x, node.loc), perm, node.loc);
  node.setOutput(0, makeTensor(result, shape, Layout::Logical));
  return success();
}

LogicalResult importConcat(NodeContext &node) {
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  SmallVector<Value> parts;
  SmallVector<int64_t> shape;
  int64_t axis = node.intAttr("axis", 0);
  for (unsigned i = 0; i < node.getNumInputs(); ++i) {
    ImportedTensor *t = node.requiredInput(i);
    if (!t || failed(requireFloat(node, {t})))
      return failure();
    if (i == 0) {
      shape = t->shape;
      if (axis < -t->rank() || axis >= t->rank())
        return node.emitError() << "axis " << axis << " is out of range";
      if (axis < 0)
        axis += t->rank();
      shape[axis] = 0;
    }
    if (t->rank() != static_cast<int64_t>(shape.size()))
      return node.emitError() << "inputs have different ranks";
    shape[axis] += t->shape[axis];
    parts.push_back(node.importer.getLogical(*t, node.loc));
  }
  Value result = tensor::ConcatOp::create(node.importer.getBuilder(), node.loc,
                                          axis, parts);
  node.setOutput(0, makeTensor(result, shape, Layout::Logical));
  return success();
}

LogicalResult importSoftmax(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(requireFloat(node, {x})) || failed(node.checkUsedOutputs(1)))
    return failure();
  GraphImporter &im = node.importer;
  OpBuilder &b = im.getBuilder();
  int64_t rank = x->rank();
  bool opset13 = im.getOpsetVersion() >= 13;
  int64_t axis = node.intAttr("axis", opset13 ? -1 : 1);
  if (axis < -rank || axis >= rank)
    return node.emitError() << "axis " << axis << " is out of range";
  if (axis < 0)
    axis += rank;
  // Before opset 13 Softmax normalizes over all dimensions from `axis` on:
  // the same as one axis only when it is the last.
  if (!opset13 && axis != rank - 1)
    return node.emitError() << "Softmax before opset 13 over more than the "
                               "last axis is not supported";
  Value input = im.getLogical(*x, node.loc);
  Location loc = node.loc;
  MLIRContext *context = b.getContext();
  SmallVector<int64_t> reducedShape;
  SmallVector<AffineExpr> reducedExprs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis) {
      reducedShape.push_back(x->shape[d]);
      reducedExprs.push_back(b.getAffineDimExpr(d));
    }
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap reducedMap = AffineMap::get(rank, 0, reducedExprs, context);
  SmallVector<utils::IteratorType> reduction(rank,
                                             utils::IteratorType::parallel);
  reduction[axis] = utils::IteratorType::reduction;
  SmallVector<utils::IteratorType> parallel(rank,
                                            utils::IteratorType::parallel);
  auto reducedType = RankedTensorType::get(reducedShape, b.getF32Type());
  auto reduce = [&](Value in, float initValue, bool isMax) {
    Value init =
        im.createFilled(reducedType, b.getF32FloatAttr(initValue), loc);
    return linalg::GenericOp::create(
               b, loc, TypeRange{reducedType}, ValueRange{in}, ValueRange{init},
               ArrayRef<AffineMap>{identity, reducedMap}, reduction,
               [&](OpBuilder &bb, Location l, ValueRange args) {
                 Value r =
                     isMax ? arith::MaximumFOp::create(bb, l, args[0], args[1])
                                 .getResult()
                           : arith::AddFOp::create(bb, l, args[0], args[1])
                                 .getResult();
                 linalg::YieldOp::create(bb, l, r);
               })
        .getResult(0);
  };
  auto fullType = RankedTensorType::get(x->shape, b.getF32Type());
  auto combine = [&](Value full, Value reduced, bool isExp) {
    Value init = tensor::EmptyOp::create(b, loc, x->shape, b.getF32Type());
    return linalg::GenericOp::create(
               b, loc, TypeRange{fullType}, ValueRange{full, reduced},
               ValueRange{init},
               ArrayRef<AffineMap>{identity, reducedMap, identity}, parallel,
               [&](OpBuilder &bb, Location l, ValueRange args) {
                 Value r =
                     isExp ? math::ExpOp::create(
                                 bb, l,
                                 arith::SubFOp::create(bb, l, args[0], args[1]))
                                 .getResult()
                           : arith::DivFOp::create(bb, l, args[0], args[1])
                                 .getResult();
                 linalg::YieldOp::create(bb, l, r);
               })
        .getResult(0);
  };
  Value max = reduce(input, -INFINITY, true);
  Value exps = combine(input, max, true);
  Value sum = reduce(exps, 0.0f, false);
  Value result = combine(exps, sum, false);
  node.setOutput(0, makeTensor(result, x->shape, Layout::Logical));
  return success();
}

/// Pad on the spatial dimensions of a 4-D activation, constant mode.
LogicalResult importPad(NodeContext &node) {
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  if (node.stringAttr("mode", "constant") != "constant")
    return node.emitError() << "only mode = constant is supported";
  SmallVector<int64_t> pads = node.intsAttr("pads");
  if (ImportedTensor *p = node.input(1)) {
    if (!p->constant || p->isFloat())
      return node.emitError() << "pads must be an int64 constant";
    pads.clear();
    for (int64_t v : p->constant.getValues<int64_t>())
      pads.push_back(v);
  }
  float value = node.floatAttr("value", 0.0f);
  if (ImportedTensor *v = node.input(2)) {
    if (!v->constant || !v->isFloat() || v->constant.getNumElements() != 1)
      return node.emitError() << "constant_value must be a scalar float "
                                 "constant";
    value = getFloatValues(v->constant)[0];
  }
  if (node.input(3))
    return node.emitError() << "the axes input is not supported";
  FailureOr<Value> input = nhwcInput(node, 0);
  if (failed(input))
    return failure();
  // [n, c, h, w] begins, then ends.
  if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return node.emitError() << "only non-negative padding of the spatial "
                               "dimensions of a 4-D tensor is supported";
  SmallVector<int64_t> spatial = {pads[2], pads[3], pads[6], pads[7]};
  Value padded =
      node.importer.createSpatialPad(*input, spatial, value, node.loc);
  ImportedTensor *x = node.input(0);
  SmallVector<int64_t> shape = x->shape;
  shape[2] += pads[2] + pads[6];
  shape[3] += pads[3] + pads[7];
  node.setOutput(0, makeTensor(padded, shape, Layout::NHWC));
  return success();
}

LogicalResult importIdentity(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x)
    return failure();
  // Dropout in inference is the identity; its mask output is not.
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  node.setOutput(0, *x);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

LogicalResult mlir::bnn::onnx_import::importNode(NodeContext &node) {
  node.importer.getContext()->loadDialect<bnn::BNNDialect, math::MathDialect>();
  StringRef op = node.opType();
  auto binary = [&](auto makeOp) {
    return elementwise(
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
    return elementwise(node, 1,
                       [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
                         return arith::MaximumFOp::create(
                                    b, loc, v[0], f32Constant(b, loc, 0.0f))
                             .getResult();
                       });
  if (op == "LeakyRelu" || op == "PRelu") {
    float alpha = node.floatAttr("alpha", 0.01f);
    bool isPRelu = op == "PRelu";
    return elementwise(
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
    return elementwise(node, 1,
                       [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
                         return arith::NegFOp::create(b, loc, v[0]).getResult();
                       });
  if (op == "Abs")
    return elementwise(node, 1,
                       [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
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
