//===- PrepareABI.cpp - Check public functions against the C ABI --------===//

#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNPREPAREABI
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;

namespace {
/// An element type the C ABI maps to a C type (DESIGN.md section 5).
bool isABIElementType(Type type) {
  return type.isF32() || type.isInteger(32) || type.isInteger(64);
}

LogicalResult checkABIType(func::FuncOp func, Type type, StringRef what,
                           unsigned index) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return func.emitError("public function '")
           << func.getSymName() << "' " << what << " #" << index << " has type "
           << type << "; the compiled-model ABI takes ranked tensors only";
  if (!tensor.hasStaticShape())
    return func.emitError("public function '")
           << func.getSymName() << "' " << what << " #" << index
           << " has dynamic shape " << type
           << "; the compiled-model ABI needs static shapes";
  if (!isABIElementType(tensor.getElementType()))
    return func.emitError("public function '")
           << func.getSymName() << "' " << what << " #" << index
           << " has element type " << tensor.getElementType()
           << "; the compiled-model ABI supports f32, i32 and i64";
  return success();
}

struct BNNPrepareABIPass
    : public bnn::impl::BNNPrepareABIBase<BNNPrepareABIPass> {
  void runOnOperation() override {
    bool failed = false;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      FunctionType type = func.getFunctionType();
      for (auto [i, input] : llvm::enumerate(type.getInputs()))
        failed |= mlir::failed(checkABIType(func, input, "argument", i));
      for (auto [i, result] : llvm::enumerate(type.getResults()))
        failed |= mlir::failed(checkABIType(func, result, "result", i));
      // Inputs are `const T *`: bufferization must never write into them.
      // A training model's parameter marks mean nothing to the compiled
      // function (and LLVM would warn about them).
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        BoolAttr::get(&getContext(), false));
        func.removeArgAttr(i, bnn::BNNDialect::getParamAttrName());
      }
    }
    if (failed)
      signalPassFailure();
  }
};
} // namespace
