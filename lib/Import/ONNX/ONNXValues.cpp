//===- ONNXValues.cpp - Activations, signs, shapes, softmax
//-----------------===//
//
// See OperatorMappings.h and docs/ONNX.md.
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
using namespace mlir::bnn;
using namespace mlir::bnn::onnx_import;

LogicalResult mlir::bnn::onnx_import::importClip(NodeContext &node) {
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
  return importElementwise(
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
static ImportedTensor *matchSignWhere(NodeContext &node) {
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

static LogicalResult defineSign(NodeContext &node, ImportedTensor *x) {
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

LogicalResult mlir::bnn::onnx_import::importSign(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(requireFloat(node, {x})) || failed(node.checkUsedOutputs(1)))
    return failure();
  if (!node.importer.getOptions().exactSign)
    return defineSign(node, x);
  // ONNX's Sign exactly: 0 at +-0.
  return importElementwise(
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

LogicalResult mlir::bnn::onnx_import::importComparison(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importWhere(NodeContext &node) {
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
static LogicalResult defineReshape(NodeContext &node, ArrayRef<int64_t> shape) {
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

LogicalResult mlir::bnn::onnx_import::importFlatten(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importReshape(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importSqueezeLike(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x || failed(node.checkUsedOutputs(1)))
    return failure();
  FailureOr<SmallVector<int64_t>> readAxesResult = readAxes(node, 1);
  if (failed(readAxesResult))
    return failure();
  SmallVector<int64_t> axes = std::move(*readAxesResult);
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

LogicalResult mlir::bnn::onnx_import::importTranspose(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importConcat(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importSoftmax(NodeContext &node) {
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
LogicalResult mlir::bnn::onnx_import::importPad(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importIdentity(NodeContext &node) {
  ImportedTensor *x = node.requiredInput(0);
  if (!x)
    return failure();
  // Dropout in inference is the identity; its mask output is not.
  if (failed(node.checkUsedOutputs(1)))
    return failure();
  node.setOutput(0, *x);
  return success();
}
