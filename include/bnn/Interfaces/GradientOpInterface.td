//===- GradientOpInterface.td - Reverse-mode rules of ops --*- tablegen -*-===//

#ifndef BNN_INTERFACES_GRADIENTOPINTERFACE
#define BNN_INTERFACES_GRADIENTOPINTERFACE

include "mlir/IR/OpBase.td"

def BNNGradientOpInterface : OpInterface<"GradientOpInterface"> {
  let description = [{
    The reverse-mode rule of an op on tensors, used by
    `bnn-generate-gradients`: given the adjoints of the op's results, build
    the adjoints of its operands. The op is the forward op inside the
    gradient function, so the rule reads the forward operands and results
    directly (they stay alive; bufferization places them).

    A rule builds at the builder's insertion point, returns one value per
    operand in `operandAdjoints` (null where none is needed or none flows)
    and, when it cannot differentiate the op as it is (a dynamic shape, an
    unsupported form), emits an error on the op naming the reason and
    returns failure: never a silently wrong gradient.
  }];
  let cppNamespace = "::mlir::bnn";
  let methods = [
    InterfaceMethod<[{
        Builds the adjoints of the operands. `resultAdjoints` holds one value
        per result, null where no gradient reaches it; `neededOperands` says
        which operands need an adjoint (they depend on a parameter).
      }],
      "::llvm::LogicalResult", "buildOperandAdjoints",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultAdjoints,
           "::llvm::ArrayRef<bool>":$neededOperands,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandAdjoints)>,
  ];
}

#endif // BNN_INTERFACES_GRADIENTOPINTERFACE
