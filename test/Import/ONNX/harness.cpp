//===- harness.cpp - bnn-import end to end: ONNX models vs PyTorch -------===//
//
// Links with the objects that build_cases.py makes of the ONNX test models
// (bnn-import, then bnn-compile): one C function per case of cases.inc,
//
//   extern "C" void onnx_NAME(const float *in0, float *out0);
//
// (the prefix keeps the case names, such as `div`, apart from the C
// library's). For each case it reads DIR/NAME.in.bin (the input) and
// DIR/NAME.out.bin (PyTorch's output on it; both raw little-endian float32,
// gen_onnx.py), calls the compiled model and compares every output element:
//
//   pass if |got - want| <= 1e-4 * (1 + |want|); NaN never passes.
//
// The output buffer is pre-filled with NaN (every element must be written)
// and the input is checked to be unchanged after the call.
//
// Prints `ok NAME (max abs err E)` or `FAIL NAME: ...` per case, and last
// `N passed, M failed`; exits with 1 on any failure (2 on bad usage).
//
// Usage: harness DIR
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#define CASE(NAME, IN, OUT) extern "C" void onnx_##NAME(const float *, float *);
#include "cases.inc"
#undef CASE

namespace {

struct Case {
  const char *name;
  long inElements;
  long outElements;
  void (*fn)(const float *, float *);
};

const Case kCases[] = {
#define CASE(NAME, IN, OUT) {#NAME, IN, OUT, onnx_##NAME},
#include "cases.inc"
#undef CASE
};

constexpr double kTol = 1e-4;

/// Reads `path` into `data`, which must hold exactly `elements` floats.
/// Returns false with a message in `error` otherwise.
bool readFloats(const std::string &path, long elements,
                std::vector<float> &data, std::string &error) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = "cannot open " + path;
    return false;
  }
  long size = -1;
  if (std::fseek(f, 0, SEEK_END) == 0)
    size = std::ftell(f);
  if (size != elements * static_cast<long>(sizeof(float))) {
    std::fclose(f);
    error = path + " has " + std::to_string(size) + " bytes, expected " +
            std::to_string(elements) + " floats (" +
            std::to_string(elements * sizeof(float)) + " bytes)";
    return false;
  }
  std::rewind(f);
  data.assign(elements, 0.0f);
  size_t got = std::fread(data.data(), sizeof(float), elements, f);
  std::fclose(f);
  if (got != static_cast<size_t>(elements)) {
    error = "short read from " + path;
    return false;
  }
  return true;
}

/// Runs one case; prints its line; returns true when it passes.
bool runCase(const Case &c, const std::string &dir) {
  std::vector<float> in, want;
  std::string error;
  if (!readFloats(dir + "/" + c.name + ".in.bin", c.inElements, in, error) ||
      !readFloats(dir + "/" + c.name + ".out.bin", c.outElements, want,
                  error)) {
    std::printf("FAIL %s: %s\n", c.name, error.c_str());
    return false;
  }
  const std::vector<float> inCopy = in;
  std::vector<float> got(c.outElements, NAN);
  c.fn(in.data(), got.data());
  if (std::memcmp(in.data(), inCopy.data(), in.size() * sizeof(float)) != 0) {
    std::printf("FAIL %s: the compiled model wrote its input\n", c.name);
    return false;
  }
  double maxErr = 0;
  for (long i = 0; i < c.outElements; ++i) {
    double err = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (!(err <= kTol * (1.0 + std::fabs(static_cast<double>(want[i]))))) {
      std::printf("FAIL %s: element %ld got %.9g want %.9g\n", c.name, i,
                  got[i], want[i]);
      return false;
    }
    if (err > maxErr)
      maxErr = err;
  }
  std::printf("ok %s (max abs err %.3g)\n", c.name, maxErr);
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr,
                 "usage: %s DIR (the directory of NAME.in.bin and "
                 "NAME.out.bin)\n",
                 argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  int passed = 0, failed = 0;
  for (const Case &c : kCases) {
    if (runCase(c, dir))
      ++passed;
    else
      ++failed;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
