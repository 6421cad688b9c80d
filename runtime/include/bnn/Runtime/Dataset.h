//===- Dataset.h - IDX image data sets (MNIST, Fashion-MNIST) ---*- C++ -*-===//
//
// Reads the gzip IDX files of MNIST and Fashion-MNIST (as Debian's
// dataset-fashion-mnist installs them) into float images in [0, 1], NHWC
// N x 28 x 28 x 1, and int32 labels. Independent of MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_RUNTIME_DATASET_H
#define BNN_RUNTIME_DATASET_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnn::runtime {

/// Images (count x rows x cols, row-major, scaled to [0, 1]) and labels.
struct Dataset {
  int64_t count = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> images;
  std::vector<int32_t> labels;
};

/// Where Debian's dataset-fashion-mnist installs the data set.
inline constexpr const char *kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";

/// Reads an images file (IDX magic 0x803, unsigned bytes) and a labels file
/// (0x801) of the same count, gzip-compressed or not. `limit` >= 0 keeps
/// only the first `limit` examples. On failure returns nullopt and sets
/// `error` to one line naming the file and the problem (missing, not IDX,
/// truncated, corrupt compressed data, counts that differ).
std::optional<Dataset> readIdx(const std::string &imagesPath,
                               const std::string &labelsPath,
                               std::string &error, int64_t limit = -1);

/// The training (60,000) or test (10,000) split of an MNIST-layout
/// directory: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
/// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.
std::optional<Dataset> readMnistSplit(const std::string &dir, bool train,
                                      std::string &error, int64_t limit = -1);

} // namespace bnn::runtime

#endif // BNN_RUNTIME_DATASET_H
