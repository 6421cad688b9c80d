//===- harness.cpp - bnn-normalize forms: compiled vs as written ---------===//
//
// Links with two objects compiled from the same gen_forms.py output:
// ref.o (function names ref_NAME), compiled with `bnn-compile
// --no-bnn-passes`, the model exactly as written (float layers, generic
// signs); opt.o (form_NAME), compiled with the full pipeline, where
// bnn-normalize brings every form to a packed layer. For every case of
// cases.inc and kInputs inputs on the 1/4 grid in [-2, 2] (std::mt19937
// seeded by case and input; sums of such values times +-alpha are exact in
// f32, so both variants see the same signs), it compares every output:
// |opt - ref| <= 1e-4 * (1 + |ref|). Moving a bias init after its layer
// reorders one addition, hence the tolerance.
//
// Prints "ok NAME" or one line per failing element, then
// "N passed, M failed" (cases); exits with 1 on failure.
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#define CASE(NAME, IN, OUT)                                                    \
  extern "C" void form_##NAME(const float *, float *);                         \
  extern "C" void ref_##NAME(const float *, float *);
#include "cases.inc"
#undef CASE

namespace {
struct Case {
  const char *name;
  void (*opt)(const float *, float *);
  void (*ref)(const float *, float *);
  int inElements, outElements;
};

const Case kCases[] = {
#define CASE(NAME, IN, OUT) {#NAME, form_##NAME, ref_##NAME, IN, OUT},
#include "cases.inc"
#undef CASE
};

constexpr int kInputs = 8;
constexpr float kTolerance = 1e-4f;
} // namespace

int main() {
  int passed = 0, failed = 0, index = 0;
  for (const Case &c : kCases) {
    bool ok = true;
    for (int input = 0; input < kInputs && ok; ++input) {
      std::mt19937 rng(1000 * index + input);
      std::uniform_int_distribution<int> grid(-8, 8);
      std::vector<float> x(c.inElements);
      for (float &v : x)
        v = grid(rng) / 4.0f;
      std::vector<float> want(c.outElements), got(c.outElements);
      c.ref(x.data(), want.data());
      c.opt(x.data(), got.data());
      for (int i = 0; i < c.outElements; ++i) {
        float err = std::fabs(got[i] - want[i]);
        if (!(err <= kTolerance * (1 + std::fabs(want[i])))) {
          std::printf("FAIL %s input %d element %d: got %g want %g\n", c.name,
                      input, i, got[i], want[i]);
          ok = false;
          break;
        }
      }
    }
    if (ok)
      std::printf("ok %s\n", c.name);
    ++(ok ? passed : failed);
    ++index;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
