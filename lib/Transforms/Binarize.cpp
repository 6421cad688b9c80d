//===- Binarize.cpp - Float layers on signs to packed kernels -----------===//
//
// A float convolution or dense layer whose input is bnn.sign(x) and whose
// constant weights are alpha_o * {-1, +1} (or {-1, 0, +1}) per output
// channel computes alpha_o * (binary dot product). It becomes
//   bnn.pack(sign(x)) -> bnn.bconv2d / bnn.bdense -> bnn.scale(acc, alpha, 0)
// with the filter packed from the same constant (sign plane, plus the nonzero
// plane when the layer has zero weights).
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Reference/Packing.h"
#include "bnn/Transforms/Passes.h"

#include "bnn/Transforms/CheckedOptions.h"
#include "bnn/Transforms/Matchers.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/Support/Format.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNBINARIZE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

#define DEBUG_TYPE "bnn-binarize"

using namespace mlir;
using namespace mlir::bnn;

namespace {

/// Per-output-channel structure of constant weights [O, ...].
struct ScaledSigns {
  SmallVector<float> alpha; // alpha_o >= 0
  bool hasZero = false;     // some weight is 0: ternary
};

/// Checks that every output channel's weights are alpha_o * {-1, 0, +1};
/// on failure `why` says which channel breaks it.
FailureOr<ScaledSigns> getScaledSigns(DenseFPElementsAttr weights,
                                      std::string &why) {
  if (!weights.getElementType().isF32()) {
    why = "weights are not f32";
    return failure();
  }
  int64_t channels = weights.getType().getDimSize(0);
  ScaledSigns result;
  // A splat is alpha = |w| on every channel, however large it is.
  if (weights.isSplat()) {
    float value = weights.getSplatValue<float>();
    if (!std::isfinite(value)) {
      why = "weights are not finite";
      return failure();
    }
    result.alpha.assign(channels, std::fabs(value));
    result.hasZero = value == 0.0f;
    return result;
  }
  if (!isFoldableSize(weights)) {
    why = "weights have too many elements to binarize at compile time";
    return failure();
  }
  int64_t perChannel = channels == 0 ? 0 : weights.getNumElements() / channels;
  result.alpha.assign(channels, 0.0f);
  SmallVector<float> values(weights.getValues<float>());
  for (int64_t o = 0; o < channels; ++o) {
    float alpha = 0.0f;
    for (int64_t k = 0; k < perChannel; ++k) {
      float v = values[o * perChannel + k];
      if (v == 0.0f) {
        result.hasZero = true;
        continue;
      }
      float magnitude = std::fabs(v);
      if (!std::isfinite(magnitude) || (alpha != 0.0f && magnitude != alpha)) {
        llvm::raw_string_ostream os(why);
        os << "weights of output channel " << o << " are not +-alpha: |w| is "
           << llvm::format("%g", alpha) << " and "
           << llvm::format("%g", magnitude);
        return failure();
      }
      alpha = magnitude;
    }
    result.alpha[o] = alpha;
  }
  return result;
}

/// The float input of a layer, seen through an optional zero/one padding.
struct SignInput {
  Value sign;                                  // a tensor of +-1 values
  SmallVector<int64_t, 4> padding{0, 0, 0, 0}; // top, bottom, left, right
  int64_t padValue = 0;
};

/// Matches a +-1 tensor, or a `tensor.pad` of one on NHWC spatial dims.
/// Returns failure with an empty `why` when the input is not made of signs
/// (a float layer by design), and with a reason when it nearly fits.
FailureOr<SignInput> matchSignInput(Value input, bool allowPadding,
                                    std::string &why) {
  SignInput result;
  if (auto padOp = input.getDefiningOp<tensor::PadOp>();
      padOp && allowPadding) {
    if (!isSignValued(padOp.getSource()))
      return failure();
    std::optional<SpatialPad> pad = matchSpatialPad(padOp);
    if (!pad) {
      why = "padding is not static on the spatial dimensions only";
      return failure();
    }
    APFloat value(0.0f);
    if (!pad->padValue ||
        !matchPattern(pad->padValue, m_ConstantFloat(&value)) ||
        !(value.isZero() || value.isExactlyValue(1.0))) {
      why = "the sign output is padded with a value other than 0 and 1";
      return failure();
    }
    result.padValue = value.isZero() ? 0 : 1;
    result.padding.assign(pad->amounts.begin(), pad->amounts.end());
    input = pad->source;
  }
  if (!isSignValued(input))
    return failure();
  result.sign = input;
  return result;
}

/// The word width of a layer reading `channels` channels: the forced one, or
/// 64 unless 32 keeps the rows whole words where 64 does not.
unsigned chooseWordBits(unsigned forced, int64_t channels) {
  if (forced != 0)
    return forced;
  return (channels % 64 != 0 && channels % 32 == 0) ? 32 : 64;
}

/// Packs a float value along its innermost axis.
Value packValue(OpBuilder &b, Location loc, Value value, unsigned wordBits,
                Plane plane) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = ::bnn::ref::packedWords(shape.back(), wordBits);
  auto packedType = RankedTensorType::get(shape, b.getIntegerType(wordBits));
  return PackOp::create(b, loc, packedType, value, plane);
}

Value f32Vector(OpBuilder &b, Location loc, ArrayRef<float> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getF32Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}

/// Shared tail of both patterns: packed filter (+ mask) and the scale.
struct PackedWeights {
  Value filter, mask;
};

PackedWeights packWeights(OpBuilder &b, Location loc, Value weights,
                          const ScaledSigns &signs, unsigned wordBits) {
  PackedWeights result;
  result.filter = packValue(b, loc, weights, wordBits, Plane::Sign);
  // SQ's depth: a ternary layer without zeros is binary.
  if (signs.hasZero)
    result.mask = packValue(b, loc, weights, wordBits, Plane::Nonzero);
  return result;
}

Value scaleByAlpha(OpBuilder &b, Location loc, Value acc,
                   const ScaledSigns &signs) {
  SmallVector<float> zeros(signs.alpha.size(), 0.0f);
  return ScaleOp::create(b, loc, acc, f32Vector(b, loc, signs.alpha),
                         f32Vector(b, loc, zeros));
}

struct BinarizeConv : public OpRewritePattern<linalg::Conv2DNhwcFhwcOp> {
  BinarizeConv(MLIRContext *context, unsigned wordBits)
      : OpRewritePattern(context), wordBits(wordBits) {}

  LogicalResult matchAndRewrite(linalg::Conv2DNhwcFhwcOp op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<SignInput> input =
        matchSignInput(op.getInputs()[0], /*allowPadding=*/true, why);
    if (failed(input)) {
      if (!why.empty())
        op.emitRemark("not binarized: ") << why;
      return rewriter.notifyMatchFailure(op, "input is not a sign");
    }
    auto remark = [&](const Twine &reason) {
      op.emitRemark("not binarized: ") << reason;
      return rewriter.notifyMatchFailure(op, reason);
    };
    DenseFPElementsAttr weights;
    if (!matchPattern(op.getInputs()[1], m_Constant(&weights)))
      return remark("weights are not constant");
    FailureOr<ScaledSigns> signs = getScaledSigns(weights, why);
    if (failed(signs))
      return remark(why);
    if (!isZeroTensor(op.getOutputs()[0]))
      return remark("the convolution accumulates into a non-zero init");
    if (!op.hasPureTensorSemantics())
      return remark("the convolution is not on tensors");
    auto signType = cast<RankedTensorType>(input->sign.getType());
    auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
    if (!signType.hasStaticShape() || !resultType.hasStaticShape() ||
        !weights.getType().hasStaticShape() ||
        !resultType.getElementType().isF32())
      return remark("shapes are not static or the result is not f32");

    unsigned wordBits =
        chooseWordBits(this->wordBits, signType.getShape().back());
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
    // linalg lets a convolution read only part of its input; bconv2d
    // computes every output position of the padded input.
    // What bnn.bconv2d's verifier requires of its attributes.
    if (!isInAttrRange(strides, 1) || !isInAttrRange(dilations, 1) ||
        !isInAttrRange(input->padding, 0) ||
        !isInAttrRange({signType.getShape().back()}, 1))
      return remark("the strides, dilations, padding or channels exceed the "
                    "range of bnn.bconv2d (1 to 2^31 - 1; padding from 0)");
    for (int i = 0; i < 2; ++i) {
      std::optional<int64_t> size = getWindowOutputSize(
          signType.getDimSize(1 + i), weights.getType().getDimSize(1 + i),
          strides[i], dilations[i], input->padding[2 * i],
          input->padding[2 * i + 1]);
      if (size != resultType.getDimSize(1 + i))
        return remark("the convolution does not cover its whole padded input");
    }
    Location loc = op.getLoc();
    Value packedInput =
        packValue(rewriter, loc, input->sign, wordBits, Plane::Sign);
    PackedWeights packed =
        packWeights(rewriter, loc, op.getInputs()[1], *signs, wordBits);
    SmallVector<int64_t> accShape(resultType.getShape());
    auto accType = RankedTensorType::get(accShape, rewriter.getI32Type());
    Value acc = BConv2DOp::create(
        rewriter, loc, accType, packedInput, packed.filter, packed.mask,
        signType.getShape().back(), strides, dilations, input->padding,
        input->padValue, /*groups=*/1);
    rewriter.replaceOp(op, scaleByAlpha(rewriter, loc, acc, *signs));
    return success();
  }

  unsigned wordBits;
};

struct BinarizeMatmul : public OpRewritePattern<linalg::MatmulOp> {
  BinarizeMatmul(MLIRContext *context, unsigned wordBits)
      : OpRewritePattern(context), wordBits(wordBits) {}

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<SignInput> input =
        matchSignInput(op.getInputs()[0], /*allowPadding=*/false, why);
    if (failed(input))
      return rewriter.notifyMatchFailure(op, "input is not a sign");
    auto remark = [&](const Twine &reason) {
      op.emitRemark("not binarized: ") << reason;
      return rewriter.notifyMatchFailure(op, reason);
    };
    std::optional<MatmulB> layout = getMatmulBLayout(op.getIndexingMapsArray());
    if (!layout)
      return remark("the matmul does not read A as [N, K] and B as [K, O] "
                    "or [O, K]");
    bool transposedB = *layout == MatmulB::NK;
    DenseFPElementsAttr weights;
    if (!matchPattern(op.getInputs()[1], m_Constant(&weights)))
      return remark("weights are not constant");
    if (!weights.getType().hasStaticShape() ||
        !weights.getElementType().isF32())
      return remark("weights are not static f32");
    // The dense layout is [O, K]: transpose [K, O] weights at compile time.
    Location loc = op.getLoc();
    if (!transposedB && weights.isSplat()) {
      auto type = RankedTensorType::get(
          {weights.getType().getDimSize(1), weights.getType().getDimSize(0)},
          rewriter.getF32Type());
      weights = cast<DenseFPElementsAttr>(
          SplatElementsAttr::get(type, weights.getSplatValue<APFloat>()));
    } else if (!transposedB) {
      if (!isFoldableSize(weights))
        return remark(
            "weights have too many elements to binarize at compile time");
      int64_t rows = weights.getType().getDimSize(0);
      int64_t cols = weights.getType().getDimSize(1);
      SmallVector<float> values(weights.getValues<float>());
      SmallVector<float> transposed(values.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          transposed[c * rows + r] = values[r * cols + c];
      auto type = RankedTensorType::get({cols, rows}, rewriter.getF32Type());
      weights = cast<DenseFPElementsAttr>(
          DenseElementsAttr::get(type, ArrayRef<float>(transposed)));
    }
    FailureOr<ScaledSigns> signs = getScaledSigns(weights, why);
    if (failed(signs))
      return remark(why);
    if (!isZeroTensor(op.getOutputs()[0]))
      return remark("the matmul accumulates into a non-zero init");
    auto signType = cast<RankedTensorType>(input->sign.getType());
    auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
    if (!signType.hasStaticShape() || !resultType.hasStaticShape() ||
        !resultType.getElementType().isF32())
      return remark("shapes are not static or the result is not f32");

    // A flattened feature map packs as whole words only if its rows (the
    // channels before the flatten) do: choose the width for those.
    Value source = input->sign;
    while (auto collapse = source.getDefiningOp<tensor::CollapseShapeOp>())
      source = collapse.getSrc();
    unsigned wordBits = chooseWordBits(
        this->wordBits, cast<ShapedType>(source.getType()).getShape().back());
    Value weightsValue = arith::ConstantOp::create(rewriter, loc, weights);
    Value packedInput =
        packValue(rewriter, loc, input->sign, wordBits, Plane::Sign);
    PackedWeights packed =
        packWeights(rewriter, loc, weightsValue, *signs, wordBits);
    auto accType =
        RankedTensorType::get(resultType.getShape(), rewriter.getI32Type());
    Value acc =
        BDenseOp::create(rewriter, loc, accType, packedInput, packed.filter,
                         packed.mask, signType.getShape().back());
    rewriter.replaceOp(op, scaleByAlpha(rewriter, loc, acc, *signs));
    return success();
  }

  unsigned wordBits;
};

/// Any other convolution or contraction whose data input is made of signs
/// stays float: one remark says so and names the forms that are packed, so
/// that no layer on signs stays float silently.
struct RemarkOtherLayersOnSigns
    : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (isa<linalg::Conv2DNhwcFhwcOp, linalg::MatmulOp>(op.getOperation()) ||
        op.getNumDpsInputs() < 2 || op.getNumReductionLoops() == 0 ||
        op->getName().getStringRef().starts_with("linalg.pooling_"))
      return rewriter.notifyMatchFailure(op, "not another layer");
    bool isLayer =
        isa<linalg::ConvolutionOpInterface, linalg::ContractionOpInterface>(
            op.getOperation()) ||
        linalg::isaContractionOpInterface(op) ||
        linalg::isaConvolutionOpInterface(op);
    if (!isLayer)
      return rewriter.notifyMatchFailure(op, "not a layer");
    auto readsSigns = [](Value v) {
      if (auto pad = v.getDefiningOp<tensor::PadOp>())
        v = pad.getSource();
      return isSignValued(v);
    };
    if (!llvm::any_of(op.getDpsInputs(), readsSigns))
      return rewriter.notifyMatchFailure(op, "does not read signs");
    op->emitRemark("not binarized: ")
        << op->getName()
        << " is not a form bnn-binarize packs: it packs "
           "linalg.conv_2d_nhwc_fhwc and linalg.matmul on signs, which "
           "bnn-normalize makes of conv_2d_nhwc_hwcf, conv_2d_nchw_fchw, "
           "generic matmuls, matvec and vecmat with constant weights";
    return rewriter.notifyMatchFailure(op, "another layer on signs");
  }
};

} // namespace

void mlir::bnn::populateBNNBinarizePatterns(RewritePatternSet &patterns,
                                            unsigned wordBits) {
  patterns.add<BinarizeConv, BinarizeMatmul>(patterns.getContext(), wordBits);
  patterns.add<RemarkOtherLayersOnSigns>(patterns.getContext());
}

namespace {
struct BNNBinarizePass
    : public mlir::bnn::impl::BNNBinarizeBase<BNNBinarizePass> {
  using BNNBinarizeBase::BNNBinarizeBase;

  /// Why the options are invalid, or nothing.
  std::optional<std::string> checkOptions() const {
    if (wordBits == 0 || wordBits == 32 || wordBits == 64)
      return std::nullopt;
    return "bnn-binarize: word-bits must be 0 (per layer), 32 or 64, got " +
           std::to_string(static_cast<int64_t>(wordBits));
  }

  // Checked when a pipeline string is parsed, and when the pass runs
  // (CheckedOptions.h).
  LogicalResult initializeOptions(
      StringRef options,
      function_ref<LogicalResult(const Twine &)> errorHandler) override {
    return initializeCheckedOptions(*this, options, errorHandler);
  }

  void runOnOperation() override {
    if (std::optional<std::string> error = checkOptions()) {
      getOperation()->emitError(*error);
      return signalPassFailure();
    }
    // Each candidate is tried exactly once, so each remark is said once.
    RewritePatternSet patterns(&getContext());
    populateBNNBinarizePatterns(patterns, wordBits);
    MatchFailureLogger logger(DEBUG_TYPE);
    walkAndApplyPatterns(getOperation(), std::move(patterns), &logger);
  }
};
} // namespace
