//===- BNNAttrs.td - bnn enumerations ----------------------*- tablegen -*-===//

#ifndef BNN_DIALECT_BNN_BNNATTRS_TD
#define BNN_DIALECT_BNN_BNNATTRS_TD

include "bnn/Dialect/BNN/BNNDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def BNN_Estimator : I32EnumAttr<"Estimator",
    "backward rule of a sign function", [
      I32EnumAttrCase<"Ste", 0, "ste">,
      I32EnumAttrCase<"Approx", 1, "approx">,
      I32EnumAttrCase<"Swish", 2, "swish">,
      I32EnumAttrCase<"Identity", 3, "identity">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::bnn";
}

def BNN_EstimatorAttr : EnumAttr<BNN_Dialect, BNN_Estimator, "estimator"> {
  let summary = "backward rule of `bnn.sign` and `bnn.importance_sign`";
  let description = [{
    `ste`: 1 where |x| <= 1, else 0 (straight-through). `approx`: 2 - 2|x|
    inside [-1, 1], else 0 (Bi-Real). `swish`: derivative of the SignSwish of
    BNN+ with beta = 5. `identity`: 1.
  }];
}

def BNN_Plane : I32EnumAttr<"Plane", "bit plane extracted by bnn.pack", [
      I32EnumAttrCase<"Sign", 0, "sign">,
      I32EnumAttrCase<"Nonzero", 1, "nonzero">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::bnn";
}

def BNN_PlaneAttr : EnumAttr<BNN_Dialect, BNN_Plane, "plane"> {
  let summary = "bit plane of `bnn.pack`: `sign` (x < 0) or `nonzero` (x != 0)";
}

#endif // BNN_DIALECT_BNN_BNNATTRS_TD
