//===- fashion_harness.cpp - The imported Fashion-MNIST BNN vs PyTorch ----===//
//
// Links with the object that bnn-compile makes of Inputs/fashion_bnn.onnx
// (imported with bnn-import --function-name=fashion_bnn):
//
//   extern "C" void fashion_bnn(const float *in  /* 1x1x28x28 */,
//                               float *out       /* 1x10 */);
//
// Runs it on the first COUNT (default: all) Fashion-MNIST test images, each
// converted exactly as gen_fashion_bnn.py does (x = pixel / 255.0f, in
// float32; no other normalization), takes the predicted class (argmax of the
// 10 logits, the first maximum, as torch.argmax) and compares it with the
// label and with PyTorch's prediction (PRED: one uint8 per test image,
// gen_fashion_bnn.py). Prints
//
//   accuracy A (C of N)
//   pytorch accuracy A' (C' of N)
//   agree K of N with PyTorch
//
// and the first 10 disagreements. Exit status 1 when more than kMaxDisagree
// images disagree (K < N - kMaxDisagree), 2 on bad usage or a bad file.
//
// Usage: fashion_harness IMAGES LABELS PRED [COUNT]
//   IMAGES  t10k-images-idx3-ubyte (uncompressed)
//   LABELS  t10k-labels-idx1-ubyte (uncompressed)
//   PRED    fashion_bnn.pred
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" void fashion_bnn(const float *in, float *out);

namespace {

constexpr int kClasses = 10;
constexpr int kPixels = 28 * 28;
constexpr long kMaxDisagree = 10;
constexpr int kShowDisagree = 10;

bool readFile(const char *path, std::vector<unsigned char> &data) {
  std::FILE *f = std::fopen(path, "rb");
  if (!f) {
    std::fprintf(stderr, "error: cannot open %s\n", path);
    return false;
  }
  data.clear();
  unsigned char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0)
    data.insert(data.end(), buf, buf + n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  if (!ok)
    std::fprintf(stderr, "error: cannot read %s\n", path);
  return ok;
}

unsigned long bigEndian32(const std::vector<unsigned char> &d, size_t at) {
  return (static_cast<unsigned long>(d[at]) << 24) |
         (static_cast<unsigned long>(d[at + 1]) << 16) |
         (static_cast<unsigned long>(d[at + 2]) << 8) |
         static_cast<unsigned long>(d[at + 3]);
}

/// Checks an idx file: magic 0x00000800 + `ndim`, the given dimensions after
/// the first, and the size. Returns the first dimension (the item count), or
/// -1 with a message.
long checkIdx(const char *path, const std::vector<unsigned char> &d, int ndim,
              const std::vector<unsigned long> &inner) {
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  if (d.size() < header || bigEndian32(d, 0) != 0x800ul + ndim) {
    std::fprintf(stderr, "error: %s is not an uncompressed idx%d file\n", path,
                 ndim);
    return -1;
  }
  unsigned long items = bigEndian32(d, 4);
  unsigned long itemSize = 1;
  for (int i = 1; i < ndim; ++i) {
    if (bigEndian32(d, 4 + 4 * i) != inner[i - 1]) {
      std::fprintf(stderr, "error: %s: dimension %d is %lu, expected %lu\n",
                   path, i, bigEndian32(d, 4 + 4 * i), inner[i - 1]);
      return -1;
    }
    itemSize *= inner[i - 1];
  }
  if (d.size() != header + items * itemSize) {
    std::fprintf(stderr, "error: %s has %zu bytes, expected %lu\n", path,
                 d.size(),
                 static_cast<unsigned long>(header + items * itemSize));
    return -1;
  }
  return static_cast<long>(items);
}

int argmax(const float *v) {
  int best = 0;
  for (int k = 1; k < kClasses; ++k)
    if (v[k] > v[best])
      best = k;
  return best;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s IMAGES LABELS PRED [COUNT]\n", argv[0]);
    return 2;
  }
  std::vector<unsigned char> images, labels, pred;
  if (!readFile(argv[1], images) || !readFile(argv[2], labels) ||
      !readFile(argv[3], pred))
    return 2;
  long numImages = checkIdx(argv[1], images, 3, {28, 28});
  long numLabels = checkIdx(argv[2], labels, 1, {});
  if (numImages < 0 || numLabels < 0)
    return 2;
  if (numLabels != numImages || static_cast<long>(pred.size()) != numImages) {
    std::fprintf(stderr,
                 "error: %ld images, %ld labels and %zu predictions (%s); "
                 "expected as many of each\n",
                 numImages, numLabels, pred.size(), argv[3]);
    return 2;
  }
  long count = numImages;
  if (argc == 5) {
    char *end = nullptr;
    count = std::strtol(argv[4], &end, 10);
    if (*argv[4] == '\0' || *end != '\0' || count < 1 || count > numImages) {
      std::fprintf(stderr, "error: COUNT must be 1 to %ld, got '%s'\n",
                   numImages, argv[4]);
      return 2;
    }
  }
  const unsigned char *pixels = images.data() + 16;
  const unsigned char *label = labels.data() + 8;

  long correct = 0, torchCorrect = 0, agree = 0;
  int shown = 0;
  std::vector<float> in(kPixels);
  float out[kClasses];
  for (long i = 0; i < count; ++i) {
    for (int p = 0; p < kPixels; ++p)
      in[p] = static_cast<float>(pixels[i * kPixels + p]) / 255.0f;
    for (float &v : out)
      v = NAN;
    fashion_bnn(in.data(), out);
    int got = argmax(out);
    int torchPred = pred[i];
    if (got == label[i])
      ++correct;
    if (torchPred == label[i])
      ++torchCorrect;
    if (got == torchPred) {
      ++agree;
    } else if (shown < kShowDisagree) {
      ++shown;
      std::printf("disagree image %ld: compiled %d pytorch %d label %d "
                  "(logits",
                  i, got, torchPred, label[i]);
      for (float v : out)
        std::printf(" %.6g", v);
      std::printf(")\n");
    }
  }
  std::printf("accuracy %.4f (%ld of %ld)\n",
              static_cast<double>(correct) / count, correct, count);
  std::printf("pytorch accuracy %.4f (%ld of %ld)\n",
              static_cast<double>(torchCorrect) / count, torchCorrect, count);
  std::printf("agree %ld of %ld with PyTorch\n", agree, count);
  return agree >= count - kMaxDisagree ? 0 : 1;
}
