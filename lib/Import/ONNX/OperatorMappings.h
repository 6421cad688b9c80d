//===- OperatorMappings.h - bnn-import's operator mappings ------*- C++ -*-===//
//
// The operator mappings of bnn-import, by kind: layers (ONNXLayers.cpp:
// convolution, pooling, dense, batch norm) and values (ONNXValues.cpp:
// activations, signs, comparisons, shapes, softmax), and the helpers they
// share (ONNXOps.cpp, which also dispatches on the operator).
//
//===----------------------------------------------------------------------===//

#ifndef BNN_LIB_IMPORT_ONNX_OPERATORMAPPINGS_H
#define BNN_LIB_IMPORT_ONNX_OPERATORMAPPINGS_H

#include "GraphImporter.h"

namespace mlir::bnn::onnx_import {

//===--- Helpers (ONNXOps.cpp)
//---------------------------------------------===//

ImportedTensor makeTensor(Value value, ArrayRef<int64_t> logicalShape,
                          Layout layout);
/// Float operands only, with an error naming the node otherwise.
LogicalResult requireFloat(const NodeContext &node,
                           ArrayRef<ImportedTensor *> operands);
/// An elementwise op on the node's first `numInputs` inputs.
LogicalResult importElementwise(NodeContext &node, unsigned numInputs,
                                const GraphImporter::ScalarBody &body);
Value f32Constant(OpBuilder &b, Location loc, float v);
/// A 4-D activation input in NHWC, or an error.
FailureOr<Value> nhwcInput(NodeContext &node, unsigned i);
/// Spatial pads [top, left, bottom, right] from `pads` or `auto_pad`.
FailureOr<SmallVector<int64_t>>
readPads(NodeContext &node, ArrayRef<int64_t> inSize, ArrayRef<int64_t> kernel,
         ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations);
/// Output size of a window op; fails when the window does not fit.
FailureOr<int64_t> windowOutput(NodeContext &node, int64_t in, int64_t padSum,
                                int64_t kernel, int64_t stride,
                                int64_t dilation);
DenseIntElementsAttr i64Pair(OpBuilder &b, ArrayRef<int64_t> values);
/// The constant with the elements of axis `axis` (logical index c*H*W +
/// h*W + w) reordered to NHWC's flatten order (h*W*C + w*C + c).
DenseElementsAttr permuteFlattenAxis(DenseElementsAttr attr, int64_t axis,
                                     std::array<int64_t, 3> chw);
/// The filter or dense weight of a layer: a constant, or the XNOR-Net
/// pattern built as bnn.importance_sign(W', ones) on the rearranged W'.
FailureOr<Value> layerWeights(
    NodeContext &node, unsigned i,
    llvm::function_ref<DenseElementsAttr(DenseElementsAttr)> rearrange);

//===--- Layers (ONNXLayers.cpp)
//-------------------------------------------===//

enum class PoolKind { Max, Average, GlobalAverage };

LogicalResult importConv(NodeContext &node);
LogicalResult importPool(NodeContext &node, PoolKind kind);
LogicalResult importGemm(NodeContext &node);
LogicalResult importMatMul(NodeContext &node);
LogicalResult importBatchNorm(NodeContext &node);

//===--- Values (ONNXValues.cpp)
//-------------------------------------------===//

LogicalResult importClip(NodeContext &node);
LogicalResult importSign(NodeContext &node);
LogicalResult importComparison(NodeContext &node);
LogicalResult importWhere(NodeContext &node);
LogicalResult importFlatten(NodeContext &node);
LogicalResult importReshape(NodeContext &node);
LogicalResult importSqueezeLike(NodeContext &node);
LogicalResult importTranspose(NodeContext &node);
LogicalResult importConcat(NodeContext &node);
LogicalResult importSoftmax(NodeContext &node);
LogicalResult importPad(NodeContext &node);
LogicalResult importIdentity(NodeContext &node);

} // namespace mlir::bnn::onnx_import

#endif // BNN_LIB_IMPORT_ONNX_OPERATORMAPPINGS_H
