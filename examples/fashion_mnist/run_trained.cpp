//===- run_trained.cpp - Run a model trained by bnn-train ----------------===//
//
// run_trained IMAGES LABELS [-n N] [--expect PREDICTIONS]
//
// Runs the compiled inference model that bnn-train wrote (batch 1,
// `void MODEL_FN(const float *image, float *logits)`, 10 logits) on every
// image of the uncompressed IDX files, pixels scaled to [0, 1] as bnn-train
// scales them; prints the first N images' true and predicted classes and
// the accuracy over all of them. With --expect (bnn-train --predictions),
// also checks that every prediction equals the trainer's.
// Exit status: 0 ok, 1 a prediction differs, 2 bad usage or files.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#ifndef MODEL_FN
#error "compile with -DMODEL_FN=<the model's function name>"
#endif

extern "C" void MODEL_FN(const float *image, float *logits);

static const char *const kClasses[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

[[noreturn]] static void fail(const char *what, const char *path) {
  std::fprintf(stderr, "run_trained: %s '%s'\n", what, path);
  std::exit(2);
}

/// The records of an IDX file: count, then record bytes each.
static std::vector<unsigned char> readIdx(const char *path, uint32_t magic,
                                          uint32_t &count, uint32_t &record) {
  std::FILE *file = std::fopen(path, "rb");
  if (!file)
    fail("cannot open", path);
  unsigned char header[16];
  size_t dims = magic & 0xff;
  if (std::fread(header, 1, 4 + 4 * dims, file) != 4 + 4 * dims)
    fail("truncated header in", path);
  auto word = [&](int i) {
    const unsigned char *p = header + 4 * i;
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
           p[3];
  };
  if (word(0) != magic)
    fail("not an IDX file of the expected kind:", path);
  count = word(1);
  record = 1;
  for (size_t d = 2; d <= dims; ++d)
    record *= word(d);
  std::vector<unsigned char> data(size_t(count) * record);
  if (std::fread(data.data(), 1, data.size(), file) != data.size())
    fail("truncated data in", path);
  std::fclose(file);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: run_trained IMAGES LABELS [-n N] [--expect FILE]\n");
    return 2;
  }
  long shown = 10;
  const char *expectPath = nullptr;
  for (int i = 3; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-n") && i + 1 < argc)
      shown = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--expect") && i + 1 < argc)
      expectPath = argv[++i];
    else
      fail("unknown argument", argv[i]);
  }
  uint32_t count, pixels, labelCount, one;
  std::vector<unsigned char> images = readIdx(argv[1], 0x803, count, pixels);
  std::vector<unsigned char> labels = readIdx(argv[2], 0x801, labelCount, one);
  if (labelCount != count)
    fail("image and label counts differ:", argv[2]);
  std::vector<int> expected;
  if (expectPath) {
    std::FILE *file = std::fopen(expectPath, "r");
    if (!file)
      fail("cannot open", expectPath);
    int p;
    while (std::fscanf(file, "%d", &p) == 1)
      expected.push_back(p);
    std::fclose(file);
    if (expected.size() != count)
      fail("the number of predictions differs from the images in", expectPath);
  }

  std::vector<float> image(pixels);
  float logits[10];
  long correct = 0, differ = 0;
  std::printf("%5s  %-11s  %-11s\n", "image", "true label", "predicted");
  for (uint32_t n = 0; n < count; ++n) {
    for (uint32_t i = 0; i < pixels; ++i)
      image[i] = images[size_t(n) * pixels + i] / 255.0f;
    MODEL_FN(image.data(), logits);
    int best = 0;
    for (int k = 1; k < 10; ++k)
      if (logits[k] > logits[best])
        best = k;
    correct += best == labels[n];
    if (!expected.empty())
      differ += best != expected[n];
    if (n < shown)
      std::printf("%5u  %-11s  %-11s%s\n", n, kClasses[labels[n] % 10],
                  kClasses[best], best == labels[n] ? "" : "  (wrong)");
  }
  std::printf("accuracy on %u test images: %.4f\n", count,
              double(correct) / count);
  if (!expected.empty())
    std::printf("predictions equal to bnn-train's: %ld of %u\n",
                long(count) - differ, count);
  return differ ? 1 : 0;
}
