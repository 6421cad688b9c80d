//===- LoweringUtils.cpp - Helpers shared by the bnn lowerings ----------===//

#include "LoweringUtils.h"

#include "bnn/Reference/Packing.h"

using namespace mlir;

namespace mlir::bnn::lowering {

/// True when every operand and result has a static shape: the lowering
/// computes masks and reshapes at compile time.
bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && shaped.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

Value constantInt(OpBuilder &b, Location loc, Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value constantFloat(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

/// A tensor of `shape` filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Value value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, value.getType());
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

/// One linalg.generic with a single result.
Value generic(OpBuilder &b, Location loc, Value init, ValueRange inputs,
              ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iterators,
              BodyBuilder body) {
  return linalg::GenericOp::create(b, loc, TypeRange{init.getType()}, inputs,
                                   ValueRange{init}, maps, iterators, body)
      .getResult(0);
}

void yieldValue(OpBuilder &b, Location loc, Value value) {
  linalg::YieldOp::create(b, loc, ValueRange{value});
}

SmallVector<IteratorType> iterators(unsigned parallel, unsigned reduction) {
  SmallVector<IteratorType> result(parallel, IteratorType::parallel);
  result.append(reduction, IteratorType::reduction);
  return result;
}

/// Pads `source` with `value`: `low` and `high` per dimension.
Value pad(OpBuilder &b, Location loc, Value source, ArrayRef<int64_t> low,
          ArrayRef<int64_t> high, Value value) {
  auto type = cast<RankedTensorType>(source.getType());
  bool any = llvm::any_of(low, [](int64_t v) { return v != 0; }) ||
             llvm::any_of(high, [](int64_t v) { return v != 0; });
  if (!any)
    return source;
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (size_t i = 0; i < shape.size(); ++i) {
    shape[i] += low[i] + high[i];
    lowOfr.push_back(b.getIndexAttr(low[i]));
    highOfr.push_back(b.getIndexAttr(high[i]));
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), source, lowOfr,
                               highOfr, value);
}

/// [..., words * W] -> [..., words, W].
Value splitInnermost(OpBuilder &b, Location loc, Value source,
                     int64_t wordBits) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t words = shape.back() / wordBits;
  shape.back() = words;
  shape.push_back(wordBits);
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0, e = type.getRank() - 1; i < e; ++i)
    reassociation.push_back({i});
  reassociation.push_back({type.getRank() - 1, type.getRank()});
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), source,
                                       reassociation);
}

/// A constant i<W> vector: entry w holds the logical bits of word w of a
/// packed row of `size` elements (all ones but for the tail word).
Value logicalBitsMask(OpBuilder &b, Location loc, int64_t size,
                      unsigned wordBits) {
  int64_t words = ::bnn::ref::packedWords(size, wordBits);
  SmallVector<APInt> masks;
  for (int64_t w = 0; w < words; ++w)
    masks.push_back(
        APInt(wordBits, ::bnn::ref::logicalBitsMask(size, wordBits, w)));
  auto type = RankedTensorType::get({words}, b.getIntegerType(wordBits));
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, masks));
}

/// popcount(m) - 2 * popcount((a XOR f) AND m), as an i32.
Value maskedDot(OpBuilder &b, Location loc, Value a, Value f, Value m) {
  Value diff =
      arith::AndIOp::create(b, loc, arith::XOrIOp::create(b, loc, a, f), m);
  Value kept = math::CtPopOp::create(b, loc, m);
  Value flipped = math::CtPopOp::create(b, loc, diff);
  Value twice = arith::AddIOp::create(b, loc, flipped, flipped);
  Value dot = arith::SubIOp::create(b, loc, kept, twice);
  Type i32 = b.getI32Type();
  if (dot.getType() == i32)
    return dot;
  return arith::TruncIOp::create(b, loc, i32, dot);
}

/// The i32 accumulators of a packed reduction, starting at 0.
Value zeroAccumulators(OpBuilder &b, Location loc, RankedTensorType type) {
  return filledTensor(b, loc, type.getShape(),
                      constantInt(b, loc, b.getI32Type(), 0));
}

/// Body of the packed reductions. args: input word, filter word, then the
/// masks to AND together (filter mask, logical bits, tap validity), then
/// the i32 accumulator.
void accumulateMaskedDot(OpBuilder &b, Location loc, ValueRange args) {
  Value m = args[2];
  for (Value extra : args.drop_front(3).drop_back())
    m = arith::AndIOp::create(b, loc, m, extra);
  Value dot = maskedDot(b, loc, args[0], args[1], m);
  yieldValue(b, loc, arith::AddIOp::create(b, loc, args.back(), dot));
}

} // namespace mlir::bnn::lowering
