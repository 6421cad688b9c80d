//===- ModelSummary.h - Per-layer cost model of a bnn model -----*- C++ -*-===//
//
// The numbers behind bnn-summary (docs/Summary.md): one row per layer with
// its input and weight precision, output shape, parameters, memory and MACs,
// and the totals. An analysis: it only reads the IR.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TRANSFORMS_MODELSUMMARY_H
#define BNN_TRANSFORMS_MODELSUMMARY_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MathExtras.h"

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::bnn {

/// A count; unknown (nullopt) when it depends on a dynamic size or would
/// overflow. Unknown counts are shown as '?' and left out of the totals:
/// valid IR may have dynamic shapes, and the summary must not guess.
using Count = std::optional<int64_t>;

/// One layer.
struct SummaryRow {
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

/// The entry of `bits`, 0 when there is none.
inline int64_t lookupCount(const std::map<unsigned, int64_t> &counts,
                           unsigned bits) {
  auto it = counts.find(bits);
  return it == counts.end() ? 0 : it->second;
}

/// The totals over every row; unknown counts are left out.
struct SummaryTotals {
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
    return 100.0 * static_cast<double>(lookupCount(macs, bits)) / macsTotal;
  }
};

/// The rows of every layer under an operation, in walk order, and their
/// totals.
class ModelSummary {
public:
  explicit ModelSummary(Operation *root);

  ArrayRef<SummaryRow> getRows() const { return rows; }
  const SummaryTotals &getTotals() const { return totals; }
  /// The operation's own symbol name, or its only function's; "" otherwise.
  StringRef getModelName() const { return modelName; }

private:
  std::vector<SummaryRow> rows;
  SummaryTotals totals;
  std::string modelName;
};

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_MODELSUMMARY_H
