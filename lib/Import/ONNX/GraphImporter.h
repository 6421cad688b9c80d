//===- GraphImporter.h - State of one ONNX graph import ---------*- C++ -*-===//
//
// The importer walks the graph's nodes in order (ONNX requires topological
// order) and keeps, for every ONNX value name, what it knows: the logical
// (ONNX) shape, a constant when the value is known at import time, and the
// MLIR value in one of three layouts. Activations of rank 4 live in NHWC
// inside the function, so that the passes see the layout of the contract; a
// Flatten of an NHWC activation stays in NHWC element order and the dense
// layer that reads it gets its weight columns permuted instead.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
#define BNN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H

#include "bnn/Import/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <memory>

namespace mlir::bnn::onnx_import {

/// Where the elements of an imported value's MLIR value are.
enum class Layout {
  /// As ONNX has them (row-major in the logical shape).
  Logical,
  /// A logical [N, C, H, W] value stored as [N, H, W, C].
  NHWC,
  /// A logical [N, C*H*W] Flatten of an NHWC value, stored as [N, H*W*C]
  /// (the NHWC element order): `flatCHW` gives C, H, W.
  FlatNHWC,
};

/// What the importer knows about one ONNX value.
struct ImportedTensor {
  /// The ONNX (logical) shape.
  SmallVector<int64_t> shape;
  /// f32, i64 or i1.
  Type elementType;
  /// The value when known at import time, in the logical shape.
  DenseElementsAttr constant;
  /// The XNOR-Net weight pattern Mul(ReduceMean(Abs(W)), Sign(W)) on a
  /// constant W: the value is importance_sign(W, ones); built at its use,
  /// where the filter layout is known.
  DenseElementsAttr xnorWeights;
  /// The MLIR value and its layout (null until needed for constants).
  Value value;
  Layout layout = Layout::Logical;
  /// FlatNHWC: the NHWC value it flattens, and its C, H, W.
  Value nhwcSource;
  std::array<int64_t, 3> flatCHW = {0, 0, 0};
  /// Cached layout conversions.
  Value logicalValue, nhwcValue;

  bool isFloat() const { return elementType && elementType.isF32(); }
  int64_t rank() const { return shape.size(); }
};

class GraphImporter;

/// The node being imported, as the operator mappings see it.
class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              Location loc)
      : importer(importer), node(node), loc(loc) {}

  GraphImporter &importer;
  const onnx::NodeProto &node;
  Location loc;

  StringRef opType() const { return node.op_type(); }
  unsigned getNumInputs() const { return node.input_size(); }
  /// Input `i`, or null when absent (beyond the list or an empty name).
  ImportedTensor *input(unsigned i) const;
  /// Input `i` that must exist; emits an error and returns null otherwise.
  ImportedTensor *requiredInput(unsigned i) const;
  /// Input `i` that must be a float constant known at import time.
  FailureOr<DenseElementsAttr> constantInput(unsigned i, StringRef role) const;
  /// The ONNX node that produced input `i` (null for graph inputs and
  /// initializers).
  const onnx::NodeProto *producerOf(unsigned i) const;

  const onnx::AttributeProto *attr(StringRef name) const;
  int64_t intAttr(StringRef name, int64_t defaultValue) const;
  float floatAttr(StringRef name, float defaultValue) const;
  std::string stringAttr(StringRef name, StringRef defaultValue) const;
  /// The ints attribute, or `defaultValue` when absent.
  SmallVector<int64_t> intsAttr(StringRef name,
                                ArrayRef<int64_t> defaultValue = {}) const;

  /// An error about this node: "node 'NAME' (OP): ...".
  InFlightDiagnostic emitError() const;

  /// Records output `i` (ignored when the node does not name one).
  void setOutput(unsigned i, ImportedTensor tensor) const;
  unsigned getNumOutputs() const { return node.output_size(); }
  /// Fails unless only the first `n` outputs are used.
  LogicalResult checkUsedOutputs(unsigned n) const;
};

class GraphImporter {
public:
  GraphImporter(MLIRContext *context, StringRef fileName,
                const ONNXImportOptions &options);

  OwningOpRef<ModuleOp> importModel(const onnx::ModelProto &model);

  MLIRContext *getContext() const { return context; }
  OpBuilder &getBuilder() { return builder; }
  const ONNXImportOptions &getOptions() const { return options; }
  int64_t getOpsetVersion() const { return opsetVersion; }

  ImportedTensor *lookup(StringRef name);
  const onnx::NodeProto *producer(StringRef name) const {
    return producers.lookup(name);
  }
  void define(StringRef name, ImportedTensor tensor,
              const onnx::NodeProto *node);

  //===--- Values in the layout an op needs ------------------------------===//

  /// The value in the logical layout (materializes constants).
  Value getLogical(ImportedTensor &tensor, Location loc);
  /// A logical rank-4 [N,C,H,W] value as [N,H,W,C].
  Value getNHWC(ImportedTensor &tensor, Location loc);
  Value materializeConstant(DenseElementsAttr constant, Location loc);

  //===--- Builders ------------------------------------------------------===//

  Value createTranspose(Value input, ArrayRef<int64_t> permutation,
                        Location loc);
  /// A row-major reshape of a static-shaped value.
  Value createReshape(Value input, ArrayRef<int64_t> shape, Location loc);
  Value createFilled(RankedTensorType type, Attribute value, Location loc);
  /// Pads the spatial dimensions of an NHWC value with `padValue`.
  Value createSpatialPad(Value input, ArrayRef<int64_t> pads /*t,l,b,r*/,
                         float padValue, Location loc);

  using ScalarBody =
      std::function<Value(OpBuilder &, Location, ArrayRef<Value>)>;
  /// An elementwise op with ONNX (numpy) broadcasting: `body` gets one
  /// scalar per operand. The result is NHWC when a rank-4 operand is, so
  /// that elementwise layers never transpose; splat constants become
  /// scalars in the body and other constants keep only their
  /// non-broadcast dimensions (per-channel constants are then [C] tensors
  /// read along the channel dimension, the form the threshold fusion
  /// reads). Fails with an error when the shapes do not broadcast.
  FailureOr<ImportedTensor> createElementwise(const NodeContext &node,
                                              ArrayRef<ImportedTensor *> ops,
                                              Type resultElementType,
                                              const ScalarBody &body);

private:
  LogicalResult importGraphInputs(const onnx::GraphProto &graph,
                                  func::FuncOp &func);
  LogicalResult importInitializers(const onnx::GraphProto &graph);
  LogicalResult importNodes(const onnx::GraphProto &graph);
  LogicalResult checkOpset(const onnx::ModelProto &model);
  Location nodeLocation(const onnx::NodeProto &node, int index);

  MLIRContext *context;
  std::string fileName;
  const ONNXImportOptions &options;
  OpBuilder builder;
  int64_t opsetVersion = 0;
  /// Values by ONNX name; stable addresses (the mappings hold pointers).
  llvm::StringMap<std::unique_ptr<ImportedTensor>> values;
  llvm::StringMap<const onnx::NodeProto *> producers;
};

/// Imports one node (ONNXOps.cpp): looks up the operator's mapping.
LogicalResult importNode(NodeContext &node);

/// Folds a node whose inputs are all constants, when the operator is one
/// the importer evaluates (shape arithmetic, weight expressions). Returns
/// true when it folded the node (ONNXConstants.cpp).
FailureOr<bool> foldConstantNode(NodeContext &node);

/// Decodes an initializer or a Constant node's tensor (f32, i64, i32 as
/// i64, bool as i1). Emits the error at `loc`.
FailureOr<DenseElementsAttr> readTensorProto(const onnx::TensorProto &tensor,
                                             MLIRContext *context,
                                             Location loc);

/// The axes of Unsqueeze/Squeeze/ReduceMean: an attribute before opset 13
/// (18 for ReduceMean), a constant input `inputIndex` from then on; empty
/// when neither is given.
FailureOr<SmallVector<int64_t>> readAxes(NodeContext &node,
                                         unsigned inputIndex);

/// The constant with its elements reordered by `perm` (row-major), f32 or
/// i64 (ONNXConstants.cpp).
DenseElementsAttr transposeConstant(DenseElementsAttr attr,
                                    ArrayRef<int64_t> perm);

/// The broadcast of two ONNX shapes, or failure.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b);

/// Row-major strides of a shape.
SmallVector<int64_t> getStrides(ArrayRef<int64_t> shape);

/// The elements of a float constant (splats expanded).
SmallVector<float> getFloatValues(DenseElementsAttr attr);

} // namespace mlir::bnn::onnx_import

#endif // BNN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
