//===- Dataset.cpp - IDX image data sets ----------------------------------===//

#include "bnn/Runtime/Dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>

namespace bnn::runtime {
namespace {

/// A gzip (or plain) file read through zlib; errors name the file.
class Reader {
public:
  Reader(const std::string &path, std::string &error)
      : path(path), error(error), file(gzopen(path.c_str(), "rb")) {
    if (!file)
      error = path + ": cannot open the file";
  }
  ~Reader() {
    if (file)
      gzclose(file);
  }
  bool ok() const { return file != nullptr; }

  /// Reads exactly `size` bytes or sets the error.
  bool read(void *buffer, size_t size, const char *what) {
    size_t done = 0;
    auto *bytes = static_cast<unsigned char *>(buffer);
    while (done < size) {
      unsigned chunk =
          static_cast<unsigned>(std::min<size_t>(size - done, 1u << 30));
      int got = gzread(file, bytes + done, chunk);
      if (got < 0) {
        int code = 0;
        const char *message = gzerror(file, &code);
        error = path + ": corrupt compressed data while reading the " + what +
                " (" + (message ? message : "zlib error") + ")";
        return false;
      }
      if (got == 0) {
        error = path + ": truncated: the " + what + " end after " +
                std::to_string(done) + " of " + std::to_string(size) + " bytes";
        return false;
      }
      done += static_cast<size_t>(got);
    }
    return true;
  }

  bool readBigEndian(uint32_t &value, const char *what) {
    unsigned char b[4];
    if (!read(b, 4, what))
      return false;
    value = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) |
            (uint32_t(b[2]) << 8) | uint32_t(b[3]);
    return true;
  }

  /// The header: magic then one big-endian size per dimension.
  bool readHeader(uint32_t expectedMagic, std::vector<uint32_t> &dims) {
    uint32_t magic;
    if (!readBigEndian(magic, "IDX header"))
      return false;
    if (magic != expectedMagic) {
      char text[64];
      std::snprintf(text, sizeof(text), "0x%08x, expected 0x%08x", magic,
                    expectedMagic);
      error = path + ": not an IDX file of this kind (magic " + text + ")";
      return false;
    }
    for (uint32_t &d : dims)
      if (!readBigEndian(d, "IDX header"))
        return false;
    return true;
  }

private:
  std::string path;
  std::string &error;
  gzFile file;
};

} // namespace

std::optional<Dataset> readIdx(const std::string &imagesPath,
                               const std::string &labelsPath,
                               std::string &error, int64_t limit) {
  Reader images(imagesPath, error);
  if (!images.ok())
    return std::nullopt;
  std::vector<uint32_t> imageDims(3);
  if (!images.readHeader(0x00000803, imageDims))
    return std::nullopt;
  Reader labels(labelsPath, error);
  if (!labels.ok())
    return std::nullopt;
  std::vector<uint32_t> labelDims(1);
  if (!labels.readHeader(0x00000801, labelDims))
    return std::nullopt;
  if (imageDims[0] != labelDims[0]) {
    error = imagesPath + ": " + std::to_string(imageDims[0]) + " images but " +
            labelsPath + " has " + std::to_string(labelDims[0]) + " labels";
    return std::nullopt;
  }
  if (imageDims[1] == 0 || imageDims[2] == 0 || imageDims[1] > 4096 ||
      imageDims[2] > 4096) {
    error = imagesPath + ": implausible image size " +
            std::to_string(imageDims[1]) + " x " + std::to_string(imageDims[2]);
    return std::nullopt;
  }
  Dataset data;
  data.count = imageDims[0];
  if (limit >= 0 && limit < data.count)
    data.count = limit;
  data.rows = imageDims[1];
  data.cols = imageDims[2];
  size_t pixels = static_cast<size_t>(data.count) * data.rows * data.cols;
  std::vector<unsigned char> raw(pixels);
  if (!images.read(raw.data(), raw.size(), "images"))
    return std::nullopt;
  data.images.resize(pixels);
  for (size_t i = 0; i < pixels; ++i)
    data.images[i] = static_cast<float>(raw[i]) / 255.0f;
  std::vector<unsigned char> rawLabels(data.count);
  if (!labels.read(rawLabels.data(), rawLabels.size(), "labels"))
    return std::nullopt;
  data.labels.assign(rawLabels.begin(), rawLabels.end());
  return data;
}

std::optional<Dataset> readMnistSplit(const std::string &dir, bool train,
                                      std::string &error, int64_t limit) {
  std::string prefix = dir + "/" + (train ? "train" : "t10k");
  return readIdx(prefix + "-images-idx3-ubyte.gz",
                 prefix + "-labels-idx1-ubyte.gz", error, limit);
}

} // namespace bnn::runtime
