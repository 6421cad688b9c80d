//===- Header.cpp - C header of a compiled model ------------------------===//

#include "bnn/Target/Header.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <optional>

using namespace mlir;
using llvm::StringRef;

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

/// Keywords of C23 and C++23: the header is included from both, so a
/// function named `signed` or `class` could not be declared in it.
static bool isKeyword(StringRef name) {
  static constexpr llvm::StringLiteral keywords[] = {
      // C23.
      "_Alignas", "_Alignof", "_Atomic", "_BitInt", "_Bool", "_Complex",
      "_Decimal128", "_Decimal32", "_Decimal64", "_Generic", "_Imaginary",
      "_Noreturn", "_Static_assert", "_Thread_local", "alignas", "alignof",
      "auto", "bool", "break", "case", "char", "const", "constexpr", "continue",
      "default", "do", "double", "else", "enum", "extern", "false", "float",
      "for", "goto", "if", "inline", "int", "long", "nullptr", "register",
      "restrict", "return", "short", "signed", "sizeof", "static",
      "static_assert", "struct", "switch", "thread_local", "true", "typedef",
      "typeof", "typeof_unqual", "union", "unsigned", "void", "volatile",
      "while",
      // C++23, beyond C's.
      "and", "and_eq", "asm", "bitand", "bitor", "catch", "char16_t",
      "char32_t", "char8_t", "class", "co_await", "co_return", "co_yield",
      "compl", "concept", "const_cast", "consteval", "constinit", "decltype",
      "delete", "dynamic_cast", "explicit", "export", "friend", "mutable",
      "namespace", "new", "noexcept", "not", "not_eq", "operator", "or",
      "or_eq", "private", "protected", "public", "reinterpret_cast", "requires",
      "static_cast", "template", "this", "throw", "try", "typeid", "typename",
      "using", "virtual", "wchar_t", "xor", "xor_eq"};
  return llvm::is_contained(keywords, name);
}

static bool isCIdentifier(StringRef name) {
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; }) &&
         !isKeyword(name);
}

namespace {
/// One pointer parameter of a C declaration.
struct Parameter {
  std::string name; // in0, out0, ...
  StringRef cType;  // float, int32_t, ...
  bool isInput;     // inputs are `const T *`
  RankedTensorType type;
};
} // namespace

/// The parameters of `func`, or failure with a diagnostic on it.
static FailureOr<SmallVector<Parameter>> getParameters(func::FuncOp func) {
  SmallVector<Parameter> parameters;
  auto addParameters = [&](TypeRange types, bool isInput) -> LogicalResult {
    for (auto [index, type] : llvm::enumerate(types)) {
      StringRef what = isInput ? "argument" : "result";
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape())
        return func.emitError("public function '")
               << func.getSymName() << "' " << what << " #" << index
               << " has type " << type
               << "; the C header needs ranked tensors with static shapes";
      std::optional<StringRef> cType = getCType(tensor.getElementType());
      if (!cType)
        return func.emitError("public function '")
               << func.getSymName() << "' " << what << " #" << index
               << " has element type " << tensor.getElementType()
               << " which has no C type in the compiled-model ABI";
      parameters.push_back({(isInput ? "in" : "out") + std::to_string(index),
                            *cType, isInput, tensor});
    }
    return success();
  };
  FunctionType type = func.getFunctionType();
  if (failed(addParameters(type.getInputs(), /*isInput=*/true)) ||
      failed(addParameters(type.getResults(), /*isInput=*/false)))
    return failure();
  return parameters;
}

/// `2x4 f32`; a 0-d tensor is `scalar f32`.
static void printShape(RankedTensorType type, llvm::raw_ostream &os) {
  if (type.getRank() == 0)
    os << "scalar";
  else
    llvm::interleave(type.getShape(), os, "x");
  os << ' ' << type.getElementType();
}

LogicalResult bnn::emitCHeader(ModuleOp module, StringRef guard,
                               llvm::raw_ostream &os) {
  // Built in memory: a failure must not leave half a header behind.
  std::string declarations;
  llvm::raw_string_ostream decls(declarations);
  for (auto func : module.getOps<func::FuncOp>()) {
    // Private functions are internal to the object; external declarations
    // are not defined by it.
    if (!func.isPublic() || func.isExternal())
      continue;
    if (!isCIdentifier(func.getSymName()))
      return func.emitError("public function '")
             << func.getSymName()
             << "' cannot be declared in the C header: its name is not a C "
                "identifier or is a C or C++ keyword";
    FailureOr<SmallVector<Parameter>> parameters = getParameters(func);
    if (failed(parameters))
      return failure();

    decls << "\n/* ";
    if (parameters->empty())
      decls << "no arguments";
    llvm::interleaveComma(*parameters, decls, [&](const Parameter &p) {
      decls << p.name << ": ";
      printShape(p.type, decls);
    });
    decls << " */\nvoid " << func.getSymName() << '(';
    if (parameters->empty())
      decls << "void";
    llvm::interleaveComma(*parameters, decls, [&](const Parameter &p) {
      decls << (p.isInput ? "const " : "") << p.cType << " *" << p.name;
    });
    decls << ");\n";
  }

  os << "/* Generated by bnn-compile: the compiled-model C ABI (docs/ABI.md).\n"
        " * Every buffer is dense, row-major and allocated by the caller;\n"
        " * inputs are never written. The object needs only libc and libm. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
     << declarations << "\n"
     << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n"
     << "#endif /* " << guard << " */\n";
  return success();
}

std::string bnn::getHeaderGuard(StringRef headerPath) {
  if (headerPath == "-")
    return "BNN_MODEL_H";
  std::string guard;
  for (char c : llvm::sys::path::filename(headerPath))
    guard.push_back(llvm::isAlnum(c) ? llvm::toUpper(c) : '_');
  // A macro cannot start with a digit, and a leading underscore followed by
  // an uppercase letter is reserved.
  if (guard.empty() || !llvm::isAlpha(guard.front()))
    guard = "BNN_" + guard;
  return guard;
}
