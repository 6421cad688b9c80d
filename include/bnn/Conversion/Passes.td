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
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // BNN_CONVERSION_PASSES_TD
