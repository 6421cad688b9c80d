//===- ABI.cpp - The compiled-model C ABI of a function -----------------===//

#include "bnn/Target/ABI.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::bnn;

/// The C type of a buffer element (docs/ABI.md). The signature cannot tell a
/// packed tensor from a plain integer one: i64 at a model's boundary is a
/// packed word in every bnn model, so it is unsigned; i32 is an accumulator
/// or plain integer, so it is signed. An explicit signedness (si64, ui32)
/// says what it means and is followed.
static std::optional<StringRef> getCType(Type elementType) {
  if (elementType.isF32())
    return StringRef("float");
  auto integer = dyn_cast<IntegerType>(elementType);
  if (!integer || (integer.getWidth() != 32 && integer.getWidth() != 64))
    return std::nullopt;
  bool isSigned =
      integer.isSigned() || (integer.isSignless() && integer.getWidth() == 32);
  if (integer.getWidth() == 32)
    return StringRef(isSigned ? "int32_t" : "uint32_t");
  return StringRef(isSigned ? "int64_t" : "uint64_t");
}

/// The byte size of a static tensor's buffer; nullopt when it overflows
/// int64 (the lowered code indexes buffers with 64-bit integers).
static std::optional<int64_t> getBufferBytes(RankedTensorType type) {
  std::optional<int64_t> bytes = type.getElementTypeBitWidth() / 8;
  for (int64_t size : type.getShape())
    if (bytes)
      bytes = llvm::checkedMul(*bytes, size);
  return bytes;
}

bool bnn::isExported(func::FuncOp func) {
  return func.isPublic() && !func.isExternal();
}

FailureOr<SmallVector<ABIParameter>> bnn::getABISignature(func::FuncOp func) {
  SmallVector<ABIParameter> parameters;
  // Every offending argument and result is reported, not only the first.
  auto addParameters = [&](TypeRange types, bool isInput) -> LogicalResult {
    bool valid = true;
    StringRef what = isInput ? "argument" : "result";
    for (auto [i, type] : llvm::enumerate(types)) {
      size_t index = i;
      auto fail = [&]() {
        valid = false;
        return func.emitError("public function '")
               << func.getSymName() << "' " << what << " #" << index;
      };
      auto tensor = dyn_cast<RankedTensorType>(type);
      std::optional<StringRef> cType;
      if (tensor)
        cType = getCType(tensor.getElementType());
      if (!tensor)
        fail() << " has type " << type
               << "; the compiled-model ABI takes ranked tensors only";
      else if (!tensor.hasStaticShape())
        fail() << " has dynamic shape " << type
               << "; the compiled-model ABI needs static shapes";
      else if (!cType)
        fail() << " has element type " << tensor.getElementType()
               << "; the compiled-model ABI supports f32, i32 and i64";
      else if (!getBufferBytes(tensor))
        fail() << " of type " << type
               << " needs more bytes than a 64-bit size can count";
      else
        parameters.push_back({(isInput ? "in" : "out") + std::to_string(index),
                              *cType, isInput, tensor});
    }
    return success(valid);
  };
  FunctionType type = func.getFunctionType();
  bool inputsValid = succeeded(addParameters(type.getInputs(), true));
  bool resultsValid = succeeded(addParameters(type.getResults(), false));
  if (!inputsValid || !resultsValid)
    return failure();
  return parameters;
}

/// Names the lowered code takes from libc or defines itself.
static bool isReservedName(StringRef name) {
  static constexpr llvm::StringLiteral libc[] = {
      "malloc", "free",    "calloc", "realloc", "aligned_alloc",
      "memcpy", "memmove", "memset", "abort"};
  return llvm::is_contained(libc, name) || name.starts_with("__bnn_") ||
         name.starts_with("_mlir_");
}

LogicalResult bnn::checkModuleFunctions(ModuleOp module) {
  bool valid = true;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (isReservedName(func.getSymName())) {
      func.emitError("function '")
          << func.getSymName()
          << "' takes a name the compiled code needs for itself (the libc "
             "allocation and memory functions, and the __bnn_ and _mlir_ "
             "prefixes); rename it";
      valid = false;
    }
  }
  module.walk(
      [&](func::CallOp call) {
        auto callee = module.lookupSymbol<func::FuncOp>(call.getCalleeAttr());
        if (!callee || !callee.isExternal())
          return;
        auto isTensor = [](Type type) { return isa<TensorType>(type); };
        if (llvm::none_of(call.getOperandTypes(), isTensor) &&
            llvm::none_of(call.getResultTypes(), isTensor))
          return;
        call.emitError("'")
            << call.getCallee()
            << "' is only declared, and is called on tensors: a compiled model "
               "must define every function it calls on tensors (declared "
               "functions, such as libm's, take scalars)";
        valid = false;
      });
  return success(valid);
}
