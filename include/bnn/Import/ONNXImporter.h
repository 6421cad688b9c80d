//===- ONNXImporter.h - ONNX models to bnn Level 1 MLIR ---------*- C++ -*-===//
//
// Reads an ONNX ModelProto (opsets 11 to 17) and builds the Level 1 form the
// inference pipeline accepts: activations NHWC inside the function, filters
// OHWI, sign patterns as bnn.sign. docs/ONNX.md lists the operators and the
// decisions (the interface keeps ONNX's NCHW shapes; ONNX's Sign(0) = 0).
//
//===----------------------------------------------------------------------===//

#ifndef BNN_IMPORT_ONNXIMPORTER_H
#define BNN_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::bnn {

struct ONNXImportOptions {
  /// Name of the imported function; empty: the graph's name made into an
  /// identifier, or "main".
  std::string functionName;
  /// Keep ONNX's Sign (0 at 0) as a float select instead of bnn.sign
  /// (+1 at 0). Exact, but the layers it feeds then stay float.
  bool exactSign = false;
};

/// Whether `bytes` start like a serialized ONNX ModelProto rather than MLIR
/// text: a protobuf tag of ModelProto's ir_version (field 1, varint) or of
/// another field that no MLIR text can start with.
bool looksLikeONNXModel(llvm::StringRef bytes);

/// Imports an ONNX model. Every error is emitted as a diagnostic on
/// `context` (at the node it concerns, located by the node's name in
/// `fileName`) and yields null.
OwningOpRef<ModuleOp> importONNXModel(llvm::StringRef bytes,
                                      llvm::StringRef fileName,
                                      MLIRContext *context,
                                      const ONNXImportOptions &options);

/// Prints the diagnostics about an imported model, one line each:
/// "model.onnx:N: remark: layer 'NAME': message", where N is the node's
/// position in the graph and NAME the ONNX node name (the file has no text
/// lines to show). Diagnostics at other locations go to the next handler.
class ONNXDiagnosticHandler : public ScopedDiagnosticHandler {
public:
  ONNXDiagnosticHandler(MLIRContext *context, llvm::raw_ostream &os);
};

} // namespace mlir::bnn

#endif // BNN_IMPORT_ONNXIMPORTER_H
