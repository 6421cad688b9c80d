//===- ONNXConstants.cpp - Initializers and import-time folding ----------===//
//
// Decodes ONNX tensors into DenseElementsAttr and evaluates the nodes whose
// inputs are all known at import time: the shape arithmetic that exporters
// emit around Reshape (Shape, Gather, Unsqueeze, Concat, Cast) and weight
// expressions on initializers (Sign(W), Transpose(W), the XNOR-Net scale).
// Evaluation is in f32 as ONNX defines it; integer tensors are i64.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::bnn::onnx_import;

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

FailureOr<DenseElementsAttr>
mlir::bnn::onnx_import::readTensorProto(const onnx::TensorProto &tensor,
                                        MLIRContext *context, Location loc) {
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL ||
      tensor.external_data_size() > 0)
    return emitError(loc) << "tensor '" << tensor.name()
                          << "' keeps its data in an external file; save "
                             "the model with its data inside";
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    std::optional<int64_t> next = llvm::checkedMul(count, dim);
    if (dim < 0 || !next || *next > (int64_t(1) << 31))
      return emitError(loc) << "tensor '" << tensor.name()
                            << "' has an invalid or too large shape";
    count = *next;
    shape.push_back(dim);
  }
  Builder b(context);
  auto wrongSize = [&](int64_t have) {
    return emitError(loc) << "tensor '" << tensor.name() << "' has " << have
                          << " elements of data for a shape of " << count;
  };
  const std::string &raw = tensor.raw_data();
  bool hasRaw = tensor.has_raw_data();
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT: {
    auto type = RankedTensorType::get(shape, b.getF32Type());
    SmallVector<float> values;
    if (hasRaw) {
      if (raw.size() != static_cast<size_t>(count) * 4)
        return wrongSize(raw.size() / 4);
      for (int64_t i = 0; i < count; ++i)
        values.push_back(llvm::bit_cast<float>(
            llvm::support::endian::read32le(raw.data() + 4 * i)));
    } else {
      if (tensor.float_data_size() != count)
        return wrongSize(tensor.float_data_size());
      values.assign(tensor.float_data().begin(), tensor.float_data().end());
    }
    return DenseElementsAttr::get(type, ArrayRef<float>(values));
  }
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::INT32: {
    bool is64 = tensor.data_type() == onnx::TensorProto::INT64;
    auto type = RankedTensorType::get(shape, b.getI64Type());
    SmallVector<int64_t> values;
    if (hasRaw) {
      size_t width = is64 ? 8 : 4;
      if (raw.size() != static_cast<size_t>(count) * width)
        return wrongSize(raw.size() / width);
      for (int64_t i = 0; i < count; ++i)
        values.push_back(
            is64 ? static_cast<int64_t>(
                       llvm::support::endian::read64le(raw.data() + 8 * i))
                 : static_cast<int32_t>(
                       llvm::support::endian::read32le(raw.data() + 4 * i)));
    } else if (is64) {
      if (tensor.int64_data_size() != count)
        return wrongSize(tensor.int64_data_size());
      values.assign(tensor.int64_data().begin(), tensor.int64_data().end());
    } else {
      if (tensor.int32_data_size() != count)
        return wrongSize(tensor.int32_data_size());
      values.assign(tensor.int32_data().begin(), tensor.int32_data().end());
    }
    return DenseElementsAttr::get(type, ArrayRef<int64_t>(values));
  }
  case onnx::TensorProto::BOOL: {
    auto type = RankedTensorType::get(shape, b.getI1Type());
    SmallVector<bool> values;
    if (hasRaw) {
      if (raw.size() != static_cast<size_t>(count))
        return wrongSize(raw.size());
      for (char c : raw)
        values.push_back(c != 0);
    } else {
      if (tensor.int32_data_size() != count)
        return wrongSize(tensor.int32_data_size());
      for (int32_t v : tensor.int32_data())
        values.push_back(v != 0);
    }
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  default:
    return emitError(loc)
           << "tensor '" << tensor.name() << "' has element type "
           << onnx::TensorProto::DataType_Name(
                  static_cast<onnx::TensorProto::DataType>(tensor.data_type()))
           << "; bnn-import reads FLOAT, INT64, INT32 and BOOL tensors";
  }
}

//===----------------------------------------------------------------------===//
// Host tensors for folding
//===----------------------------------------------------------------------===//

namespace {
/// A constant as plain numbers: f32 values, or i64 (also for i1).
struct HostTensor {
  SmallVector<int64_t> shape;
  bool isFloat = true;
  SmallVector<float> f;
  SmallVector<int64_t> i;

  static HostTensor from(DenseElementsAttr attr) {
    HostTensor t;
    t.shape.assign(attr.getType().getShape().begin(),
                   attr.getType().getShape().end());
    t.isFloat = isa<FloatType>(attr.getElementType());
    if (t.isFloat)
      t.f = getFloatValues(attr);
    else if (attr.getElementType().isInteger(1))
      for (bool v : attr.getValues<bool>())
        t.i.push_back(v);
    else
      for (int64_t v : attr.getValues<int64_t>())
        t.i.push_back(v);
    return t;
  }
  int64_t size() const { return isFloat ? f.size() : i.size(); }
  DenseElementsAttr toAttr(MLIRContext *context) const {
    Builder b(context);
    if (isFloat)
      return DenseElementsAttr::get(
          RankedTensorType::get(shape, b.getF32Type()), ArrayRef<float>(f));
    return DenseElementsAttr::get(RankedTensorType::get(shape, b.getI64Type()),
                                  ArrayRef<int64_t>(i));
  }
  /// Element `flat` of the result of a broadcast to `outShape`.
  int64_t broadcastIndex(ArrayRef<int64_t> outShape, int64_t flat) const {
    SmallVector<int64_t> outStrides = getStrides(outShape);
    SmallVector<int64_t> strides = getStrides(shape);
    int64_t offset = outShape.size() - shape.size(), index = 0;
    for (size_t d = 0; d < outShape.size(); ++d) {
      int64_t coord = (flat / outStrides[d]) % outShape[d];
      if (d >= static_cast<size_t>(offset) && shape[d - offset] != 1)
        index += coord * strides[d - offset];
    }
    return index;
  }
};
} // namespace

static int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Normalizes a possibly negative axis; fails outside [-rank, rank).
static FailureOr<int64_t> normalizeAxis(const NodeContext &node, int64_t axis,
                                        int64_t rank) {
  if (axis < -rank || axis >= rank) {
    node.emitError() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
mlir::bnn::onnx_import::readAxes(NodeContext &node, unsigned inputIndex) {
  if (node.attr("axes"))
    return node.intsAttr("axes");
  if (ImportedTensor *axes = node.input(inputIndex)) {
    if (!axes->constant || axes->isFloat()) {
      node.emitError() << "axes must be an int64 constant";
      return failure();
    }
    return HostTensor::from(axes->constant).i;
  }
  return SmallVector<int64_t>();
}

static FailureOr<HostTensor> foldElementwise(NodeContext &node,
                                             ArrayRef<HostTensor> in) {
  StringRef op = node.opType();
  SmallVector<int64_t> shape;
  for (const HostTensor &t : in) {
    FailureOr<SmallVector<int64_t>> b = broadcastShapes(shape, t.shape);
    if (failed(b)) {
      node.emitError() << "operand shapes do not broadcast";
      return failure();
    }
    shape = *b;
  }
  bool isFloat = in[0].isFloat;
  for (const HostTensor &t : in)
    if (t.isFloat != isFloat) {
      node.emitError() << "operands have different element types";
      return failure();
    }
  HostTensor out;
  out.shape = shape;
  out.isFloat = isFloat;
  int64_t n = product(shape);
  for (int64_t k = 0; k < n; ++k) {
    auto fa = [&](unsigned j) {
      return in[j].f[in[j].broadcastIndex(shape, k)];
    };
    auto ia = [&](unsigned j) {
      return in[j].i[in[j].broadcastIndex(shape, k)];
    };
    if (isFloat) {
      float r = 0;
      if (op == "Add")
        r = fa(0) + fa(1);
      else if (op == "Sub")
        r = fa(0) - fa(1);
      else if (op == "Mul")
        r = fa(0) * fa(1);
      else if (op == "Div")
        r = fa(0) / fa(1);
      else if (op == "Neg")
        r = -fa(0);
      else if (op == "Abs")
        r = std::fabs(fa(0));
      else if (op == "Sqrt")
        r = std::sqrt(fa(0));
      // ONNX's Sign: 0 at 0 (the weights' exact semantics).
      else if (op == "Sign")
        r = fa(0) > 0 ? 1.0f : (fa(0) < 0 ? -1.0f : 0.0f);
      out.f.push_back(r);
    } else {
      int64_t r = 0;
      if (op == "Add")
        r = ia(0) + ia(1);
      else if (op == "Sub")
        r = ia(0) - ia(1);
      else if (op == "Mul")
        r = ia(0) * ia(1);
      else if (op == "Div") {
        if (ia(1) == 0) {
          node.emitError() << "integer division by zero";
          return failure();
        }
        r = ia(0) / ia(1);
      } else if (op == "Neg")
        r = -ia(0);
      else if (op == "Abs")
        r = ia(0) < 0 ? -ia(0) : ia(0);
      else if (op == "Sign")
        r = ia(0) > 0 ? 1 : (ia(0) < 0 ? -1 : 0);
      else {
        node.emitError() << "operator needs float operands";
        return failure();
      }
      out.i.push_back(r);
    }
  }
  return out;
}

static HostTensor transposeHost(const HostTensor &in, ArrayRef<int64_t> perm) {
  HostTensor out;
  out.isFloat = in.isFloat;
  for (int64_t p : perm)
    out.shape.push_back(in.shape[p]);
  SmallVector<int64_t> inStrides = getStrides(in.shape);
  SmallVector<int64_t> outStrides = getStrides(out.shape);
  int64_t n = product(out.shape);
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      src += ((k / outStrides[d]) % out.shape[d]) * inStrides[perm[d]];
    if (in.isFloat)
      out.f.push_back(in.f[src]);
    else
      out.i.push_back(in.i[src]);
  }
  return out;
}

DenseElementsAttr
mlir::bnn::onnx_import::transposeConstant(DenseElementsAttr attr,
                                          ArrayRef<int64_t> perm) {
  return transposeHost(HostTensor::from(attr), perm).toAttr(attr.getContext());
}

/// The XNOR-Net weight pattern: Mul(ReduceMean(Abs(W), all axes but 0,
/// keepdims), Sign(W)) in either operand order, W a constant without zeros
/// (where ONNX's Sign(0) = 0 and bnn.importance_sign's +1 would differ).
static DenseElementsAttr matchXnorWeights(NodeContext &node) {
  if (node.opType() != "Mul" || node.getNumInputs() != 2)
    return nullptr;
  for (unsigned signSide : {0u, 1u}) {
    const onnx::NodeProto *sign = node.producerOf(signSide);
    const onnx::NodeProto *mean = node.producerOf(1 - signSide);
    if (!sign || !mean || sign->op_type() != "Sign" ||
        mean->op_type() != "ReduceMean" || sign->input_size() != 1 ||
        mean->input_size() < 1)
      continue;
    const onnx::NodeProto *abs = node.importer.producer(mean->input(0));
    if (!abs || abs->op_type() != "Abs" || abs->input_size() != 1 ||
        abs->input(0) != sign->input(0))
      continue;
    ImportedTensor *weights = node.importer.lookup(sign->input(0));
    if (!weights || !weights->constant || !weights->isFloat() ||
        weights->rank() < 2)
      continue;
    NodeContext meanNode(node.importer, *mean, node.loc);
    FailureOr<SmallVector<int64_t>> axes = readAxes(meanNode, 1);
    if (failed(axes) || meanNode.intAttr("keepdims", 1) != 1)
      continue;
    SmallVector<int64_t> sorted;
    for (int64_t a : *axes)
      sorted.push_back(a < 0 ? a + weights->rank() : a);
    llvm::sort(sorted);
    bool allButFirst =
        static_cast<int64_t>(sorted.size()) == weights->rank() - 1;
    for (size_t k = 0; allButFirst && k < sorted.size(); ++k)
      allButFirst = sorted[k] == static_cast<int64_t>(k) + 1;
    if (!allButFirst)
      continue;
    if (llvm::any_of(weights->constant.getValues<float>(),
                     [](float v) { return v == 0.0f; }))
      continue;
    return weights->constant;
  }
  return nullptr;
}

FailureOr<bool> mlir::bnn::onnx_import::foldConstantNode(NodeContext &node) {
  StringRef op = node.opType();
  MLIRContext *context = node.importer.getContext();
  auto define = [&](HostTensor t) {
    ImportedTensor tensor;
    tensor.shape = t.shape;
    tensor.constant = t.toAttr(context);
    tensor.elementType = tensor.constant.getElementType();
    node.setOutput(0, std::move(tensor));
    return true;
  };

  if (op == "Constant") {
    if (const onnx::AttributeProto *value = node.attr("value")) {
      FailureOr<DenseElementsAttr> attr =
          readTensorProto(value->t(), context, node.loc);
      if (failed(attr))
        return failure();
      return define(HostTensor::from(*attr));
    }
    HostTensor t;
    if (const onnx::AttributeProto *a = node.attr("value_float")) {
      t.f = {a->f()};
    } else if (const onnx::AttributeProto *a = node.attr("value_floats")) {
      t.f.assign(a->floats().begin(), a->floats().end());
      t.shape = {static_cast<int64_t>(t.f.size())};
    } else if (const onnx::AttributeProto *a = node.attr("value_int")) {
      t.isFloat = false;
      t.i = {a->i()};
    } else if (const onnx::AttributeProto *a = node.attr("value_ints")) {
      t.isFloat = false;
      t.i.assign(a->ints().begin(), a->ints().end());
      t.shape = {static_cast<int64_t>(t.i.size())};
    } else {
      node.emitError() << "Constant without a value, value_float(s) or "
                          "value_int(s) attribute is not supported";
      return failure();
    }
    return define(t);
  }
  if (op == "Shape") {
    ImportedTensor *in = node.requiredInput(0);
    if (!in)
      return failure();
    int64_t rank = in->rank();
    int64_t start = node.intAttr("start", 0), end = node.intAttr("end", rank);
    start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
    end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
    HostTensor t;
    t.isFloat = false;
    for (int64_t d = start; d < end; ++d)
      t.i.push_back(in->shape[d]);
    t.shape = {static_cast<int64_t>(t.i.size())};
    return define(t);
  }

  // Everything else folds only on constant inputs.
  SmallVector<HostTensor> in;
  for (unsigned k = 0; k < node.getNumInputs(); ++k) {
    ImportedTensor *t = node.input(k);
    if (!t)
      continue;
    if (!t->constant)
      return false;
    in.push_back(HostTensor::from(t->constant));
  }
  if (in.empty())
    return false;

  if (DenseElementsAttr weights = matchXnorWeights(node)) {
    FailureOr<HostTensor> product = foldElementwise(node, in);
    if (failed(product))
      return failure();
    ImportedTensor tensor;
    tensor.shape = product->shape;
    tensor.constant = product->toAttr(context);
    tensor.elementType = tensor.constant.getElementType();
    tensor.xnorWeights = weights;
    node.setOutput(0, std::move(tensor));
    return true;
  }
  if (llvm::is_contained(
          {"Add", "Sub", "Mul", "Div", "Neg", "Abs", "Sqrt", "Sign"}, op)) {
    FailureOr<HostTensor> out = foldElementwise(node, in);
    if (failed(out))
      return failure();
    return define(*out);
  }
  if (op == "Cast") {
    int64_t to = node.intAttr("to", 0);
    HostTensor t = in[0];
    if (to == onnx::TensorProto::FLOAT && !t.isFloat) {
      for (int64_t v : t.i)
        t.f.push_back(static_cast<float>(v));
      t.i.clear();
      t.isFloat = true;
    } else if (to == onnx::TensorProto::INT64 && t.isFloat) {
      for (float v : t.f)
        t.i.push_back(static_cast<int64_t>(v));
      t.f.clear();
      t.isFloat = false;
    } else if (to != onnx::TensorProto::FLOAT &&
               to != onnx::TensorProto::INT64) {
      return false;
    }
    return define(t);
  }
  if (op == "Transpose") {
    SmallVector<int64_t> perm = node.intsAttr("perm");
    if (perm.empty())
      for (int64_t d = in[0].shape.size() - 1; d >= 0; --d)
        perm.push_back(d);
    SmallVector<int64_t> sorted(perm);
    llvm::sort(sorted);
    for (size_t d = 0; d < sorted.size(); ++d)
      if (sorted[d] != static_cast<int64_t>(d) ||
          sorted.size() != in[0].shape.size()) {
        node.emitError() << "perm is not a permutation of the input's "
                            "dimensions";
        return failure();
      }
    return define(transposeHost(in[0], perm));
  }
  if (op == "Gather") {
    if (in.size() != 2)
      return false;
    FailureOr<int64_t> axis =
        normalizeAxis(node, node.intAttr("axis", 0), in[0].shape.size());
    if (failed(axis))
      return failure();
    const HostTensor &data = in[0], &indices = in[1];
    HostTensor out;
    out.isFloat = data.isFloat;
    int64_t outer = product(ArrayRef<int64_t>(data.shape).take_front(*axis));
    int64_t inner =
        product(ArrayRef<int64_t>(data.shape).drop_front(*axis + 1));
    int64_t dim = data.shape[*axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t index : indices.i) {
        if (index < -dim || index >= dim) {
          node.emitError() << "index " << index << " is out of range";
          return failure();
        }
        int64_t row = index < 0 ? index + dim : index;
        for (int64_t k = 0; k < inner; ++k) {
          int64_t src = (o * dim + row) * inner + k;
          if (data.isFloat)
            out.f.push_back(data.f[src]);
          else
            out.i.push_back(data.i[src]);
        }
      }
    out.shape.assign(data.shape.begin(), data.shape.begin() + *axis);
    out.shape.append(indices.shape.begin(), indices.shape.end());
    out.shape.append(data.shape.begin() + *axis + 1, data.shape.end());
    return define(out);
  }
  if (op == "Concat") {
    FailureOr<int64_t> axis =
        normalizeAxis(node, node.intAttr("axis", 0), in[0].shape.size());
    if (failed(axis))
      return failure();
    HostTensor out;
    out.isFloat = in[0].isFloat;
    out.shape = in[0].shape;
    out.shape[*axis] = 0;
    for (const HostTensor &t : in)
      out.shape[*axis] += t.shape[*axis];
    int64_t outer = product(ArrayRef<int64_t>(out.shape).take_front(*axis));
    for (int64_t o = 0; o < outer; ++o)
      for (const HostTensor &t : in) {
        int64_t chunk = product(ArrayRef<int64_t>(t.shape).drop_front(*axis));
        for (int64_t k = 0; k < chunk; ++k) {
          if (t.isFloat)
            out.f.push_back(t.f[o * chunk + k]);
          else
            out.i.push_back(t.i[o * chunk + k]);
        }
      }
    return define(out);
  }
  if (op == "ReduceMean" && in[0].isFloat) {
    FailureOr<SmallVector<int64_t>> axes = readAxes(node, 1);
    if (failed(axes))
      return failure();
    HostTensor t = in[0];
    int64_t rank = t.shape.size();
    SmallVector<bool> reduced(rank, axes->empty());
    for (int64_t a : *axes) {
      FailureOr<int64_t> axis = normalizeAxis(node, a, rank);
      if (failed(axis))
        return failure();
      reduced[*axis] = true;
    }
    SmallVector<int64_t> keptShape;
    for (int64_t d = 0; d < rank; ++d)
      keptShape.push_back(reduced[d] ? 1 : t.shape[d]);
    SmallVector<double> sums(product(keptShape), 0.0);
    SmallVector<int64_t> strides = getStrides(t.shape);
    SmallVector<int64_t> keptStrides = getStrides(keptShape);
    for (int64_t k = 0; k < static_cast<int64_t>(t.f.size()); ++k) {
      int64_t dst = 0;
      for (int64_t d = 0; d < rank; ++d)
        if (!reduced[d])
          dst += ((k / strides[d]) % t.shape[d]) * keptStrides[d];
      sums[dst] += t.f[k];
    }
    int64_t count = t.f.size() / std::max<int64_t>(sums.size(), 1);
    HostTensor out;
    for (double s : sums)
      out.f.push_back(static_cast<float>(s / count));
    if (node.intAttr("keepdims", 1)) {
      out.shape = keptShape;
    } else {
      for (int64_t d = 0; d < rank; ++d)
        if (!reduced[d])
          out.shape.push_back(t.shape[d]);
    }
    return define(out);
  }
  return false;
}
