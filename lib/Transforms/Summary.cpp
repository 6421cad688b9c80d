//===- Summary.cpp - Per-layer model summary ----------------------------===//
//
// A model summary in the manner of Larq's lq.models.summary: one row per
// layer with its input and weight precision, output shape, parameters,
// memory and MACs, then the totals that tell how much binarization saved.
// The pass only reads the IR. docs/Summary.md describes every column.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/ToolOutputFile.h"

#include <limits>
#include <map>
#include <optional>
#include <set>

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNSUMMARY
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

//===----------------------------------------------------------------------===//
// Counting
//===----------------------------------------------------------------------===//

/// A count; unknown (nullopt) when it depends on a dynamic size or would
/// overflow. Unknown counts are shown as '?' and left out of the totals:
/// valid IR may have dynamic shapes, and the summary must not guess.
using Count = std::optional<int64_t>;

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

//===----------------------------------------------------------------------===//
// Rows
//===----------------------------------------------------------------------===//

struct Row {
  std::string layer;    // "op" or "name (op)" when the op has a NameLoc
  std::string function; // enclosing function, "" when there is none
  std::optional<unsigned> inputBits;
  bool hasWeights = false;
  std::optional<unsigned> weightBits;
  /// Logical output shape (ShapedType::kDynamic for '?'); `packedWords` is
  /// the word type when only the packed shape is known.
  std::optional<SmallVector<int64_t>> outputShape;
  std::string packedWords;
  std::map<unsigned, Count> params; // precision in bits -> parameters
  Count memoryBytes = 0;
  /// MACs of the layer, all at one precision; no `macBits` means the layer
  /// does none (pooling) unless `macsUnknown`.
  std::optional<unsigned> macBits;
  Count macs = 0;
  bool macsUnknown = false;

  bool hasUnknown() const {
    if (!memoryBytes || macsUnknown || (macBits && !macs))
      return true;
    return llvm::any_of(params, [](auto &entry) { return !entry.second; });
  }
};

/// a + b, saturated: totals of absurdly large models stay well defined.
int64_t saturatingAdd(int64_t a, int64_t b) {
  int64_t result;
  if (llvm::AddOverflow(a, b, result))
    return std::numeric_limits<int64_t>::max();
  return result;
}

/// The entry of `bits`, 0 when there is none.
int64_t lookup(const std::map<unsigned, int64_t> &counts, unsigned bits) {
  auto it = counts.find(bits);
  return it == counts.end() ? 0 : it->second;
}

struct Totals {
  std::map<unsigned, int64_t> params;
  std::map<unsigned, int64_t> macs;
  int64_t paramsTotal = 0;
  int64_t memoryBytes = 0;
  int64_t macsTotal = 0;
  int64_t unknownLayers = 0;

  /// Every parameter at 32 bits.
  int64_t float32Bytes() const {
    int64_t bytes;
    if (llvm::MulOverflow(paramsTotal, int64_t(4), bytes))
      return std::numeric_limits<int64_t>::max();
    return bytes;
  }
  std::optional<double> compressionRatio() const {
    if (memoryBytes == 0)
      return std::nullopt;
    return static_cast<double>(float32Bytes()) / memoryBytes;
  }
  double macPercent(unsigned bits) const {
    if (macsTotal == 0)
      return 0.0;
    return 100.0 * static_cast<double>(lookup(macs, bits)) / macsTotal;
  }
};

class SummaryBuilder {
public:
  void visit(Operation *op);
  ArrayRef<Row> getRows() const { return rows; }
  Totals computeTotals() const;

private:
  Row &newRow(Operation *op);
  /// Adds the bytes `value` occupies, once per value: a constant that CSE
  /// shared between layers (a zero bias, say) is stored once.
  void addStorage(Row &row, Value value);
  void setOutput(Row &row, Type type);
  /// The row of a packed layer: 1-bit input, 1-bit weights (2 with a mask).
  Row &newPackedRow(Operation *op, Value filterMask, Type accType);

  void visitBConv2D(BConv2DOp op);
  void visitBDense(BDenseOp op);
  void visitBMaxPool2D(BMaxPool2DOp op);
  void visitLinalg(linalg::LinalgOp op, bool pooling);
  /// Per-channel constants of a scale or threshold go to the row of the
  /// layer that produced the accumulator, or to a row of their own.
  Row &rowForAccumulator(Operation *consumer, Value acc);

  std::vector<Row> rows;
  llvm::DenseMap<Operation *, size_t> rowOf;
  llvm::DenseSet<Value> stored;
};

Row &SummaryBuilder::newRow(Operation *op) {
  Row &row = rows.emplace_back();
  rowOf[op] = rows.size() - 1;
  std::string name = op->getName().getStringRef().str();
  if (auto loc = op->getLoc()->findInstanceOf<NameLoc>())
    row.layer = (loc.getName().strref() + " (" + name + ")").str();
  else
    row.layer = name;
  if (auto function = op->getParentOfType<FunctionOpInterface>())
    row.function = function.getName().str();
  return row;
}

void SummaryBuilder::addStorage(Row &row, Value value) {
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

void SummaryBuilder::setOutput(Row &row, Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (shaped && shaped.hasRank())
    row.outputShape = SmallVector<int64_t>(shaped.getShape());
}

Row &SummaryBuilder::newPackedRow(Operation *op, Value filterMask,
                                  Type accType) {
  Row &row = newRow(op);
  row.inputBits = 1;
  row.hasWeights = true;
  row.weightBits = filterMask ? 2 : 1;
  setOutput(row, accType);
  return row;
}

void SummaryBuilder::visitBConv2D(BConv2DOp op) {
  Row &row = newPackedRow(op, op.getFilterMask(), op.getAcc().getType());
  unsigned bits = *row.weightBits;
  Type filter = op.getFilter().getType();
  // The verifier keeps groups in [1, channels_in]; stay safe regardless.
  Count perGroup = op.getGroups() == 0
                       ? std::nullopt
                       : Count(op.getChannelsIn() / op.getGroups());
  Count window = mul(dimSize(filter, 1), dimSize(filter, 2));
  accumulate(row.params, bits, mul(mul(dimSize(filter, 0), window), perGroup));
  addStorage(row, op.getFilter());
  if (Value mask = op.getFilterMask())
    addStorage(row, mask);
  // acc has N*OH*OW*O elements, each a dot product of KH*KW*C/groups.
  row.macBits = bits;
  row.macs = mul(numElements(op.getAcc().getType()), mul(window, perGroup));
}

void SummaryBuilder::visitBDense(BDenseOp op) {
  Row &row = newPackedRow(op, op.getFilterMask(), op.getAcc().getType());
  unsigned bits = *row.weightBits;
  Count size = static_cast<int64_t>(op.getSize());
  accumulate(row.params, bits, mul(dimSize(op.getFilter().getType(), 0), size));
  addStorage(row, op.getFilter());
  if (Value mask = op.getFilterMask())
    addStorage(row, mask);
  row.macBits = bits;
  row.macs = mul(numElements(op.getAcc().getType()), size);
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
  Row &row = newRow(op);
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
  Row &row = newRow(op);
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

Row &SummaryBuilder::rowForAccumulator(Operation *consumer, Value acc) {
  auto it = rowOf.find(acc.getDefiningOp());
  if (it != rowOf.end())
    return rows[it->second];
  Row &row = newRow(consumer);
  row.inputBits = elementBits(acc.getType());
  row.hasWeights = true;
  row.weightBits = 32;
  setOutput(row, acc.getType());
  return row;
}

void SummaryBuilder::visit(Operation *op) {
  if (auto conv = dyn_cast<BConv2DOp>(op))
    return visitBConv2D(conv);
  if (auto dense = dyn_cast<BDenseOp>(op))
    return visitBDense(dense);
  if (auto pool = dyn_cast<BMaxPool2DOp>(op))
    return visitBMaxPool2D(pool);
  if (auto scale = dyn_cast<ScaleOp>(op)) {
    Row &row = rowForAccumulator(op, scale.getAcc());
    for (Value constants : {scale.getMultiplier(), scale.getBias()}) {
      accumulate(row.params, elementBits(constants.getType()).value_or(32),
                 numElements(constants.getType()));
      addStorage(row, constants);
    }
    return;
  }
  if (auto threshold = dyn_cast<ThresholdOp>(op)) {
    Row &row = rowForAccumulator(op, threshold.getAcc());
    Value constants = threshold.getThreshold();
    accumulate(row.params, 32, numElements(constants.getType()));
    addStorage(row, constants);
    return;
  }
  // Named linalg layers only: a linalg.generic may compute anything, and
  // bnn-lower's packed kernels are generics that are already counted.
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || isa<linalg::GenericOp>(op))
    return;
  bool pooling = op->getName().getStringRef().starts_with("linalg.pooling_");
  if (pooling || isa<linalg::ConvolutionOpInterface>(op) ||
      isa<linalg::ContractionOpInterface>(op))
    visitLinalg(linalgOp, pooling);
}

Totals SummaryBuilder::computeTotals() const {
  Totals totals;
  for (const Row &row : rows) {
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

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

/// Precisions shown as columns: 1, 2 and 32 always, so that tables of
/// different models line up, plus any other width the model uses.
std::set<unsigned> paramColumns(ArrayRef<Row> rows) {
  std::set<unsigned> bits = {1, 2, 32};
  for (const Row &row : rows)
    for (auto &entry : row.params)
      bits.insert(entry.first);
  return bits;
}

std::set<unsigned> macColumns(ArrayRef<Row> rows) {
  std::set<unsigned> bits = {1, 2, 32};
  for (const Row &row : rows)
    if (row.macBits)
      bits.insert(*row.macBits);
  return bits;
}

std::string formatCount(Count count) {
  return count ? std::to_string(*count) : "?";
}

std::string formatKiB(Count bytes) {
  if (!bytes)
    return "?";
  std::string text;
  llvm::raw_string_ostream(text)
      << llvm::format("%.2f", static_cast<double>(*bytes) / 1024.0);
  return text;
}

std::string formatBits(std::optional<unsigned> bits) {
  return bits ? std::to_string(*bits) : "?";
}

std::string formatShape(const Row &row) {
  if (!row.outputShape)
    return "?";
  if (row.outputShape->empty())
    return "scalar";
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      *row.outputShape, os,
      [&](int64_t size) {
        if (ShapedType::isDynamic(size))
          os << '?';
        else
          os << size;
      },
      "x");
  if (!row.packedWords.empty())
    os << 'x' << row.packedWords;
  return text;
}

/// MACs of `row` in the column of precision `bits`.
std::string formatMacs(const Row &row, unsigned bits) {
  if (row.macsUnknown)
    return "?";
  if (!row.macBits || *row.macBits != bits)
    return "0";
  return formatCount(row.macs);
}

std::string formatParams(const Row &row, unsigned bits) {
  auto it = row.params.find(bits);
  return it == row.params.end() ? "0" : formatCount(it->second);
}

/// The title's model name: the operation's own symbol name, or its only
/// function's.
std::string modelName(Operation *root) {
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

void printText(llvm::raw_ostream &os, StringRef model, ArrayRef<Row> rows,
               const Totals &totals) {
  std::set<unsigned> paramBits = paramColumns(rows);
  std::set<unsigned> macBits = macColumns(rows);

  struct Column {
    std::string top, bottom;
    bool left = false;
    size_t width = 0;
  };
  SmallVector<Column> columns;
  columns.push_back({"Layer", "", /*left=*/true});
  columns.push_back({"Input", "bits"});
  columns.push_back({"Weight", "bits"});
  columns.push_back({"Output", "shape"});
  for (unsigned bits : paramBits)
    columns.push_back({std::to_string(bits) + "-bit", "params"});
  columns.push_back({"Memory", "(KiB)"});
  for (unsigned bits : macBits)
    columns.push_back({std::to_string(bits) + "-bit", "MACs"});

  auto cellsOf = [&](const Row &row) {
    SmallVector<std::string> cells = {
        row.layer, formatBits(row.inputBits),
        row.hasWeights ? formatBits(row.weightBits) : "-", formatShape(row)};
    for (unsigned bits : paramBits)
      cells.push_back(formatParams(row, bits));
    cells.push_back(formatKiB(row.memoryBytes));
    for (unsigned bits : macBits)
      cells.push_back(formatMacs(row, bits));
    return cells;
  };
  SmallVector<SmallVector<std::string>> body;
  for (const Row &row : rows)
    body.push_back(cellsOf(row));
  SmallVector<std::string> total = {"Total", "", "", ""};
  for (unsigned bits : paramBits)
    total.push_back(std::to_string(lookup(totals.params, bits)));
  total.push_back(formatKiB(totals.memoryBytes));
  for (unsigned bits : macBits)
    total.push_back(std::to_string(lookup(totals.macs, bits)));

  for (Column &column : columns)
    column.width = std::max(column.top.size(), column.bottom.size());
  auto fit = [&](ArrayRef<std::string> cells) {
    for (auto [column, cell] : llvm::zip_equal(columns, cells))
      column.width = std::max(column.width, cell.size());
  };
  for (ArrayRef<std::string> cells : body)
    fit(cells);
  fit(total);

  size_t innerWidth = 0;
  for (Column &column : columns)
    innerWidth += column.width + 3;
  innerWidth -= 1;

  auto rule = [&] {
    os << '+';
    for (Column &column : columns)
      os << std::string(column.width + 2, '-') << '+';
    os << '\n';
  };
  auto line = [&](ArrayRef<std::string> cells) {
    os << '|';
    for (auto [column, cell] : llvm::zip_equal(columns, cells)) {
      std::string pad(column.width - cell.size(), ' ');
      os << ' ' << (column.left ? cell + pad : pad + cell) << " |";
    }
    os << '\n';
  };

  os << "Model summary" << (model.empty() ? "" : ": @") << model << '\n';
  rule();
  SmallVector<std::string> top, bottom;
  for (Column &column : columns) {
    top.push_back(column.top);
    bottom.push_back(column.bottom);
  }
  line(top);
  line(bottom);
  rule();
  // With several functions each gets a heading, so rows stay attributable.
  bool headings = llvm::any_of(
      rows, [&](const Row &row) { return row.function != rows[0].function; });
  for (auto [i, row] : llvm::enumerate(rows)) {
    if (headings && (i == 0 || row.function != rows[i - 1].function)) {
      std::string heading = "@" + row.function;
      heading.resize(std::max(heading.size(), innerWidth - 1), ' ');
      os << "| " << heading << "|\n";
    }
    line(body[i]);
  }
  rule();
  line(total);
  rule();

  // Key/value totals, values right-aligned.
  SmallVector<std::pair<std::string, std::string>> summary;
  auto fixed = [](double value, StringRef suffix = "") {
    std::string text;
    llvm::raw_string_ostream(text) << llvm::format("%.2f", value) << suffix;
    return text;
  };
  summary.push_back({"Total params", std::to_string(totals.paramsTotal)});
  summary.push_back({"Model size (KiB)", formatKiB(totals.memoryBytes)});
  summary.push_back(
      {"Float-32 equivalent (KiB)", formatKiB(totals.float32Bytes())});
  std::optional<double> ratio = totals.compressionRatio();
  summary.push_back({"Compression ratio", ratio ? fixed(*ratio) : "-"});
  summary.push_back({"Total MACs", std::to_string(totals.macsTotal)});
  summary.push_back({"Binary MACs (%)", fixed(totals.macPercent(1))});
  summary.push_back({"Ternary MACs (%)", fixed(totals.macPercent(2))});
  if (totals.unknownLayers)
    summary.push_back({"Layers with unknown counts (not in totals)",
                       std::to_string(totals.unknownLayers)});
  size_t keyWidth = 0, valueWidth = 0;
  for (auto &[key, value] : summary) {
    keyWidth = std::max(keyWidth, key.size());
    valueWidth = std::max(valueWidth, value.size());
  }
  for (auto &[key, value] : summary)
    os << key << std::string(keyWidth - key.size() + 2, ' ')
       << std::string(valueWidth - value.size(), ' ') << value << '\n';
}

void printJson(llvm::raw_ostream &os, StringRef model, ArrayRef<Row> rows,
               const Totals &totals) {
  std::set<unsigned> paramBits = paramColumns(rows);
  std::set<unsigned> macBits = macColumns(rows);
  llvm::json::OStream json(os, /*IndentSize=*/2);
  auto count = [&](Count value) {
    if (value)
      json.value(*value);
    else
      json.value(nullptr);
  };
  auto bitsValue = [&](std::optional<unsigned> bits) {
    if (bits)
      json.value(static_cast<int64_t>(*bits));
    else
      json.value(nullptr);
  };
  auto kib = [&](Count bytes) {
    if (bytes)
      json.value(static_cast<double>(*bytes) / 1024.0);
    else
      json.value(nullptr);
  };

  json.object([&] {
    json.attributeBegin("model");
    if (model.empty())
      json.value(nullptr);
    else
      json.value(model);
    json.attributeEnd();
    json.attributeArray("layers", [&] {
      for (const Row &row : rows) {
        json.object([&] {
          json.attribute("layer", row.layer);
          json.attribute("function", row.function);
          json.attributeBegin("input_bits");
          bitsValue(row.inputBits);
          json.attributeEnd();
          json.attributeBegin("weight_bits");
          if (row.hasWeights)
            bitsValue(row.weightBits);
          else
            json.value(nullptr);
          json.attributeEnd();
          json.attributeBegin("output_shape");
          if (row.outputShape)
            json.array([&] {
              for (int64_t size : *row.outputShape)
                count(ShapedType::isDynamic(size) ? Count() : Count(size));
            });
          else
            json.value(nullptr);
          json.attributeEnd();
          if (!row.packedWords.empty())
            json.attribute("output_packed_words", row.packedWords);
          json.attributeObject("params", [&] {
            for (unsigned bits : paramBits) {
              json.attributeBegin(std::to_string(bits));
              auto it = row.params.find(bits);
              count(it == row.params.end() ? Count(0) : it->second);
              json.attributeEnd();
            }
          });
          json.attributeBegin("memory_bytes");
          count(row.memoryBytes);
          json.attributeEnd();
          json.attributeBegin("memory_kib");
          kib(row.memoryBytes);
          json.attributeEnd();
          json.attributeObject("macs", [&] {
            for (unsigned bits : macBits) {
              json.attributeBegin(std::to_string(bits));
              if (row.macsUnknown)
                json.value(nullptr);
              else if (!row.macBits || *row.macBits != bits)
                json.value(0);
              else
                count(row.macs);
              json.attributeEnd();
            }
          });
        });
      }
    });
    json.attributeObject("totals", [&] {
      json.attributeObject("params", [&] {
        for (unsigned bits : paramBits)
          json.attribute(std::to_string(bits), lookup(totals.params, bits));
      });
      json.attribute("params_total", totals.paramsTotal);
      json.attribute("model_size_bytes", totals.memoryBytes);
      json.attribute("model_size_kib", totals.memoryBytes / 1024.0);
      json.attribute("float32_size_bytes", totals.float32Bytes());
      json.attribute("float32_size_kib", totals.float32Bytes() / 1024.0);
      json.attributeBegin("compression_ratio");
      if (std::optional<double> ratio = totals.compressionRatio())
        json.value(*ratio);
      else
        json.value(nullptr);
      json.attributeEnd();
      json.attributeObject("macs", [&] {
        for (unsigned bits : macBits)
          json.attribute(std::to_string(bits), lookup(totals.macs, bits));
      });
      json.attribute("macs_total", totals.macsTotal);
      json.attribute("binary_macs_percent", totals.macPercent(1));
      json.attribute("ternary_macs_percent", totals.macPercent(2));
      json.attribute("layers_with_unknown_counts", totals.unknownLayers);
    });
  });
  os << '\n';
}

struct BNNSummaryPass : public bnn::impl::BNNSummaryBase<BNNSummaryPass> {
  using Base::Base;

  void runOnOperation() override {
    Operation *root = getOperation();
    SummaryBuilder builder;
    root->walk<WalkOrder::PreOrder>([&](Operation *op) { builder.visit(op); });
    Totals totals = builder.computeTotals();

    // Rendered whole, then written at once: stderr is unbuffered, and the
    // summary must not interleave with other diagnostics.
    std::string text;
    llvm::raw_string_ostream os(text);
    std::string model = modelName(root);
    if (emitJson)
      printJson(os, model, builder.getRows(), totals);
    else
      printText(os, model, builder.getRows(), totals);

    if (outputFile == "-") {
      llvm::errs() << text;
      llvm::errs().flush();
    } else {
      std::string error;
      std::unique_ptr<llvm::ToolOutputFile> file =
          openOutputFile(outputFile, &error);
      if (!file) {
        // Not root->emitError: that would attach the whole module as a note.
        emitError(root->getLoc()) << "bnn-summary: " << error;
        return signalPassFailure();
      }
      file->os() << text;
      file->keep();
    }
    markAllAnalysesPreserved();
  }
};

} // namespace
