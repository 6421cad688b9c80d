//===- predict.cpp - Run a model bnn-train exported over IDX images -------===//
//
// predict IMAGES: reads an uncompressed IDX image file (28x28 u8), runs the
// compiled model (batch 1, `void MODEL_FN(const float *image, float
// *logits)`, 10 logits) on each image scaled to [0, 1] as bnn-train scales
// it, and prints the index of the largest logit, one line per image (the
// first of equal maxima, as bnn-train picks it).
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <vector>

#ifndef MODEL_FN
#error "compile with -DMODEL_FN=<the model's function name>"
#endif

extern "C" void MODEL_FN(const float *image, float *logits);

static uint32_t bigEndian(const unsigned char *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         p[3];
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: predict IMAGES\n");
    return 2;
  }
  std::FILE *file = std::fopen(argv[1], "rb");
  unsigned char header[16];
  if (!file || std::fread(header, 1, 16, file) != 16 ||
      bigEndian(header) != 0x803) {
    std::fprintf(stderr, "predict: '%s' is not an IDX image file\n", argv[1]);
    return 2;
  }
  uint32_t count = bigEndian(header + 4), rows = bigEndian(header + 8),
           cols = bigEndian(header + 12);
  std::vector<unsigned char> pixels(rows * cols);
  std::vector<float> image(rows * cols);
  float logits[10];
  for (uint32_t n = 0; n < count; ++n) {
    if (std::fread(pixels.data(), 1, pixels.size(), file) != pixels.size()) {
      std::fprintf(stderr, "predict: '%s' is truncated\n", argv[1]);
      return 2;
    }
    for (size_t i = 0; i < pixels.size(); ++i)
      image[i] = pixels[i] / 255.0f;
    MODEL_FN(image.data(), logits);
    int best = 0;
    for (int k = 1; k < 10; ++k)
      if (logits[k] > logits[best])
        best = k;
    std::printf("%d\n", best);
  }
  return 0;
}
