//===- Summary.cpp - The bnn-summary pass: text and JSON printers -------===//
//
// A model summary in the manner of Larq's lq.models.summary, printed from
// the ModelSummary analysis (the cost model, ModelSummary.cpp) as a text
// table or as JSON. The pass only reads the IR. docs/Summary.md describes
// every column.
//
//===----------------------------------------------------------------------===//

#include "bnn/Transforms/ModelSummary.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <set>

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNSUMMARY
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;
using namespace mlir::bnn;

namespace {

//===----------------------------------------------------------------------===//
// Text
//===----------------------------------------------------------------------===//

/// Precisions shown as columns: 1, 2 and 32 always, so that tables of
/// different models line up, plus any other width the model uses.
std::set<unsigned> paramColumns(ArrayRef<SummaryRow> rows) {
  std::set<unsigned> bits = {1, 2, 32};
  for (const SummaryRow &row : rows)
    for (auto &entry : row.params)
      bits.insert(entry.first);
  return bits;
}

std::set<unsigned> macColumns(ArrayRef<SummaryRow> rows) {
  std::set<unsigned> bits = {1, 2, 32};
  for (const SummaryRow &row : rows)
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
  return llvm::formatv("{0:F2}", static_cast<double>(*bytes) / 1024.0).str();
}

std::string formatBits(std::optional<unsigned> bits) {
  return bits ? std::to_string(*bits) : "?";
}

std::string formatShape(const SummaryRow &row) {
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
std::string formatMacs(const SummaryRow &row, unsigned bits) {
  if (row.macsUnknown)
    return "?";
  if (!row.macBits || *row.macBits != bits)
    return "0";
  return formatCount(row.macs);
}

std::string formatParams(const SummaryRow &row, unsigned bits) {
  auto it = row.params.find(bits);
  return it == row.params.end() ? "0" : formatCount(it->second);
}

void printText(llvm::raw_ostream &os, StringRef model,
               ArrayRef<SummaryRow> rows, const SummaryTotals &totals) {
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

  auto cellsOf = [&](const SummaryRow &row) {
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
  for (const SummaryRow &row : rows)
    body.push_back(cellsOf(row));
  SmallVector<std::string> total = {"Total", "", "", ""};
  for (unsigned bits : paramBits)
    total.push_back(std::to_string(lookupCount(totals.params, bits)));
  total.push_back(formatKiB(totals.memoryBytes));
  for (unsigned bits : macBits)
    total.push_back(std::to_string(lookupCount(totals.macs, bits)));

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
      os << ' ';
      if (column.left)
        os << llvm::left_justify(cell, column.width);
      else
        os << llvm::right_justify(cell, column.width);
      os << " |";
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
  bool headings = llvm::any_of(rows, [&](const SummaryRow &row) {
    return row.function != rows[0].function;
  });
  for (auto [i, row] : llvm::enumerate(rows)) {
    if (headings && (i == 0 || row.function != rows[i - 1].function)) {
      os << "| " << llvm::left_justify("@" + row.function, innerWidth - 1)
         << "|\n";
    }
    line(body[i]);
  }
  rule();
  line(total);
  rule();

  // Key/value totals, values right-aligned.
  SmallVector<std::pair<std::string, std::string>> summary;
  auto fixed = [](double value) {
    return llvm::formatv("{0:F2}", value).str();
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
    os << llvm::left_justify(key, keyWidth + 2)
       << llvm::right_justify(value, valueWidth) << '\n';
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

/// A count, or null when unknown.
llvm::json::Value countValue(Count count) {
  return count ? llvm::json::Value(*count) : llvm::json::Value(nullptr);
}

llvm::json::Value bitsValue(std::optional<unsigned> bits) {
  return bits ? llvm::json::Value(static_cast<int64_t>(*bits))
              : llvm::json::Value(nullptr);
}

llvm::json::Value kibValue(Count bytes) {
  return bytes ? llvm::json::Value(static_cast<double>(*bytes) / 1024.0)
               : llvm::json::Value(nullptr);
}

/// Written through json::OStream, not as one json::Value: an object Value
/// prints its keys sorted, and readers expect "model" before "layers" and
/// "layer" first in each row (docs/Summary.md).
void printJson(llvm::raw_ostream &os, StringRef model,
               ArrayRef<SummaryRow> rows, const SummaryTotals &totals) {
  std::set<unsigned> paramBits = paramColumns(rows);
  std::set<unsigned> macBits = macColumns(rows);
  llvm::json::OStream json(os, /*IndentSize=*/2);
  auto rowObject = [&](const SummaryRow &row) {
    json.attribute("layer", row.layer);
    json.attribute("function", row.function);
    json.attribute("input_bits", bitsValue(row.inputBits));
    json.attribute("weight_bits", row.hasWeights ? bitsValue(row.weightBits)
                                                 : llvm::json::Value(nullptr));
    llvm::json::Value shape = nullptr;
    if (row.outputShape) {
      llvm::json::Array sizes;
      for (int64_t size : *row.outputShape)
        sizes.push_back(
            countValue(ShapedType::isDynamic(size) ? Count() : Count(size)));
      shape = std::move(sizes);
    }
    json.attribute("output_shape", std::move(shape));
    if (!row.packedWords.empty())
      json.attribute("output_packed_words", row.packedWords);
    json.attributeObject("params", [&] {
      for (unsigned bits : paramBits) {
        auto it = row.params.find(bits);
        json.attribute(std::to_string(bits),
                       countValue(it == row.params.end() ? 0 : it->second));
      }
    });
    json.attribute("memory_bytes", countValue(row.memoryBytes));
    json.attribute("memory_kib", kibValue(row.memoryBytes));
    json.attributeObject("macs", [&] {
      for (unsigned bits : macBits) {
        Count macs = 0;
        if (row.macsUnknown)
          macs = std::nullopt;
        else if (row.macBits && *row.macBits == bits)
          macs = row.macs;
        json.attribute(std::to_string(bits), countValue(macs));
      }
    });
  };

  json.object([&] {
    json.attribute("model", model.empty() ? llvm::json::Value(nullptr)
                                          : llvm::json::Value(model));
    json.attributeArray("layers", [&] {
      for (const SummaryRow &row : rows)
        json.object([&] { rowObject(row); });
    });
    json.attributeObject("totals", [&] {
      json.attributeObject("params", [&] {
        for (unsigned bits : paramBits)
          json.attribute(std::to_string(bits),
                         lookupCount(totals.params, bits));
      });
      json.attribute("params_total", totals.paramsTotal);
      json.attribute("model_size_bytes", totals.memoryBytes);
      json.attribute("model_size_kib", totals.memoryBytes / 1024.0);
      json.attribute("float32_size_bytes", totals.float32Bytes());
      json.attribute("float32_size_kib", totals.float32Bytes() / 1024.0);
      std::optional<double> ratio = totals.compressionRatio();
      json.attribute("compression_ratio", ratio ? llvm::json::Value(*ratio)
                                                : llvm::json::Value(nullptr));
      json.attributeObject("macs", [&] {
        for (unsigned bits : macBits)
          json.attribute(std::to_string(bits), lookupCount(totals.macs, bits));
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
    const ModelSummary &summary = getAnalysis<ModelSummary>();

    // Rendered whole, then written at once: stderr is unbuffered, and the
    // summary must not interleave with other diagnostics.
    std::string text;
    llvm::raw_string_ostream os(text);
    if (format == SummaryFormat::Json)
      printJson(os, summary.getModelName(), summary.getRows(),
                summary.getTotals());
    else
      printText(os, summary.getModelName(), summary.getRows(),
                summary.getTotals());

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
