//===- TrainingLog.cpp - Per-epoch records, CSV and plots ----------------===//

#include "bnn/Runtime/TrainingLog.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace bnn::runtime {

std::string formatCsv(const std::vector<EpochRecord> &records) {
  std::ostringstream os;
  os << "epoch,stage,learning_rate,train_loss,train_accuracy,test_accuracy,"
        "train_seconds,seconds\n";
  char line[256];
  for (const EpochRecord &r : records) {
    std::snprintf(line, sizeof(line),
                  "%lld,%lld,%.6g,%.6f,%.4f,%.4f,%.2f,%.2f\n",
                  static_cast<long long>(r.epoch),
                  static_cast<long long>(r.stage), r.learningRate, r.trainLoss,
                  r.trainAccuracy, r.testAccuracy, r.trainSeconds, r.seconds);
    os << line;
  }
  return os.str();
}

/// Quotes `s` for a gnuplot string literal.
static std::string quoted(const std::string &s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool plotCurves(const std::vector<EpochRecord> &records,
                const std::string &path, std::string &error) {
  char dataPath[] = "/tmp/bnn-train-plot-XXXXXX";
  int fd = mkstemp(dataPath);
  if (fd < 0) {
    error = "cannot create a temporary file for gnuplot";
    return false;
  }
  close(fd);
  {
    std::ofstream data(dataPath);
    for (const EpochRecord &r : records)
      data << r.epoch << ' ' << r.trainLoss << ' ' << r.trainAccuracy << ' '
           << r.testAccuracy << '\n';
  }
  std::string script = "set terminal png size 900,420\n"
                       "set output " +
                       quoted(path) +
                       "\n"
                       "set multiplot layout 1,2\n"
                       "set xlabel 'epoch'\nset grid\n"
                       "set title 'train loss'\n"
                       "plot " +
                       quoted(dataPath) +
                       " using 1:2 with linespoints title 'loss'\n"
                       "set title 'accuracy'\nset key bottom right\n"
                       "plot " +
                       quoted(dataPath) +
                       " using 1:3 with linespoints title 'train', " +
                       quoted(dataPath) +
                       " using 1:4 with linespoints title 'test'\n"
                       "unset multiplot\n";
  FILE *gnuplot = popen("gnuplot 2>&1", "w");
  bool ok = gnuplot != nullptr;
  if (ok) {
    std::fputs(script.c_str(), gnuplot);
    int status = pclose(gnuplot);
    ok = status == 0;
  }
  std::remove(dataPath);
  if (!ok)
    error = "gnuplot failed to write '" + path +
            "' (is gnuplot installed? Debian: gnuplot-nox)";
  return ok;
}

std::string formatProgress(int64_t epoch, int64_t epochs, int64_t step,
                           int64_t steps, double meanLoss, double seconds) {
  constexpr int kWidth = 30;
  int filled = steps > 0 ? static_cast<int>(kWidth * step / steps) : kWidth;
  std::string bar(filled, '#');
  bar += std::string(kWidth - filled, '.');
  char line[200];
  std::snprintf(line, sizeof(line),
                "epoch %lld/%lld [%s] %lld/%lld loss %.4f %.0fs",
                static_cast<long long>(epoch), static_cast<long long>(epochs),
                bar.c_str(), static_cast<long long>(step),
                static_cast<long long>(steps), meanLoss, seconds);
  return line;
}

} // namespace bnn::runtime
