//===- BNNOps.td - bnn operations --------------------------*- tablegen -*-===//
//
// Names, operand order, attribute names, kinds and defaults are the contract
// of DESIGN.md section 3.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_DIALECT_BNN_BNNOPS_TD
#define BNN_DIALECT_BNN_BNNOPS_TD

include "bnn/Dialect/BNN/BNNDialect.td"
include "bnn/Dialect/BNN/BNNAttrs.td"
include "bnn/Interfaces/GradientOpInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def BNN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def BNN_PackedTensor : RankedTensorOf<[I32, I64]> {
  let summary = "packed tensor of i32 or i64 words";
}
def BNN_AccTensor : RankedTensorOf<[I32]> {
  let summary = "tensor of i32 accumulators";
}

// Runs the op's type inference as its verifier before InferTypeOpInterface
// compares types, so an inconsistent op gets one precise diagnostic instead
// of an extra "failed to infer returned types".
def BNN_VerifiedByInference : NativeOpTrait<"VerifiedByInference"> {
  let cppNamespace = "::mlir::bnn::OpTrait";
}

// Result type follows from operands and attributes.
defvar BNN_InferredResult = [BNN_VerifiedByInference, InferTypeOpAdaptor];

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class BNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<BNN_Dialect, mnemonic, !listconcat([Pure], traits)>;

// Level 1: float, differentiable. The result has the type of `x`.
class BNN_FloatOp<string mnemonic, list<Trait> traits = []>
    : BNN_Op<mnemonic, !listconcat([AllTypesMatch<["x", "y"]>], traits)> {
  let results = (outs BNN_FloatTensor:$y);
}

//===----------------------------------------------------------------------===//
// Level 1
//===----------------------------------------------------------------------===//

def BNN_SignOp : BNN_FloatOp<"sign",
    [DeclareOpInterfaceMethods<BNNGradientOpInterface>]> {
  let summary = "sign binarization with a chosen gradient estimator";
  let description = [{
    `y = x < 0 ? -1 : +1` elementwise (so sign(0), sign(-0.0) and sign(NaN)
    are +1). The `estimator` attribute (default `ste`) picks the backward
    rule used by gradient generation (`dx = dy * g(x)`): `ste` g = 1 where
    |x| <= 1, else 0; `approx` g = 2 - 2|x| inside [-1, 1], else 0; `swish`
    the derivative of SignSwish with beta = 5,
    `2 b s (1 - s) (2 + b x (1 - 2 s))` with `s = sigmoid(b x)`; `identity`
    g = 1. It does not change the forward value.

    Folds: `sign(sign(x))` is `sign(x)` when the outer estimator is `ste` or
    `identity` (both have gradient 1 at +-1, so the fold keeps the gradient);
    the sign of a constant is a constant.

    Example:

    ```mlir
    %y = bnn.sign %x : tensor<1x8x8x64xf32>
    %z = bnn.sign %x estimator = approx : tensor<1x8x8x64xf32>
    ```
  }];
  let arguments = (ins BNN_FloatTensor:$x,
                   DefaultValuedAttr<BNN_EstimatorAttr,
                                     "::mlir::bnn::Estimator::Ste">:$estimator);
  let assemblyFormat = [{
    $x (`estimator` `=` `` $estimator^)? attr-dict `:` type($x)
  }];
  let hasFolder = 1;
}

def BNN_OrthonormalTransformOp : BNN_FloatOp<"orthonormal_transform",
    [DeclareOpInterfaceMethods<BNNGradientOpInterface>]> {
  let summary = "contract a tensor with an orthonormal matrix along one axis";
  let description = [{
    `y[..i..] = sum_j q[i, j] * x[..j..]` along `axis`; with
    `transpose = true`, `q[j, i]` is used instead. `q` is square, of the size
    of `x` along `axis`, and orthonormal by contract: rewrites may rely on
    `q^T q = I` (BiTAT's learned weight basis). The backward is exact for
    both operands (the op is linear in each).

    Folds and canonicalizations: a constant identity `q` gives `x`; a
    transform followed by its transpose with the same `q` on the same axis
    gives `x`; two transforms with constant matrices on the same axis compose
    into one when the matrix product is exact in the element type; a
    transform of constants is a constant.

    Example:

    ```mlir
    %y = bnn.orthonormal_transform %w, %q axis = 3 transpose = true
        : tensor<64x3x3x32xf32>, tensor<32x32xf32>
    ```
  }];
  let arguments = (ins BNN_FloatTensor:$x, BNN_FloatTensor:$q,
                   I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose);
  let assemblyFormat = [{
    $x `,` $q `axis` `=` $axis (`transpose` `=` $transpose^)? attr-dict
    `:` type($x) `,` type($q)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def BNN_ImportanceSignOp : BNN_FloatOp<"importance_sign",
    [DeclareOpInterfaceMethods<BNNGradientOpInterface>]> {
  let summary = "importance-weighted binarization of a weight tensor";
  let description = [{
    Axis 0 of `x` is the output channel; `s` has the shape `x.shape[1:]` and
    holds the (non-negative) importance of each position of a filter.
    `alpha_o = sum_k s_k |x[o, k]| / sum_k s_k` (0 when `sum_k s_k = 0`) and
    `y[o, k] = alpha_o * sign(x[o, k])`. With `s` all ones this is
    XNOR-Net's scale. `estimator` as for `bnn.sign`. The backward is the
    product rule, the sign through the estimator `g` and the scale exactly:
    `dx[o,j] = dy[o,j] alpha_o g(x[o,j]) + G_o s_j sign(x[o,j]) / sum s` and
    `ds_j = sum_o G_o (|x[o,j]| - alpha_o) / sum s` with
    `G_o = sum_k dy[o,k] sign(x[o,k])` (both 0 when `sum s = 0`).

    Folds: constant operands give a constant.

    Example:

    ```mlir
    %y = bnn.importance_sign %w, %s
        : tensor<64x3x3x32xf32>, tensor<3x3x32xf32>
    ```
  }];
  let arguments = (ins BNN_FloatTensor:$x, BNN_FloatTensor:$s,
                   DefaultValuedAttr<BNN_EstimatorAttr,
                                     "::mlir::bnn::Estimator::Ste">:$estimator);
  let assemblyFormat = [{
    $x `,` $s (`estimator` `=` `` $estimator^)? attr-dict `:` type($x) `,` type($s)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def BNN_TernaryOp : BNN_FloatOp<"ternary",
    [DeclareOpInterfaceMethods<BNNGradientOpInterface>]> {
  let summary = "per-channel ternarization with a threshold";
  let description = [{
    Axis 0 of `x` is the output channel and `delta` has shape `[O]`.
    `t = +1` where `x > delta_o`, `-1` where `x < -delta_o`, else 0;
    `alpha_o` is the mean of `|x|` over the entries with `t != 0` (0 if
    none); `y = alpha_o * t`. The backward is the product rule on
    `alpha_o * t` with the kept set fixed: the factor `t` straight-through
    (1 where |x| <= 1, on every entry, kept or not) and the scale
    differentiated exactly,
    `dx[o,j] = dy[o,j] alpha_o ste(x[o,j]) + (sum_k dy[o,k] t[o,k]) kept[o,j] sign(x[o,j]) / count_o`;
    `delta` gets no gradient.

    Folds: constant operands give a constant.

    Example:

    ```mlir
    %y = bnn.ternary %w, %delta : tensor<64x3x3x32xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins BNN_FloatTensor:$x, BNN_FloatTensor:$delta);
  let assemblyFormat = [{
    $x `,` $delta attr-dict `:` type($x) `,` type($delta)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def BNN_BatchNormOp : BNN_FloatOp<"batch_norm",
    [DeclareOpInterfaceMethods<BNNGradientOpInterface>]> {
  let summary = "batch normalization on batch statistics (training)";
  let description = [{
    Normalizes `x` over the innermost axis (the channel) with the statistics
    of the batch: with `mean_c` and `var_c` the mean and the biased variance
    of `x[..., c]` over every other axis,
    `y = (x - mean_c) / sqrt(var_c + epsilon) * gamma_c + beta_c`.
    `gamma` and `beta` are `[C]` of the element type of `x`. This is the
    training form: `bnn-generate-gradients` differentiates it through the
    batch statistics and returns them (docs/Training.md), so that the
    runtime keeps the running averages (`momentum`); an exported inference
    model has the affine form with the running statistics instead.
    Defaults: `epsilon = 1e-5`, `momentum = 0.1`.

    Example:

    ```mlir
    %y = bnn.batch_norm %x, %gamma, %beta
        : tensor<64x28x28x16xf32>, tensor<16xf32>, tensor<16xf32>
    %z = bnn.batch_norm %x, %gamma, %beta {epsilon = 1.0e-03 : f64}
        : tensor<64x28x28x16xf32>, tensor<16xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins BNN_FloatTensor:$x, BNN_FloatTensor:$gamma,
                   BNN_FloatTensor:$beta,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon,
                   DefaultValuedAttr<F64Attr, "0.1">:$momentum);
  let assemblyFormat = [{
    $x `,` $gamma `,` $beta attr-dict `:` type($x) `,` type($gamma) `,`
    type($beta)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The batch mean and biased variance of x over every axis but the
    /// innermost, as two [C] tensors built with linalg at `b`'s insertion
    /// point (shared by the lowering, the gradient rule and the statistics
    /// bnn-generate-gradients returns).
    std::pair<::mlir::Value, ::mlir::Value>
    buildBatchStatistics(::mlir::OpBuilder &b);
  }];
}

def BNN_SqRegularizerOp : BNN_Op<"sq_regularizer",
    !listconcat(BNN_InferredResult,
                [DeclareOpInterfaceMethods<BNNGradientOpInterface>])> {
  let summary = "SQ's binary/ternary depth regularizer of one layer";
  let description = [{
    `u = w / mean(|w|)` (the mean is a constant for the gradient) and
    `r = mean_i min((u_i - 1)^2, (u_i + 1)^2, tan(beta) * u_i^2)`. `beta` is
    0-d and kept in `[pi/4, pi/2)`: at `pi/4` the three basins are equal
    (ternary), towards `pi/2` the zero basin vanishes (binary). The result is
    a 0-d tensor of the element type of `w`. The backward follows the basin
    that attains the minimum (the first of +1, -1, 0 on ties) with the mean
    constant: `dw_i = b'(u_i) / (n mean|w|)`, `dbeta = sum over the zero
    basin of u_i^2 (1 + tan^2 beta) / n` (both 0 when `mean|w| = 0`).

    Example:

    ```mlir
    %r = bnn.sq_regularizer %w, %beta : tensor<64x3x3x32xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins BNN_FloatTensor:$w, BNN_FloatTensor:$beta);
  let results = (outs BNN_FloatTensor:$r);
  let assemblyFormat = [{
    $w `,` $beta attr-dict `:` type($w) `,` type($beta)
  }];
}

//===----------------------------------------------------------------------===//
// Level 2
//===----------------------------------------------------------------------===//

def BNN_PackOp : BNN_Op<"pack"> {
  let summary = "pack a float tensor into bits along the innermost axis";
  let description = [{
    `plane = sign` (default) stores `x < 0`, `plane = nonzero` stores
    `x != 0`. Element `c` of the innermost axis goes to word `c / W`,
    bit `c % W`; bits past the logical size are 0. The result has the shape
    of `x` with `ceil(C / W)` words innermost; `W` is 32 for `i32` and 64
    for `i64` results.

    Folds: the packing of a constant is a constant. Canonicalization: the
    sign plane of `bnn.sign(x)` is the sign plane of `x`; the packing of a
    `tensor.collapse_shape` whose innermost size is a multiple of the word
    width is the collapse of the packing.

    Example:

    ```mlir
    %p = bnn.pack %x : tensor<1x8x8x65xf32> -> tensor<1x8x8x2xi64>
    %m = bnn.pack %w plane = nonzero : tensor<16x65xf32> -> tensor<16x3xi32>
    ```
  }];
  let arguments = (ins BNN_FloatTensor:$x,
                   DefaultValuedAttr<BNN_PlaneAttr,
                                     "::mlir::bnn::Plane::Sign">:$plane);
  let results = (outs BNN_PackedTensor:$p);
  let assemblyFormat = [{
    $x (`plane` `=` `` $plane^)? attr-dict `:` type($x) `->` type($p)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def BNN_UnpackOp : BNN_Op<"unpack", BNN_InferredResult> {
  let summary = "unpack sign bits into a float tensor of +-1";
  let description = [{
    The inverse of sign packing: bit 1 becomes -1.0 and bit 0 becomes +1.0.
    `size` is the logical length of the innermost axis; the result is `f32`.

    Folds: the unpacking of a constant is a constant.

    Example:

    ```mlir
    %x = bnn.unpack %p size = 65 : tensor<1x8x8x2xi64> -> tensor<1x8x8x65xf32>
    ```
  }];
  let arguments = (ins BNN_PackedTensor:$p, I64Attr:$size);
  let results = (outs RankedTensorOf<[F32]>:$x);
  let assemblyFormat = [{
    $p `size` `=` $size attr-dict `:` type($p) `->` type($x)
  }];
  let hasFolder = 1;
}

def BNN_BConv2DOp : BNN_Op<"bconv2d", BNN_InferredResult> {
  let summary = "binary or ternary 2-D convolution on packed data";
  let description = [{
    `input` is packed NHWC (`[N, H, W, ceil(C / W)]`), `filter` packed OHWI
    over `channels_in / groups` channels (`[O, KH, KW, ceil(C / groups / W)]`).
    With `filter_mask` (same type as `filter`) the weights are ternary: a
    mask bit 0 makes the weight 0.

    `acc[n, oh, ow, o] = sum over the window's taps of x_hat * w_hat`, with
    `OH = (H + top + bottom - dh * (KH - 1) - 1) / sh + 1` (likewise OW).
    Taps in the padding contribute 0 when `pad_value = 0` (exact zero
    padding) and `+1 * w_hat` when `pad_value = 1`. Output channel `o` reads
    the input channels of group `o / (O / groups)`; with `groups > 1`,
    `channels_in / groups` must be a multiple of the word width.

    Defaults: `dilations = [1, 1]`, `pad_value = 0`, `groups = 1`.

    Example:

    ```mlir
    %acc = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1]
        padding = [1, 1, 1, 1] pad_value = 1
        : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x8x8x16xi32>
    %acc2 = bnn.bconv2d %in, %f mask %m channels_in = 65 strides = [2, 2]
        dilations = [2, 2] padding = [0, 1, 0, 1]
        : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64>, tensor<16x3x3x2xi64>
        -> tensor<1x3x3x16xi32>
    ```
  }];
  let arguments = (ins BNN_PackedTensor:$input, BNN_PackedTensor:$filter,
                   Optional<BNN_PackedTensor>:$filter_mask,
                   I64Attr:$channels_in,
                   DenseI64ArrayAttr:$strides,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
                   DenseI64ArrayAttr:$padding,
                   DefaultValuedAttr<I64Attr, "0">:$pad_value,
                   DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs BNN_AccTensor:$acc);
  let assemblyFormat = [{
    $input `,` $filter (`mask` $filter_mask^)?
    `channels_in` `=` $channels_in
    `strides` `=` $strides
    (`dilations` `=` $dilations^)?
    `padding` `=` $padding
    (`pad_value` `=` $pad_value^)?
    (`groups` `=` $groups^)?
    attr-dict `:` type($input) `,` type($filter)
    (`,` type($filter_mask)^)? `->` type($acc)
  }];
  let extraClassDeclaration = [{
    /// Logical length of the dot product behind each accumulator,
    /// KH * KW * channels_in / groups: the largest |acc|. nullopt when the
    /// filter shape is dynamic or the product overflows.
    std::optional<int64_t> getDotLength();
    /// Logical length of one output channel's packed filter row.
    int64_t getFilterRowSize() { return getChannelsIn() / getGroups(); }
  }];
}

def BNN_BDenseOp : BNN_Op<"bdense", BNN_InferredResult> {
  let summary = "binary or ternary dense layer on packed data";
  let description = [{
    `input` is `[N, Kw]`, `filter` `[O, Kw]` with `Kw = ceil(size / W)`;
    `acc[n, o] = sum_k x_hat[n, k] * w_hat[o, k]` over the `size` logical
    elements. With `filter_mask` the weights are ternary. Input, filter and
    mask share one word width.

    Example:

    ```mlir
    %acc = bnn.bdense %x, %w size = 200
        : tensor<4x4xi64>, tensor<10x4xi64> -> tensor<4x10xi32>
    ```
  }];
  let arguments = (ins BNN_PackedTensor:$input, BNN_PackedTensor:$filter,
                   Optional<BNN_PackedTensor>:$filter_mask,
                   I64Attr:$size);
  let results = (outs BNN_AccTensor:$acc);
  let assemblyFormat = [{
    $input `,` $filter (`mask` $filter_mask^)? `size` `=` $size
    attr-dict `:` type($input) `,` type($filter)
    (`,` type($filter_mask)^)? `->` type($acc)
  }];
  let extraClassDeclaration = [{
    /// Logical length of the dot product behind each accumulator (`size`):
    /// the largest |acc|.
    std::optional<int64_t> getDotLength() { return getSize(); }
    /// Logical length of one output channel's packed filter row.
    int64_t getFilterRowSize() { return getSize(); }
  }];
}

def BNN_BMaxPool2DOp : BNN_Op<"bmaxpool2d", BNN_InferredResult> {
  let summary = "max pool of packed +-1 values (AND of the bits)";
  let description = [{
    The max of +-1 values over a window is +1 unless every tap is -1, so the
    packed max pool is the AND of the bits of the taps. Taps in the padding
    are ignored, so each padding must be smaller than the kernel along its
    axis (every window then holds at least one real tap).

    Example:

    ```mlir
    %y = bnn.bmaxpool2d %x kernel = [2, 2] strides = [2, 2]
        padding = [0, 0, 0, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi64>
    ```
  }];
  let arguments = (ins BNN_PackedTensor:$input,
                   DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$padding);
  let results = (outs BNN_PackedTensor:$output);
  let assemblyFormat = [{
    $input `kernel` `=` $kernel `strides` `=` $strides `padding` `=` $padding
    attr-dict `:` type($input) `->` type($output)
  }];
}

def BNN_ScaleOp : BNN_Op<"scale", BNN_InferredResult> {
  let summary = "per-channel affine map of integer accumulators to floats";
  let description = [{
    `y = acc * multiplier[o] + bias[o]` along the innermost axis. `multiplier`
    and `bias` are `[O]` float tensors of one type; the result has the shape
    of `acc` and their element type.

    Example:

    ```mlir
    %y = bnn.scale %acc, %mul, %bias
        : tensor<1x8x8x16xi32>, tensor<16xf32>, tensor<16xf32>
    ```
  }];
  let arguments = (ins BNN_AccTensor:$acc, BNN_FloatTensor:$multiplier,
                   BNN_FloatTensor:$bias);
  let results = (outs BNN_FloatTensor:$y);
  let assemblyFormat = [{
    $acc `,` $multiplier `,` $bias attr-dict
    `:` type($acc) `,` type($multiplier) `,` type($bias)
  }];
}

def BNN_ThresholdOp : BNN_Op<"threshold"> {
  let summary = "per-channel integer threshold producing packed signs";
  let description = [{
    The output value is +1 (bit 0) iff `acc[.., o] >= threshold[o]`, else -1
    (bit 1), packed along the innermost axis into `ceil(O / W)` words. This
    is a batch norm followed by a sign, folded into integers.

    Example:

    ```mlir
    %p = bnn.threshold %acc, %t
        : tensor<1x8x8x16xi32>, tensor<16xi32> -> tensor<1x8x8x1xi64>
    ```
  }];
  let arguments = (ins BNN_AccTensor:$acc, BNN_AccTensor:$threshold);
  let results = (outs BNN_PackedTensor:$output);
  let assemblyFormat = [{
    $acc `,` $threshold attr-dict `:` type($acc) `,` type($threshold)
    `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // BNN_DIALECT_BNN_BNNOPS_TD
