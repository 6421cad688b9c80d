//===- TrainingLog.h - Per-epoch records, CSV and plots ---------*- C++ -*-===//

#ifndef BNN_RUNTIME_TRAININGLOG_H
#define BNN_RUNTIME_TRAININGLOG_H

#include <cstdint>
#include <string>
#include <vector>

namespace bnn::runtime {

struct EpochRecord {
  int64_t epoch = 0; // 1-based
  int64_t stage = 0; // BiTAT: layers quantized so far; else 0
  double learningRate = 0;
  double trainLoss = 0;
  double trainAccuracy = 0;
  double testAccuracy = 0;
  double trainSeconds = 0; // the training steps
  double seconds = 0;      // the whole epoch, test evaluation included
};

/// The CSV bnn-train --log writes: a header line, then one line per epoch.
std::string formatCsv(const std::vector<EpochRecord> &records);

/// Draws the train loss and the train and test accuracy per epoch into the
/// PNG `path` with gnuplot (found in PATH). Returns false with `error` set
/// when gnuplot is missing or fails.
bool plotCurves(const std::vector<EpochRecord> &records,
                const std::string &path, std::string &error);

/// One progress line (a bar when `terminal`), rewritten in place with \r.
std::string formatProgress(int64_t epoch, int64_t epochs, int64_t step,
                           int64_t steps, double meanLoss, double seconds);

} // namespace bnn::runtime

#endif // BNN_RUNTIME_TRAININGLOG_H
