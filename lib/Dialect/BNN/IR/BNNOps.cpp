//===- BNNOps.cpp - bnn op verifiers and type inference -----------------===//
//
// Result types that follow from operands and attributes are inferred
// (InferTypeOpInterface); the inference functions are also the verifiers of
// those ops, so they check everything the computation relies on and report
// what they expected and what they found. Folders and canonicalization
// patterns are in BNNFolds.cpp.
//
// Above 500 lines on purpose: one verifier per op, each checking what ODS
// cannot express (packed word counts, window sizes, per-channel shapes)
// with a precise message; splitting them by op would scatter the shared
// checks (Reporter, checkList, checkWords) over several files.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Reference/Packing.h"
#include "bnn/Reference/Reference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::bnn;
namespace ref = ::bnn::ref;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

unsigned mlir::bnn::getWordBits(Type elementType) {
  if (elementType.isInteger(32))
    return 32;
  if (elementType.isInteger(64))
    return 64;
  return 0;
}

std::optional<int64_t> mlir::bnn::getStaticNumElements(ShapedType type) {
  if (!type.hasStaticShape())
    return std::nullopt;
  int64_t count = 1;
  for (int64_t size : type.getShape()) {
    std::optional<int64_t> product = llvm::checkedMul(count, size);
    if (!product)
      return std::nullopt;
    count = *product;
  }
  return count;
}

bool mlir::bnn::isFoldableSize(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense)
    return false;
  std::optional<int64_t> count = getStaticNumElements(dense.getType());
  return count && *count <= kMaxFoldedElements;
}

std::optional<int64_t>
mlir::bnn::getWindowOutputSize(int64_t size, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBefore,
                               int64_t padAfter) {
  if (size < 0 || kernel < 1 || stride < 1 || dilation < 1 || padBefore < 0 ||
      padAfter < 0)
    return std::nullopt;
  std::optional<int64_t> padded = llvm::checkedAdd(size, padBefore);
  if (padded)
    padded = llvm::checkedAdd(*padded, padAfter);
  std::optional<int64_t> extent = llvm::checkedMul(dilation, kernel - 1);
  if (!padded || !extent || *padded - *extent - 1 < 0)
    return std::nullopt;
  return (*padded - *extent - 1) / stride + 1;
}

namespace {
/// Reports "'<op>' op <message>" at a location when there is one (verifier
/// path) and stays silent otherwise (a builder probing for a type).
struct Reporter {
  std::optional<Location> loc;
  StringRef opName;

  template <typename... Args> LogicalResult fail(const Args &...args) const {
    return emitOptionalError(loc, "'", opName, "' op ", args...);
  }
};

} // namespace

/// A shape as text: [a, b, ?].
static std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleave(
      shape,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      [&] { os << ", "; });
  os << "]";
  return text;
}

/// Checks a list attribute's length and the range of its values.
static LogicalResult checkList(const Reporter &rep, StringRef name,
                               ArrayRef<int64_t> values, size_t length,
                               int64_t minValue) {
  if (values.size() != length)
    return rep.fail("expected ", name, " to have ", length, " elements, got ",
                    values.size());
  for (int64_t v : values)
    if (v < minValue || v > kMaxAttrValue)
      return rep.fail("expected every element of ", name, " in [", minValue,
                      ", ", kMaxAttrValue, "], got ", shapeText(values));
  return success();
}

static bool sameStaticDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static bool sameShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!sameStaticDim(x, y))
      return false;
  return true;
}

/// Output size of a window along one axis, or failure if no window fits.
static FailureOr<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                           int64_t stride, int64_t dilation,
                                           int64_t padBefore,
                                           int64_t padAfter) {
  if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel))
    return ShapedType::kDynamic;
  std::optional<int64_t> size =
      getWindowOutputSize(in, kernel, stride, dilation, padBefore, padAfter);
  if (!size)
    return failure();
  return *size;
}

/// Every static dimension of a result must be at least 1.
static LogicalResult checkNonEmpty(const Reporter &rep,
                                   ArrayRef<int64_t> shape) {
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d) && d < 1)
      return rep.fail("expected every result dimension >= 1, got shape ",
                      shapeText(shape));
  return success();
}

/// Checks the packed word count of the innermost axis.
static LogicalResult checkWords(const Reporter &rep, StringRef what,
                                int64_t actual, int64_t logicalSize,
                                StringRef sizeText, unsigned wordBits) {
  if (ShapedType::isDynamic(actual) || ShapedType::isDynamic(logicalSize))
    return success();
  int64_t expected = ref::packedWords(logicalSize, wordBits);
  if (actual != expected)
    return rep.fail("expected ", what, " words ", expected, " (", sizeText, " ",
                    logicalSize, ", i", wordBits, " words), got ", actual);
  return success();
}

//===----------------------------------------------------------------------===//
// SignOp
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// OrthonormalTransformOp
//===----------------------------------------------------------------------===//

LogicalResult OrthonormalTransformOp::verify() {
  auto xType = getX().getType();
  auto qType = getQ().getType();
  int64_t rank = xType.getRank();
  int64_t axis = getAxisAttr().getInt();
  if (axis < 0 || axis >= rank)
    return emitOpError("expected axis in [0, ")
           << rank << ") for x of rank " << rank << ", got " << axis;
  if (qType.getRank() != 2 ||
      !sameStaticDim(qType.getDimSize(0), qType.getDimSize(1)))
    return emitOpError("expected q to be a square matrix, got ") << qType;
  int64_t axisSize = xType.getDimSize(axis);
  if (!sameStaticDim(qType.getDimSize(0), axisSize))
    return emitOpError("expected q of size ")
           << axisSize << " (x dimension " << axis << "), got "
           << qType.getDimSize(0);
  if (xType.getElementType() != qType.getElementType())
    return emitOpError("expected x and q of one element type, got ")
           << xType.getElementType() << " and " << qType.getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// ImportanceSignOp
//===----------------------------------------------------------------------===//

/// The checks importance_sign and ternary share: x of rank >= 1 (axis 0 is
/// the output channel), the other operand `name` of shape `expected` (the
/// part of x's shape that `part` describes) and of x's element type.
static LogicalResult verifyWeightOperand(Operation *op, RankedTensorType xType,
                                         RankedTensorType type, StringRef name,
                                         ArrayRef<int64_t> expected,
                                         StringRef part) {
  if (xType.getRank() < 1)
    return op->emitOpError("expected x of rank >= 1 (axis 0 is the output "
                           "channel), got ")
           << xType;
  if (!sameShape(type.getShape(), expected)) {
    InFlightDiagnostic diag = op->emitOpError("expected ");
    diag << name << " of shape " << shapeText(expected) << " (" << part
         << "), got " << shapeText(type.getShape());
    return diag;
  }
  if (xType.getElementType() != type.getElementType())
    return op->emitOpError("expected x and ")
           << name << " of one element type, got " << xType.getElementType()
           << " and " << type.getElementType();
  return success();
}

LogicalResult ImportanceSignOp::verify() {
  auto xType = getX().getType();
  ArrayRef<int64_t> expected =
      xType.getRank() < 1 ? ArrayRef<int64_t>() : xType.getShape().drop_front();
  return verifyWeightOperand(*this, xType, getS().getType(), "s", expected,
                             "x.shape[1:]");
}

//===----------------------------------------------------------------------===//
// TernaryOp
//===----------------------------------------------------------------------===//

LogicalResult TernaryOp::verify() {
  auto xType = getX().getType();
  return verifyWeightOperand(*this, xType, getDelta().getType(), "delta",
                             xType.getShape().take_front(), "x.shape[0]");
}

LogicalResult BatchNormOp::verify() {
  auto xType = getX().getType();
  if (xType.getRank() < 2)
    return emitOpError("expected x of rank >= 2 (batch and channel), got ")
           << xType;
  ArrayRef<int64_t> channels = xType.getShape().take_back();
  for (auto [name, value] : {std::pair<StringRef, Value>{"gamma", getGamma()},
                             std::pair<StringRef, Value>{"beta", getBeta()}}) {
    auto type = cast<RankedTensorType>(value.getType());
    if (!sameShape(type.getShape(), channels)) {
      InFlightDiagnostic diag = emitOpError("expected ")
                                << name << " of shape ";
      diag << shapeText(channels) << " (the innermost axis of x), got "
           << shapeText(type.getShape());
      return diag;
    }
    if (type.getElementType() != xType.getElementType())
      return emitOpError("expected ")
             << name << " of the element type of x (" << xType.getElementType()
             << "), got " << type.getElementType();
  }
  if (!(getEpsilon().convertToDouble() > 0.0))
    return emitOpError("expected epsilon > 0, got ")
           << getEpsilon().convertToDouble();
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return emitOpError("expected momentum in [0, 1], got ") << momentum;
  return success();
}

//===----------------------------------------------------------------------===//
// SqRegularizerOp
//===----------------------------------------------------------------------===//

LogicalResult
SqRegularizerOp::inferReturnTypes(MLIRContext *context,
                                  std::optional<Location> loc, Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  Reporter rep{loc, getOperationName()};
  auto wType = dyn_cast<RankedTensorType>(adaptor.getW().getType());
  auto betaType = dyn_cast<RankedTensorType>(adaptor.getBeta().getType());
  if (!wType || !betaType)
    return rep.fail("expected ranked tensor operands");
  if (betaType.getRank() != 0)
    return rep.fail("expected beta to be a 0-d tensor, got ", betaType);
  if (wType.getElementType() != betaType.getElementType())
    return rep.fail("expected w and beta of one element type, got ",
                    wType.getElementType(), " and ", betaType.getElementType());
  inferred.push_back(RankedTensorType::get({}, wType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// PackOp
//===----------------------------------------------------------------------===//

/// Checks that `packed` is `logical` packed along the innermost axis.
static LogicalResult checkPackedShape(const Reporter &rep,
                                      RankedTensorType logical,
                                      StringRef logicalName,
                                      RankedTensorType packed,
                                      StringRef packedName) {
  if (logical.getRank() < 1)
    return rep.fail("expected ", logicalName, " of rank >= 1, got ", logical);
  if (packed.getRank() != logical.getRank())
    return rep.fail("expected ", packedName, " of rank ", logical.getRank(),
                    " like ", logicalName, ", got rank ", packed.getRank());
  for (int64_t i = 0, e = logical.getRank() - 1; i < e; ++i)
    if (!sameStaticDim(packed.getDimSize(i), logical.getDimSize(i)))
      return rep.fail("expected ", packedName, " dimension ", i, " to be ",
                      logical.getDimSize(i), " like ", logicalName, ", got ",
                      packed.getDimSize(i));
  return checkWords(rep, packedName, packed.getShape().back(),
                    logical.getShape().back(), "innermost size",
                    getWordBits(packed.getElementType()));
}

LogicalResult PackOp::verify() {
  Reporter rep{getLoc(), getOperationName()};
  return checkPackedShape(rep, getX().getType(), "input", getP().getType(),
                          "result");
}

//===----------------------------------------------------------------------===//
// UnpackOp
//===----------------------------------------------------------------------===//

LogicalResult UnpackOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  Reporter rep{loc, getOperationName()};
  auto pType = dyn_cast<RankedTensorType>(adaptor.getP().getType());
  if (!pType || !adaptor.getSizeAttr())
    return rep.fail("expected a ranked packed operand and a size");
  unsigned wordBits = getWordBits(pType.getElementType());
  if (pType.getRank() < 1 || wordBits == 0)
    return rep.fail("expected a packed tensor of rank >= 1, got ", pType);
  int64_t size = adaptor.getSize();
  if (size < 1)
    return rep.fail("expected size >= 1, got ", size);
  if (failed(checkWords(rep, "input", pType.getShape().back(), size, "size",
                        wordBits)))
    return failure();
  SmallVector<int64_t> shape(pType.getShape());
  shape.back() = size;
  inferred.push_back(RankedTensorType::get(shape, Float32Type::get(context)));
  return success();
}

//===----------------------------------------------------------------------===//
// BConv2DOp
//===----------------------------------------------------------------------===//

/// Input, filter and optional mask of bconv2d and bdense: ranks, one word
/// width, mask typed like the filter.
static LogicalResult
checkPackedOperands(const Reporter &rep, Type input, Type filter, Type mask,
                    int64_t rank, StringRef layout, RankedTensorType &inputType,
                    RankedTensorType &filterType, unsigned &wordBits) {
  inputType = dyn_cast<RankedTensorType>(input);
  filterType = dyn_cast<RankedTensorType>(filter);
  if (!inputType || !filterType)
    return rep.fail("expected ranked tensor operands");
  if (inputType.getRank() != rank)
    return rep.fail("expected input of rank ", rank, " (", layout,
                    " packed), got rank ", inputType.getRank());
  if (filterType.getRank() != rank)
    return rep.fail("expected filter of rank ", rank, ", got rank ",
                    filterType.getRank());
  wordBits = getWordBits(inputType.getElementType());
  if (wordBits == 0 ||
      filterType.getElementType() != inputType.getElementType())
    return rep.fail("expected input and filter to share one word type (i32 "
                    "or i64), got ",
                    inputType.getElementType(), " and ",
                    filterType.getElementType());
  if (mask && mask != filter)
    return rep.fail("expected filter_mask of the filter's type ", filterType,
                    ", got ", mask);
  return success();
}

LogicalResult BConv2DOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  Reporter rep{loc, getOperationName()};
  RankedTensorType inputType, filterType;
  unsigned wordBits = 0;
  Type maskType =
      adaptor.getFilterMask() ? adaptor.getFilterMask().getType() : Type();
  if (failed(checkPackedOperands(rep, adaptor.getInput().getType(),
                                 adaptor.getFilter().getType(), maskType, 4,
                                 "NHWC", inputType, filterType, wordBits)))
    return failure();
  if (!adaptor.getChannelsInAttr() || !adaptor.getStridesAttr() ||
      !adaptor.getPaddingAttr())
    return rep.fail("expected channels_in, strides and padding attributes");

  int64_t channelsIn = adaptor.getChannelsIn();
  int64_t groups = adaptor.getGroups();
  ArrayRef<int64_t> strides = adaptor.getStrides();
  ArrayRef<int64_t> dilations = adaptor.getDilations();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  if (channelsIn < 1 || channelsIn > kMaxAttrValue)
    return rep.fail("expected channels_in in [1, ", kMaxAttrValue, "], got ",
                    channelsIn);
  if (groups < 1 || groups > kMaxAttrValue)
    return rep.fail("expected groups in [1, ", kMaxAttrValue, "], got ",
                    groups);
  if (failed(checkList(rep, "strides", strides, 2, 1)) ||
      failed(checkList(rep, "dilations", dilations, 2, 1)) ||
      failed(checkList(rep, "padding", padding, 4, 0)))
    return failure();
  int64_t padValue = adaptor.getPadValue();
  if (padValue != 0 && padValue != 1)
    return rep.fail("expected pad_value 0 or 1, got ", padValue);

  int64_t outChannels = filterType.getDimSize(0);
  if (channelsIn % groups != 0)
    return rep.fail("expected groups ", groups, " to divide channels_in ",
                    channelsIn);
  if (!ShapedType::isDynamic(outChannels) && outChannels % groups != 0)
    return rep.fail("expected groups ", groups,
                    " to divide the output channels ", outChannels);
  int64_t perGroup = channelsIn / groups;
  if (groups > 1 && perGroup % wordBits != 0)
    return rep.fail("expected channels per group (channels_in ", channelsIn,
                    " / groups ", groups, " = ", perGroup,
                    ") to be a multiple of the word width ", wordBits);
  if (failed(checkWords(rep, "input", inputType.getDimSize(3), channelsIn,
                        "channels_in", wordBits)) ||
      failed(checkWords(rep, "filter", filterType.getDimSize(3), perGroup,
                        "channels per group", wordBits)))
    return failure();

  int64_t kernelH = filterType.getDimSize(1),
          kernelW = filterType.getDimSize(2);
  FailureOr<int64_t> outH =
      windowOutputSize(inputType.getDimSize(1), kernelH, strides[0],
                       dilations[0], padding[0], padding[1]);
  FailureOr<int64_t> outW =
      windowOutputSize(inputType.getDimSize(2), kernelW, strides[1],
                       dilations[1], padding[2], padding[3]);
  if (failed(outH) || failed(outW))
    return rep.fail(
        "expected the dilated kernel ", shapeText({kernelH, kernelW}),
        " (dilations ", shapeText(dilations), ") to fit in the padded input ",
        shapeText({inputType.getDimSize(1), inputType.getDimSize(2)}),
        " (padding ", shapeText(padding), ")");
  SmallVector<int64_t> shape = {inputType.getDimSize(0), *outH, *outW,
                                outChannels};
  if (failed(checkNonEmpty(rep, shape)))
    return failure();
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 32)));
  return success();
}

std::optional<int64_t> BConv2DOp::getDotLength() {
  RankedTensorType filterType = getFilter().getType();
  if (filterType.getRank() != 4 || filterType.isDynamicDim(1) ||
      filterType.isDynamicDim(2) || getGroups() < 1)
    return std::nullopt;
  std::optional<int64_t> window =
      llvm::checkedMul(filterType.getDimSize(1), filterType.getDimSize(2));
  if (!window)
    return std::nullopt;
  return llvm::checkedMul(*window, getFilterRowSize());
}

//===----------------------------------------------------------------------===//
// BDenseOp
//===----------------------------------------------------------------------===//

LogicalResult BDenseOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  Reporter rep{loc, getOperationName()};
  RankedTensorType inputType, filterType;
  unsigned wordBits = 0;
  Type maskType =
      adaptor.getFilterMask() ? adaptor.getFilterMask().getType() : Type();
  if (failed(checkPackedOperands(rep, adaptor.getInput().getType(),
                                 adaptor.getFilter().getType(), maskType, 2,
                                 "[N, K]", inputType, filterType, wordBits)))
    return failure();
  if (!adaptor.getSizeAttr())
    return rep.fail("expected a size attribute");
  int64_t size = adaptor.getSize();
  if (size < 1)
    return rep.fail("expected size >= 1, got ", size);
  if (failed(checkWords(rep, "input", inputType.getDimSize(1), size, "size",
                        wordBits)) ||
      failed(checkWords(rep, "filter", filterType.getDimSize(1), size, "size",
                        wordBits)))
    return failure();
  SmallVector<int64_t> shape = {inputType.getDimSize(0),
                                filterType.getDimSize(0)};
  if (failed(checkNonEmpty(rep, shape)))
    return failure();
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 32)));
  return success();
}

//===----------------------------------------------------------------------===//
// BMaxPool2DOp
//===----------------------------------------------------------------------===//

LogicalResult BMaxPool2DOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  Reporter rep{loc, getOperationName()};
  auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  if (!inputType || inputType.getRank() != 4)
    return rep.fail("expected input of rank 4 (NHWC packed), got ",
                    adaptor.getInput().getType());
  if (!adaptor.getKernelAttr() || !adaptor.getStridesAttr() ||
      !adaptor.getPaddingAttr())
    return rep.fail("expected kernel, strides and padding attributes");
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  ArrayRef<int64_t> strides = adaptor.getStrides();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  if (failed(checkList(rep, "kernel", kernel, 2, 1)) ||
      failed(checkList(rep, "strides", strides, 2, 1)) ||
      failed(checkList(rep, "padding", padding, 4, 0)))
    return failure();
  // Padded taps are ignored: every window must keep at least one real tap.
  if (padding[0] >= kernel[0] || padding[1] >= kernel[0] ||
      padding[2] >= kernel[1] || padding[3] >= kernel[1])
    return rep.fail("expected padding ", shapeText(padding),
                    " smaller than the kernel ", shapeText(kernel),
                    " along each axis");
  FailureOr<int64_t> outH =
      windowOutputSize(inputType.getDimSize(1), kernel[0], strides[0], 1,
                       padding[0], padding[1]);
  FailureOr<int64_t> outW =
      windowOutputSize(inputType.getDimSize(2), kernel[1], strides[1], 1,
                       padding[2], padding[3]);
  if (failed(outH) || failed(outW))
    return rep.fail(
        "expected the kernel ", shapeText(kernel),
        " to fit in the padded input ",
        shapeText({inputType.getDimSize(1), inputType.getDimSize(2)}),
        " (padding ", shapeText(padding), ")");
  SmallVector<int64_t> shape = {inputType.getDimSize(0), *outH, *outW,
                                inputType.getDimSize(3)};
  if (failed(checkNonEmpty(rep, shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ScaleOp
//===----------------------------------------------------------------------===//

/// A per-channel vector must be [O] where O is the accumulator's innermost
/// size.
static LogicalResult checkPerChannel(const Reporter &rep, StringRef name,
                                     RankedTensorType type,
                                     RankedTensorType accType) {
  int64_t channels = accType.getShape().back();
  if (type.getRank() != 1 || !sameStaticDim(type.getDimSize(0), channels))
    return rep.fail("expected ", name, " of shape ", shapeText({channels}),
                    " (acc innermost size), got ", shapeText(type.getShape()));
  return success();
}

LogicalResult ScaleOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  Reporter rep{loc, getOperationName()};
  auto accType = dyn_cast<RankedTensorType>(adaptor.getAcc().getType());
  auto mulType = dyn_cast<RankedTensorType>(adaptor.getMultiplier().getType());
  auto biasType = dyn_cast<RankedTensorType>(adaptor.getBias().getType());
  if (!accType || !mulType || !biasType)
    return rep.fail("expected ranked tensor operands");
  if (accType.getRank() < 1)
    return rep.fail("expected acc of rank >= 1, got ", accType);
  if (failed(checkPerChannel(rep, "multiplier", mulType, accType)) ||
      failed(checkPerChannel(rep, "bias", biasType, accType)))
    return failure();
  if (mulType.getElementType() != biasType.getElementType())
    return rep.fail("expected multiplier and bias of one element type, got ",
                    mulType.getElementType(), " and ",
                    biasType.getElementType());
  inferred.push_back(accType.clone(mulType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ThresholdOp
//===----------------------------------------------------------------------===//

LogicalResult ThresholdOp::verify() {
  Reporter rep{getLoc(), getOperationName()};
  RankedTensorType accType = getAcc().getType();
  if (accType.getRank() < 1)
    return rep.fail("expected acc of rank >= 1, got ", accType);
  if (failed(
          checkPerChannel(rep, "threshold", getThreshold().getType(), accType)))
    return failure();
  return checkPackedShape(rep, accType, "acc", getOutput().getType(), "result");
}

#define GET_OP_CLASSES
#include "bnn/Dialect/BNN/BNNOps.cpp.inc"
