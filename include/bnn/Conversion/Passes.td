//===- Passes.td - bnn conversion passes -------------------*- tablegen -*-===//

#ifndef BNN_CONVERSION_PASSES_TD
#define BNN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def BNNLower : Pass<"bnn-lower", "::mlir::ModuleOp"> {
  let summary = "Lower bnn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every Level 1 and Level 2 op becomes upstream ops on tensors. Packed
    kernels are `linalg.generic` ops whose bodies are xor, `math.ctpop` and
    add on the word type, so upstream tiling, fusion and vectorization apply.
    Semantics are exactly DESIGN.md sections 2-3: channel counts that are not
    a multiple of the word width (tail bits masked), both pad values (exact
    zero padding masks padded taps), groups, dilation, ternary masks, both
    word widths.

    With `channel-block=B` (B > 0), `bnn.bdense` and `bnn.bconv2d` use the
    blocked formulation that `bnn-tile` turns into register tiles: filters
    re-laid out as [O/B, ..., words, B] (at compile time when constant), one
    `linalg.generic` of XOR, popcount and add per filter tap, and an
    epilogue (marked `bnn.register_tile`) that forms the accumulators from
    the popcounts, the live bits of each filter and exact corrections for
    the zero-padded border. A grouped convolution of up to 16 groups is
    first split into one ungrouped convolution per group (its input words
    and output channels); more groups (depthwise-like layers) keep the
    one-generic form. With 0 (the default) every packed reduction is one
    `linalg.generic` with its masks in the body.

    `bnn.bmaxpool2d` of up to 16 taps is one elementwise AND over a strided
    slice of the input per tap (vectorized along the words by
    `bnn-vectorize`); larger windows are one generic with the window as
    reduction loops.
  }];
  let options = [
    Option<"channelBlock", "channel-block", "int64_t", /*default=*/"0",
           "Output channels per block of the blocked packed kernels (the "
           "vector lanes of a register tile); 0 keeps one generic per op">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // BNN_CONVERSION_PASSES_TD
