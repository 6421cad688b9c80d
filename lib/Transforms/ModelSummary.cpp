//===- ModelSummary.cpp - Per-layer cost model of a bnn model -----------===//

#include "bnn/Transforms/ModelSummary.h"
#include "bnn/Dialect/BNN/BNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::bnn;

namespace {

Count mul(Count a, Count b) {
  int64_t result;
  if (!a || !b || llvm::MulOverflow(*a, *b, result))
    return std::nullopt;
  return result;
}

Count add(Count a, Count b) {
  int64_t result;
  if (!a || !b || llvm::AddOverflow(*a, *b, result))
    return std::nullopt;
  return result;
}

Count dimSize(Type type, unsigned i) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank() || i >= shaped.getRank() ||
      shaped.isDynamicDim(i))
    return std::nullopt;
  return shaped.getDimSize(i);
}

Count numElements(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return std::nullopt;
  Count count = 1;
  for (int64_t size : shaped.getShape())
    count = mul(count, size);
  return count;
}

/// Bits of one element: 1 and 2 are not element types, so this is only the
/// storage width (32 for f32 and i32, 64 for an i64 word).
std::optional<unsigned> elementBits(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  Type element = shaped ? shaped.getElementType() : type;
  if (!element.isIntOrFloat())
    return std::nullopt;
  return element.getIntOrFloatBitWidth();
}

/// Adds `count` to the entry of `bits`, creating it at 0.
void accumulate(std::map<unsigned, Count> &counts, unsigned bits, Count count) {
  auto [it, inserted] = counts.try_emplace(bits, 0);
  it->second = add(it->second, count);
}

/// a + b, saturated: totals of absurdly large models stay well defined.
int64_t saturatingAdd(int64_t a, int64_t b) {
  int64_t result;
  if (llvm::AddOverflow(a, b, result))
    return std::numeric_limits<int64_t>::max();
  return result;
}

class SummaryBuilder {
public:
  void visit(Operation *op);
  /// Rows of ops visited from here on belong to `function` (the caller
  /// whose call is being expanded); empty: the op's own function.
  void setCallerFunction(StringRef function) {
    callerFunction = function.str();
  }
  ArrayRef<SummaryRow> getRows() const { return rows; }
  SummaryTotals computeTotals() const;

private:
  void visitOp(Operation *op);
  SummaryRow &newRow(Operation *op);
  /// Adds the bytes `value` occupies, once per value: a constant that CSE
  /// shared between layers (a zero bias, say) is stored once.
  void addStorage(SummaryRow &row, Value value);
  void setOutput(SummaryRow &row, Type type);
  /// bconv2d and bdense: 1-bit input, 1-bit weights (2 with a mask).
  template <typename PackedLayerOp> void visitPackedLayer(PackedLayerOp op);
  void visitBMaxPool2D(BMaxPool2DOp op);
  void visitLinalg(linalg::LinalgOp op, bool pooling);
  /// Per-channel constants of a scale or threshold go to the row of the
  /// layer that produced the accumulator, or to a row of their own.
  SummaryRow &rowForAccumulator(Operation *consumer, Value acc);

  std::vector<SummaryRow> rows;
  std::string callerFunction;
  /// Ops that already have a row: a layer of a function called twice is
  /// listed (with its MACs) per call, its parameters once.
  llvm::DenseSet<Operation *> listed;
  llvm::DenseMap<Operation *, size_t> rowOf;
  llvm::DenseSet<Value> stored;
};

SummaryRow &SummaryBuilder::newRow(Operation *op) {
  SummaryRow &row = rows.emplace_back();
  rowOf[op] = rows.size() - 1;
  std::string name = op->getName().getStringRef().str();
  if (auto loc = op->getLoc()->findInstanceOf<NameLoc>())
    row.layer = (loc.getName().strref() + " (" + name + ")").str();
  else
    row.layer = name;
  if (!callerFunction.empty())
    row.function = callerFunction;
  else if (auto function = op->getParentOfType<FunctionOpInterface>())
    row.function = function.getName().str();
  return row;
}

void SummaryBuilder::addStorage(SummaryRow &row, Value value) {
  if (!stored.insert(value).second)
    return;
  std::optional<unsigned> bits = elementBits(value.getType());
  Count totalBits =
      bits ? mul(numElements(value.getType()), *bits) : std::nullopt;
  // Rounded up to whole bytes; only sub-byte element types, which no layer
  // here uses, would round.
  Count bytes = totalBits ? Count((*totalBits + 7) / 8) : std::nullopt;
  row.memoryBytes = add(row.memoryBytes, bytes);
}

void SummaryBuilder::setOutput(SummaryRow &row, Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (shaped && shaped.hasRank())
    row.outputShape = SmallVector<int64_t>(shaped.getShape());
}

template <typename PackedLayerOp>
void SummaryBuilder::visitPackedLayer(PackedLayerOp op) {
  SummaryRow &row = newRow(op);
  row.inputBits = 1;
  row.hasWeights = true;
  row.weightBits = op.getFilterMask() ? 2 : 1;
  setOutput(row, op.getAcc().getType());
  // Each of the N*OH*OW*O (or N*O) accumulators is one dot product.
  Count dotLength = op.getDotLength();
  accumulate(row.params, *row.weightBits,
             mul(dimSize(op.getFilter().getType(), 0), dotLength));
  addStorage(row, op.getFilter());
  if (Value mask = op.getFilterMask())
    addStorage(row, mask);
  row.macBits = row.weightBits;
  row.macs = mul(numElements(op.getAcc().getType()), dotLength);
}

/// Logical channel count of a packed activation, when its producer says it:
/// the packed type only gives the number of words.
std::optional<int64_t> logicalChannels(Value packed) {
  // Bounded: a chain of pools longer than this only loses the annotation.
  for (int depth = 0; depth < 64; ++depth) {
    Operation *def = packed.getDefiningOp();
    Type logical;
    if (auto threshold = dyn_cast_or_null<ThresholdOp>(def))
      logical = threshold.getAcc().getType();
    else if (auto pack = dyn_cast_or_null<PackOp>(def))
      logical = pack.getX().getType();
    else if (auto pool = dyn_cast_or_null<BMaxPool2DOp>(def)) {
      packed = pool.getInput();
      continue;
    }
    auto shaped = dyn_cast_or_null<ShapedType>(logical);
    if (!shaped || !shaped.hasRank() || shaped.getRank() == 0)
      return std::nullopt;
    return shaped.getShape().back();
  }
  return std::nullopt;
}

void SummaryBuilder::visitBMaxPool2D(BMaxPool2DOp op) {
  SummaryRow &row = newRow(op);
  row.inputBits = 1;
  setOutput(row, op.getOutput().getType());
  std::optional<int64_t> channels = logicalChannels(op.getInput());
  if (row.outputShape && !row.outputShape->empty() && channels)
    row.outputShape->back() = *channels;
  else
    row.packedWords =
        "i" + std::to_string(op.getOutput().getType().getElementTypeBitWidth());
}

void SummaryBuilder::visitLinalg(linalg::LinalgOp op, bool pooling) {
  if (op.getNumDpsInputs() < 2 || op.getNumDpsInits() < 1)
    return;
  Value input = op.getDpsInputOperand(0)->get();
  Value weights = op.getDpsInputOperand(1)->get();
  if (auto conv = dyn_cast<linalg::ConvolutionOpInterface>(*op)) {
    input = conv.image();
    weights = conv.filter();
  } else if (matchPattern(input, m_Constant()) &&
             !matchPattern(weights, m_Constant())) {
    // A contraction's weights are its constant operand (matvec has them
    // first); with none constant, the right-hand side.
    std::swap(input, weights);
  }
  SummaryRow &row = newRow(op);
  row.inputBits = elementBits(input.getType());
  setOutput(row, op.getDpsInitOperand(0)->get().getType());
  if (pooling)
    return; // the "filter" of a pooling only gives the window's shape
  row.hasWeights = true;
  row.weightBits = elementBits(weights.getType());
  if (row.weightBits)
    accumulate(row.params, *row.weightBits, numElements(weights.getType()));
  else
    accumulate(row.params, 32, std::nullopt);
  addStorage(row, weights);

  // One MAC per point of the iteration space: N*OH*OW*F*KH*KW*C for a
  // convolution, M*N*K for a matmul.
  std::optional<unsigned> bits = row.inputBits;
  if (row.weightBits)
    bits = std::max(bits.value_or(0), *row.weightBits);
  if (!bits) {
    row.macsUnknown = true;
    return;
  }
  row.macBits = *bits;
  if (!op.getShapesToLoopsMap()) {
    row.macs = std::nullopt;
    return;
  }
  Count macs = 1;
  for (int64_t range : op.getStaticLoopRanges())
    macs = ShapedType::isDynamic(range) ? std::nullopt : mul(macs, range);
  row.macs = macs;
}

SummaryRow &SummaryBuilder::rowForAccumulator(Operation *consumer, Value acc) {
  auto it = rowOf.find(acc.getDefiningOp());
  if (it != rowOf.end())
    return rows[it->second];
  SummaryRow &row = newRow(consumer);
  row.inputBits = elementBits(acc.getType());
  row.hasWeights = true;
  row.weightBits = 32;
  setOutput(row, acc.getType());
  return row;
}

void SummaryBuilder::visit(Operation *op) {
  size_t before = rows.size();
  bool repeated = !listed.insert(op).second;
  visitOp(op);
  if (repeated)
    for (size_t i = before; i < rows.size(); ++i)
      rows[i].params.clear();
}

void SummaryBuilder::visitOp(Operation *op) {
  if (auto conv = dyn_cast<BConv2DOp>(op))
    return visitPackedLayer(conv);
  if (auto dense = dyn_cast<BDenseOp>(op))
    return visitPackedLayer(dense);
  if (auto pool = dyn_cast<BMaxPool2DOp>(op))
    return visitBMaxPool2D(pool);
  if (auto scale = dyn_cast<ScaleOp>(op)) {
    SummaryRow &row = rowForAccumulator(op, scale.getAcc());
    for (Value constants : {scale.getMultiplier(), scale.getBias()}) {
      accumulate(row.params, elementBits(constants.getType()).value_or(32),
                 numElements(constants.getType()));
      addStorage(row, constants);
    }
    return;
  }
  if (auto threshold = dyn_cast<ThresholdOp>(op)) {
    SummaryRow &row = rowForAccumulator(op, threshold.getAcc());
    Value constants = threshold.getThreshold();
    accumulate(row.params, 32, numElements(constants.getType()));
    addStorage(row, constants);
    return;
  }
  // Named layers, and generics that compute a contraction or a convolution
  // (multiply-accumulate bodies; bnn-lower's packed kernels, XOR and
  // popcount, are not).
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return;
  if (isa<linalg::GenericOp>(op)) {
    if (linalgOp.getNumReductionLoops() > 0 &&
        (linalg::isaContractionOpInterface(linalgOp) ||
         linalg::isaConvolutionOpInterface(linalgOp)))
      visitLinalg(linalgOp, /*pooling=*/false);
    return;
  }
  bool pooling = op->getName().getStringRef().starts_with("linalg.pooling_");
  if (pooling || isa<linalg::ConvolutionOpInterface>(op) ||
      isa<linalg::ContractionOpInterface>(op))
    visitLinalg(linalgOp, pooling);
}

SummaryTotals SummaryBuilder::computeTotals() const {
  SummaryTotals totals;
  for (const SummaryRow &row : rows) {
    totals.unknownLayers += row.hasUnknown();
    for (auto [bits, count] : row.params)
      if (count) {
        totals.params[bits] = saturatingAdd(totals.params[bits], *count);
        totals.paramsTotal = saturatingAdd(totals.paramsTotal, *count);
      }
    totals.memoryBytes =
        saturatingAdd(totals.memoryBytes, row.memoryBytes.value_or(0));
    if (row.macBits && row.macs) {
      totals.macs[*row.macBits] =
          saturatingAdd(totals.macs[*row.macBits], *row.macs);
      totals.macsTotal = saturatingAdd(totals.macsTotal, *row.macs);
    }
  }
  return totals;
}

/// The title's model name: the operation's own symbol name, or its only
/// function's.
std::string findModelName(Operation *root) {
  if (auto name =
          root->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()))
    return name.str();
  std::string name;
  int functions = 0;
  if (root->getNumRegions() == 1)
    for (Block &block : root->getRegion(0))
      for (auto function : block.getOps<FunctionOpInterface>()) {
        ++functions;
        name = function.getName().str();
      }
  return functions == 1 ? name : "";
}

} // namespace

namespace {
/// Visits a model's ops in order, expanding calls: a private function that
/// is called is listed at each call, in the caller's rows, and not on its
/// own (the inference pipeline inlines such calls; this counts the same).
class CallExpandingWalker {
public:
  CallExpandingWalker(Operation *root, SummaryBuilder &builder)
      : root(root), builder(builder) {
    root->walk([&](func::CallOp call) {
      if (func::FuncOp callee = lookup(call))
        if (callee.isPrivate())
          expandedFunctions.insert(callee);
    });
  }

  void walk() { walk(root); }

private:
  func::FuncOp lookup(func::CallOp call) {
    return symbols.lookupNearestSymbolFrom<func::FuncOp>(call,
                                                         call.getCalleeAttr());
  }

  void walk(Operation *from) {
    from->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op != from && expandedFunctions.contains(op))
        return WalkResult::skip();
      if (auto call = dyn_cast<func::CallOp>(op))
        expand(call);
      builder.visit(op);
      return WalkResult::advance();
    });
  }

  void expand(func::CallOp call) {
    func::FuncOp callee = lookup(call);
    // Recursion (or absurd depth) is not expanded: its layers stay
    // listed under their own function.
    if (!callee || !expandedFunctions.contains(callee) || callee.isExternal() ||
        stack.size() >= kMaxDepth ||
        llvm::is_contained(stack, callee.getOperation()))
      return;
    if (stack.empty())
      if (auto caller = call->getParentOfType<FunctionOpInterface>())
        builder.setCallerFunction(caller.getName());
    stack.push_back(callee);
    walk(callee);
    stack.pop_back();
    if (stack.empty())
      builder.setCallerFunction("");
  }

  static constexpr size_t kMaxDepth = 32;
  Operation *root;
  SummaryBuilder &builder;
  SymbolTableCollection symbols;
  llvm::DenseSet<Operation *> expandedFunctions;
  SmallVector<Operation *> stack;
};
} // namespace

ModelSummary::ModelSummary(Operation *root) {
  SummaryBuilder builder;
  CallExpandingWalker(root, builder).walk();
  rows.assign(builder.getRows().begin(), builder.getRows().end());
  totals = builder.computeTotals();
  modelName = findModelName(root);
}
