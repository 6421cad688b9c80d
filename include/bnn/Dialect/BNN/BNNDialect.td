//===- BNNDialect.td - The bnn dialect ---------------------*- tablegen -*-===//

#ifndef BNN_DIALECT_BNN_BNNDIALECT_TD
#define BNN_DIALECT_BNN_BNNDIALECT_TD

include "mlir/IR/OpBase.td"

def BNN_Dialect : Dialect {
  let name = "bnn";
  let cppNamespace = "::mlir::bnn";
  let summary = "Binarized and ternary neural network operations";
  let description = [{
    The `bnn` dialect holds the quantization ops of BiTAT (orthonormal weight
    transform and importance-weighted sign) and SQ (adaptive binary/ternary
    depth), and the bit-packed integer ops that kernels implement.

    Level 1 ops work on float tensors and are differentiable: they are what a
    training graph or an imported model contains. Level 2 ops work on packed
    integer tensors: they are what the compiler produces.

    Value encoding (fixed): a binary value in {-1, +1} is one bit, **bit 1
    means -1**; packing a float `x` gives the bit `x < 0`, so sign(0),
    sign(-0.0) and sign(NaN) are +1. Bits run along the innermost axis (NHWC
    channels), least significant bit first: channel `c` lives in word
    `c / W`, bit `c % W`, where the word width `W` (32 or 64) is the packed
    tensor's element type (`i32` or `i64`). Bits past the logical size are 0.
    A ternary tensor is two planes: the sign plane (`x < 0`) and the nonzero
    mask plane (`x != 0`). The binary dot product of two packed vectors of
    logical length K is `K - 2 * popcount(a XOR b)`; with a mask `m` it is
    `popcount(m) - 2 * popcount((a XOR b) AND m)`.

    Layouts: activations NHWC, convolution filters OHWI, dense weights (O, I).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    /// Unit attribute bnn-lower puts on the epilogue of a blocked packed
    /// reduction: the op bnn-tile builds a register tile around.
    static constexpr ::llvm::StringLiteral getRegisterTileAttrName() {
      return "bnn.register_tile";
    }
    /// Unit attribute of the trainable parameters among a training model's
    /// arguments (bnn-generate-gradients).
    static constexpr ::llvm::StringLiteral getParamAttrName() {
      return "bnn.param";
    }
  }];
}

#endif // BNN_DIALECT_BNN_BNNDIALECT_TD
