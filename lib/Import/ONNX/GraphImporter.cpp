//===- GraphImporter.cpp - The graph walk, values and layouts ------------===//
//
// Model-level checks (opset, static shapes), the function signature (ONNX's
// shapes at the interface), the value table and the layout conversions, and
// the elementwise builder that most operator mappings share.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::bnn::onnx_import;

// Opsets whose semantics the mappings implement: 11 (Clip's min/max as
// inputs) to 17 (ReduceMean's axes become an input in 18).
static constexpr int64_t kMinOpset = 11;
static constexpr int64_t kMaxOpset = 17;

GraphImporter::GraphImporter(MLIRContext *context, StringRef fileName,
                             const ONNXImportOptions &options)
    : context(context), fileName(fileName.str()), options(options),
      builder(context) {}

//===----------------------------------------------------------------------===//
// Value table
//===----------------------------------------------------------------------===//

ImportedTensor *GraphImporter::lookup(StringRef name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : it->second.get();
}

void GraphImporter::define(StringRef name, ImportedTensor tensor,
                           const onnx::NodeProto *node) {
  values[name] = std::make_unique<ImportedTensor>(std::move(tensor));
  if (node)
    producers[name] = node;
}

//===----------------------------------------------------------------------===//
// Layouts
//===----------------------------------------------------------------------===//

Value GraphImporter::materializeConstant(DenseElementsAttr constant,
                                         Location loc) {
  return arith::ConstantOp::create(builder, loc, constant);
}

Value GraphImporter::createTranspose(Value input, ArrayRef<int64_t> perm,
                                     Location loc) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t dim : perm)
    shape.push_back(type.getDimSize(dim));
  Value init =
      tensor::EmptyOp::create(builder, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(builder, loc, input, init, perm)
      .getResult()[0];
}

Value GraphImporter::createReshape(Value input, ArrayRef<int64_t> shape,
                                   Location loc) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getShape() == shape)
    return input;
  // One collapse or one expand when the dimensions group: the form the
  // passes match (a collapse_shape of a sign before a dense layer).
  auto result = RankedTensorType::get(shape, type.getElementType());
  if (shape.size() < static_cast<size_t>(type.getRank()) && !shape.empty())
    if (auto groups =
            getReassociationIndicesForCollapse(type.getShape(), shape))
      return tensor::CollapseShapeOp::create(builder, loc, result, input,
                                             *groups);
  if (shape.size() > static_cast<size_t>(type.getRank()) && type.getRank() > 0)
    if (auto groups =
            getReassociationIndicesForCollapse(shape, type.getShape()))
      return tensor::ExpandShapeOp::create(builder, loc, result, input,
                                           *groups);
  auto allDims = [](int64_t rank) {
    ReassociationIndices dims;
    for (int64_t i = 0; i < rank; ++i)
      dims.push_back(i);
    return SmallVector<ReassociationIndices>{dims};
  };
  Value flat = input;
  if (type.getRank() != 1) {
    // A rank-0 value collapses to rank 0 with no groups: expand instead.
    if (type.getRank() == 0)
      flat = tensor::ExpandShapeOp::create(
          builder, loc, RankedTensorType::get({1}, type.getElementType()),
          input, SmallVector<ReassociationIndices>{});
    else
      flat = tensor::CollapseShapeOp::create(builder, loc, input,
                                             allDims(type.getRank()));
  }
  if (shape.size() == 1)
    return flat;
  if (shape.empty())
    return tensor::CollapseShapeOp::create(builder, loc, result, flat,
                                           SmallVector<ReassociationIndices>{});
  return tensor::ExpandShapeOp::create(builder, loc, result, flat,
                                       allDims(shape.size()));
}

Value GraphImporter::createFilled(RankedTensorType type, Attribute value,
                                  Location loc) {
  Value scalar =
      arith::ConstantOp::create(builder, loc, cast<TypedAttr>(value));
  Value empty = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                        type.getElementType());
  return linalg::FillOp::create(builder, loc, scalar, empty).getResult(0);
}

Value GraphImporter::createSpatialPad(Value input, ArrayRef<int64_t> pads,
                                      float padValue, Location loc) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> low = {0, pads[0], pads[1], 0};
  SmallVector<int64_t> high = {0, pads[2], pads[3], 0};
  SmallVector<int64_t> shape(type.getShape());
  shape[1] += pads[0] + pads[2];
  shape[2] += pads[1] + pads[3];
  Value padScalar = arith::ConstantOp::create(
      builder, loc, builder.getF32FloatAttr(padValue));
  SmallVector<OpFoldResult> lowFolds, highFolds;
  for (auto [l, h] : llvm::zip(low, high)) {
    lowFolds.push_back(builder.getIndexAttr(l));
    highFolds.push_back(builder.getIndexAttr(h));
  }
  return tensor::PadOp::create(
      builder, loc, RankedTensorType::get(shape, type.getElementType()), input,
      lowFolds, highFolds, padScalar);
}

Value GraphImporter::getLogical(ImportedTensor &tensor, Location loc) {
  if (tensor.logicalValue)
    return tensor.logicalValue;
  switch (tensor.layout) {
  case Layout::Logical:
    if (!tensor.value && tensor.constant)
      tensor.value = materializeConstant(tensor.constant, loc);
    tensor.logicalValue = tensor.value;
    break;
  case Layout::NHWC:
    tensor.logicalValue = createTranspose(tensor.value, {0, 3, 1, 2}, loc);
    break;
  case Layout::FlatNHWC: {
    Value nchw = createTranspose(tensor.nhwcSource, {0, 3, 1, 2}, loc);
    tensor.logicalValue = createReshape(nchw, tensor.shape, loc);
    break;
  }
  }
  return tensor.logicalValue;
}

Value GraphImporter::getNHWC(ImportedTensor &tensor, Location loc) {
  assert(tensor.rank() == 4 && "NHWC needs a rank-4 value");
  if (tensor.layout == Layout::NHWC)
    return tensor.value;
  if (!tensor.nhwcValue)
    tensor.nhwcValue =
        createTranspose(getLogical(tensor, loc), {0, 2, 3, 1}, loc);
  return tensor.nhwcValue;
}

//===----------------------------------------------------------------------===//
// Elementwise ops with broadcasting
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
mlir::bnn::onnx_import::broadcastShapes(ArrayRef<int64_t> a,
                                        ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    result[i] = da == 1 ? db : da;
  }
  return result;
}

SmallVector<int64_t>
mlir::bnn::onnx_import::getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

SmallVector<float>
mlir::bnn::onnx_import::getFloatValues(DenseElementsAttr attr) {
  SmallVector<float> values;
  values.reserve(attr.getNumElements());
  for (float v : attr.getValues<float>())
    values.push_back(v);
  return values;
}

FailureOr<ImportedTensor> GraphImporter::createElementwise(
    const NodeContext &node, ArrayRef<ImportedTensor *> operands,
    Type resultElementType, const ScalarBody &body) {
  Location loc = node.loc;
  SmallVector<int64_t> shape;
  for (ImportedTensor *operand : operands) {
    FailureOr<SmallVector<int64_t>> broadcast =
        broadcastShapes(shape, operand->shape);
    if (failed(broadcast)) {
      node.emitError() << "operand shapes do not broadcast";
      return failure();
    }
    shape = *broadcast;
  }
  int64_t rank = shape.size();
  // NHWC when a rank-4 activation already is: elementwise layers after a
  // convolution then never transpose.
  bool nhwc = rank == 4 && llvm::any_of(operands, [](ImportedTensor *t) {
                return !t->constant && t->layout == Layout::NHWC;
              });
  // Where logical dimension d of the result lives in the generic's loops.
  auto loopOf = [&](int64_t d) -> int64_t {
    if (!nhwc)
      return d;
    static constexpr int64_t kNCHWToNHWC[] = {0, 3, 1, 2};
    return kNCHWToNHWC[d];
  };
  SmallVector<int64_t> resultShape(shape);
  if (nhwc)
    resultShape = {shape[0], shape[2], shape[3], shape[1]};

  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  // Per operand: its block argument index, or -1 with a splat scalar.
  SmallVector<int> argIndex;
  SmallVector<Attribute> splats;
  for (ImportedTensor *operand : operands) {
    int64_t offset = rank - operand->rank();
    if (operand->constant && operand->constant.isSplat()) {
      argIndex.push_back(-1);
      splats.push_back(operand->constant.getSplatValue<Attribute>());
      continue;
    }
    splats.push_back(Attribute());
    SmallVector<AffineExpr> exprs;
    Value input;
    if (operand->constant) {
      // Keep the non-broadcast dimensions only: a [1,C,1,1] constant
      // becomes [C], read along the channel loop.
      SmallVector<int64_t> kept;
      for (int64_t i = 0; i < operand->rank(); ++i) {
        if (operand->shape[i] == 1)
          continue;
        kept.push_back(operand->shape[i]);
        exprs.push_back(builder.getAffineDimExpr(loopOf(i + offset)));
      }
      input =
          materializeConstant(operand->constant.reshape(RankedTensorType::get(
                                  kept, operand->constant.getElementType())),
                              loc);
    } else if (nhwc && operand->rank() == 4) {
      input = getNHWC(*operand, loc);
      ArrayRef<int64_t> physical = cast<ShapedType>(input.getType()).getShape();
      for (int64_t i = 0; i < 4; ++i)
        exprs.push_back(physical[i] == 1 && resultShape[i] != 1
                            ? builder.getAffineConstantExpr(0)
                            : builder.getAffineDimExpr(i));
    } else {
      input = getLogical(*operand, loc);
      for (int64_t i = 0; i < operand->rank(); ++i)
        exprs.push_back(operand->shape[i] == 1 && shape[i + offset] != 1
                            ? builder.getAffineConstantExpr(0)
                            : builder.getAffineDimExpr(loopOf(i + offset)));
    }
    argIndex.push_back(inputs.size());
    inputs.push_back(input);
    maps.push_back(AffineMap::get(rank, 0, exprs, context));
  }
  maps.push_back(builder.getMultiDimIdentityMap(rank));
  Value init =
      tensor::EmptyOp::create(builder, loc, resultShape, resultElementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        SmallVector<Value> scalars;
        for (auto [index, splat] : llvm::zip(argIndex, splats))
          scalars.push_back(index >= 0 ? args[index]
                                       : arith::ConstantOp::create(
                                             b, bodyLoc, cast<TypedAttr>(splat))
                                             .getResult());
        linalg::YieldOp::create(b, bodyLoc, body(b, bodyLoc, scalars));
      });
  ImportedTensor result;
  result.shape = shape;
  result.elementType = resultElementType;
  result.value = generic.getResult(0);
  result.layout = nhwc ? Layout::NHWC : Layout::Logical;
  return result;
}

//===----------------------------------------------------------------------===//
// The model
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::checkOpset(const onnx::ModelProto &model) {
  Location loc = FileLineColLoc::get(context, fileName, 0, 0);
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    if (!opset.domain().empty() && opset.domain() != "ai.onnx")
      continue; // Checked per node: only nodes of the default domain import.
    opsetVersion = opset.version();
  }
  if (opsetVersion == 0)
    return emitError(loc) << "the model imports no version of the default "
                             "ONNX operator set";
  if (opsetVersion < kMinOpset || opsetVersion > kMaxOpset)
    return emitError(loc) << "ONNX opset " << opsetVersion
                          << " is not supported: bnn-import reads opsets "
                          << kMinOpset << " to " << kMaxOpset
                          << " (export with opset_version=13, or convert "
                             "with onnx.version_converter)";
  return success();
}

Location GraphImporter::nodeLocation(const onnx::NodeProto &node, int index) {
  std::string name = node.name().empty()
                         ? (node.op_type() + "_" + std::to_string(index))
                         : node.name();
  return NameLoc::get(StringAttr::get(context, name),
                      FileLineColLoc::get(context, fileName, index + 1, 0));
}

/// A static tensor type of a graph input or output, or an error naming it.
static FailureOr<std::pair<SmallVector<int64_t>, Type>>
readValueType(const onnx::ValueInfoProto &info, StringRef role, Location loc,
              MLIRContext *context) {
  if (!info.type().has_tensor_type())
    return emitError(loc) << role << " '" << info.name() << "' is not a tensor";
  const onnx::TypeProto_Tensor &tensor = info.type().tensor_type();
  if (tensor.elem_type() != onnx::TensorProto::FLOAT)
    return emitError(loc) << role << " '" << info.name()
                          << "' has element type "
                          << onnx::TensorProto::DataType_Name(
                                 static_cast<onnx::TensorProto::DataType>(
                                     tensor.elem_type()))
                          << "; bnn-import supports FLOAT (f32) only";
  if (!tensor.has_shape())
    return emitError(loc) << role << " '" << info.name()
                          << "' has no shape; bnn-import needs static shapes";
  SmallVector<int64_t> shape;
  for (auto [i, dim] : llvm::enumerate(tensor.shape().dim())) {
    if (!dim.has_dim_value() || dim.dim_value() <= 0) {
      InFlightDiagnostic diag = emitError(loc)
                                << role << " '" << info.name()
                                << "' has a dynamic dimension " << i;
      if (dim.has_dim_param())
        diag << " ('" << dim.dim_param() << "')";
      diag << "; bnn-import needs static shapes (export without "
              "dynamic_axes)";
      return diag;
    }
    shape.push_back(dim.dim_value());
  }
  return std::make_pair(shape, Type(Float32Type::get(context)));
}

LogicalResult GraphImporter::importInitializers(const onnx::GraphProto &graph) {
  Location loc = FileLineColLoc::get(context, fileName, 0, 0);
  for (const onnx::TensorProto &initializer : graph.initializer()) {
    Location named =
        NameLoc::get(StringAttr::get(context, initializer.name()), loc);
    FailureOr<DenseElementsAttr> constant =
        readTensorProto(initializer, context, named);
    if (failed(constant))
      return failure();
    ImportedTensor tensor;
    tensor.shape.assign(constant->getType().getShape().begin(),
                        constant->getType().getShape().end());
    tensor.elementType = constant->getElementType();
    tensor.constant = *constant;
    define(initializer.name(), std::move(tensor), nullptr);
  }
  return success();
}

LogicalResult GraphImporter::importNodes(const onnx::GraphProto &graph) {
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    NodeContext ctx(*this, node, nodeLocation(node, index));
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return ctx.emitError() << "operator domain '" << node.domain()
                             << "' is not supported (only the default ONNX "
                                "domain is)";
    for (const std::string &input : node.input())
      if (!input.empty() && !lookup(input))
        return ctx.emitError() << "input '" << input
                               << "' is not defined before the node (the "
                                  "graph is not in topological order, or "
                                  "the file is corrupt)";
    FailureOr<bool> folded = foldConstantNode(ctx);
    if (failed(folded))
      return failure();
    if (!*folded && failed(importNode(ctx)))
      return failure();
    for (const std::string &output : node.output())
      if (!output.empty() && !lookup(output))
        return ctx.emitError()
               << "output '" << output << "' is not supported by the importer";
  }
  return success();
}

/// A function name from the graph's: an identifier, or "main".
static std::string makeFunctionName(StringRef graphName) {
  std::string name;
  for (char c : graphName)
    name.push_back(llvm::isAlnum(c) ? c : '_');
  if (name.empty() || llvm::isDigit(name[0]))
    name = "main";
  return name;
}

OwningOpRef<ModuleOp>
GraphImporter::importModel(const onnx::ModelProto &model) {
  Location fileLoc = FileLineColLoc::get(context, fileName, 0, 0);
  if (!model.has_graph()) {
    emitError(fileLoc) << "the ONNX model has no graph";
    return nullptr;
  }
  if (failed(checkOpset(model)))
    return nullptr;
  const onnx::GraphProto &graph = model.graph();
  if (graph.output_size() == 0) {
    emitError(fileLoc) << "the ONNX graph has no outputs";
    return nullptr;
  }
  if (failed(importInitializers(graph)))
    return nullptr;

  // Graph inputs that are also initializers (older exporters list them)
  // are constants, not arguments.
  SmallVector<const onnx::ValueInfoProto *> inputs;
  SmallVector<Type> argTypes;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (lookup(input.name()))
      continue;
    auto type = readValueType(
        input, "graph input",
        NameLoc::get(StringAttr::get(context, input.name()), fileLoc), context);
    if (failed(type))
      return nullptr;
    inputs.push_back(&input);
    argTypes.push_back(RankedTensorType::get(type->first, type->second));
  }
  if (inputs.empty()) {
    emitError(fileLoc) << "the ONNX graph has no inputs";
    return nullptr;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  std::string name = options.functionName.empty()
                         ? makeFunctionName(graph.name())
                         : options.functionName;
  auto func = func::FuncOp::create(builder, fileLoc, name,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [input, arg] : llvm::zip(inputs, entry->getArguments())) {
    ImportedTensor tensor;
    auto type = cast<RankedTensorType>(arg.getType());
    tensor.shape.assign(type.getShape().begin(), type.getShape().end());
    tensor.elementType = type.getElementType();
    tensor.value = arg;
    define(input->name(), std::move(tensor), nullptr);
  }

  if (failed(importNodes(graph)))
    return nullptr;

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Location loc =
        NameLoc::get(StringAttr::get(context, output.name()), fileLoc);
    ImportedTensor *tensor = lookup(output.name());
    if (!tensor) {
      emitError(loc) << "graph output '" << output.name()
                     << "' is not computed by any node";
      return nullptr;
    }
    if (!tensor->isFloat()) {
      emitError(loc) << "graph output '" << output.name()
                     << "' is not a float tensor";
      return nullptr;
    }
    // A declared shape must be the computed one (a dynamic one is an error
    // as for inputs); an output without a shape takes the computed one.
    if (output.type().tensor_type().has_shape()) {
      auto declared = readValueType(output, "graph output", loc, context);
      if (failed(declared))
        return nullptr;
      if (ArrayRef<int64_t>(declared->first) !=
          ArrayRef<int64_t>(tensor->shape)) {
        emitError(loc) << "graph output '" << output.name()
                       << "' is declared with a shape other than the one "
                          "its nodes compute";
        return nullptr;
      }
    }
    results.push_back(getLogical(*tensor, loc));
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

mlir::bnn::ONNXDiagnosticHandler::ONNXDiagnosticHandler(MLIRContext *context,
                                                        llvm::raw_ostream &os)
    : ScopedDiagnosticHandler(context) {
  setHandler([&os](Diagnostic &diagnostic) {
    Location loc = diagnostic.getLocation();
    StringRef name;
    if (auto named = dyn_cast<NameLoc>(loc)) {
      name = named.getName().strref();
      loc = named.getChildLoc();
    }
    auto file = dyn_cast<FileLineColLoc>(loc);
    if (!file)
      return failure();
    os << file.getFilename().getValue();
    if (file.getLine() > 0)
      os << ":" << file.getLine();
    os << ": ";
    switch (diagnostic.getSeverity()) {
    case DiagnosticSeverity::Error:
      os << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      os << "warning: ";
      break;
    case DiagnosticSeverity::Remark:
      os << "remark: ";
      break;
    case DiagnosticSeverity::Note:
      os << "note: ";
      break;
    }
    std::string message = diagnostic.str();
    // The importer's own errors already name the node or value.
    if (!name.empty() && !StringRef(message).contains(("'" + name + "'").str()))
      os << "layer '" << name << "': ";
    os << message << "\n";
    for (Diagnostic &note : diagnostic.getNotes())
      os << "note: " << note.str() << "\n";
    return success();
  });
}

bool mlir::bnn::looksLikeONNXModel(StringRef bytes) {
  if (bytes.empty())
    return false;
  // Tags of ModelProto fields 1 (ir_version, varint), 2 (producer_name)
  // and 3 (producer_version): bytes that no MLIR text starts with.
  unsigned char first = bytes[0];
  return first == 0x08 || first == 0x12 || first == 0x1a;
}

OwningOpRef<ModuleOp>
mlir::bnn::importONNXModel(StringRef bytes, StringRef fileName,
                           MLIRContext *context,
                           const ONNXImportOptions &options) {
  context->loadDialect<arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, tensor::TensorDialect>();
  Location fileLoc = FileLineColLoc::get(context, fileName, 0, 0);
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    emitError(fileLoc) << "the ONNX file is larger than 2 GiB (models with "
                          "external data are not supported)";
    return nullptr;
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "not a valid ONNX model: the file does not parse "
                          "as an ONNX ModelProto (truncated or corrupt?)";
    return nullptr;
  }
  GraphImporter importer(context, fileName, options);
  return importer.importModel(model);
}
