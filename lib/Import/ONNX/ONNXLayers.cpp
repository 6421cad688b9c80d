//===- ONNXLayers.cpp - Convolution, pooling, dense, batch norm
//-------------===//
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

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult mlir::bnn::onnx_import::importConv(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importPool(NodeContext &node,
                                                 PoolKind kind) {
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
namespace {
struct MatmulInput {
  Value value;
  std::optional<std::array<int64_t, 3>> flatCHW;
};
} // namespace

static FailureOr<MatmulInput> matmulInput(NodeContext &node, unsigned i,
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
static Value createMatmul(GraphImporter &im, Location loc, Value a,
                          Value weights, bool weightsOK) {
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

LogicalResult mlir::bnn::onnx_import::importGemm(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importMatMul(NodeContext &node) {
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

LogicalResult mlir::bnn::onnx_import::importBatchNorm(NodeContext &node) {
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
