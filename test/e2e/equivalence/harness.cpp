//===- harness.cpp - Equivalence test: compile-time passes on and off -----===//
//
// Links with two objects compiled from the same generated models
// (gen_models.py): models_ref.o, compiled with `bnn-compile --no-bnn-passes`
// (the model as written: float convolutions on +-1 values, weights computed
// at run time from the Level 1 expressions), and models_opt.o, compiled with
// the full pipeline (packed XOR/popcount kernels, integer thresholds). For
// every model and kInputs inputs (std::mt19937 seeded by model and input
// index) it calls both and compares the logits:
//
//   * every logit: |opt - ref| <= kTol * (1 + |ref|), kTol = 1e-4. Where the
//     last binary layer is followed by batch norm and sign, the classifier
//     sees the same +-1 features in both variants and the logits are
//     expected to be bit-identical (the harness counts the ones that are);
//     where it is followed by batch norm only (the bnn.scale path), the
//     packed path computes alpha * n with one rounding while the float path
//     sums alpha * (+-1) term by term, so the logits differ by rounding;
//   * the predicted class (argmax over the 10 logits, first maximum) of each
//     batch row must be identical.
//
// Inputs: even-numbered inputs are on the 1/4 grid in [-2, 2] (the first
// float layer's sums are then exact and its batch-norm switch points lie
// between grid values: the model's signs are known exactly), odd-numbered
// ones are uniform in [-2, 2] (the first layer is float in both variants and
// computed by the same ops).
//
// The oracle: for the generator's calibration images (on the 1/4 grid), the
// logits of both variants must also match, within the same tolerance, the
// ones that gen_models.py computes by its exact simulation of the binarized
// network (bit operations on packed integers, float64 classifier): a bug
// that both variants share cannot pass unnoticed.
//
// Prints one line per failure, a summary line per model, and last
// "N passed, M failed" (N, M counting model inputs, oracle inputs included);
// exits with 1 on failure.
//
// Usage: harness [-v]
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace {

/// An input (a batch of the generator's calibration images) and the logits
/// that the generator's exact simulation of the model gives for it.
struct Oracle {
  const float *input;
  const double *logits;
};

struct ModelInfo {
  const char *name;
  const char *desc;
  int batch, h, w, c;
  bool finalSign; // the classifier reads signs: logits expected bit-exact
  void (*ref)(const float *, float *);
  void (*opt)(const float *, float *);
  const Oracle *oracles;
  int numOracles;
};

#include "models.inc"

constexpr int kInputs = 8;
constexpr int kClasses = 10;
constexpr double kTol = 1e-4;

int argmax(const float *v) {
  int best = 0;
  for (int k = 1; k < kClasses; ++k)
    if (v[k] > v[best])
      best = k;
  return best;
}

bool sameBits(float a, float b) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  return x == y;
}

} // namespace

int main(int argc, char **argv) {
  bool verbose = argc > 1 && std::strcmp(argv[1], "-v") == 0;
  long passed = 0, failed = 0;
  const int numModels = sizeof(kModels) / sizeof(kModels[0]);
  for (int mi = 0; mi < numModels; ++mi) {
    const ModelInfo &m = kModels[mi];
    const size_t inSize = static_cast<size_t>(m.batch) * m.h * m.w * m.c;
    const size_t outSize = static_cast<size_t>(m.batch) * kClasses;
    long exact = 0, total = 0;
    double maxDiff = 0;
    int modelFailures = 0;
    std::vector<int> classCount(kClasses, 0);
    for (int in = 0; in < kInputs; ++in) {
      std::mt19937 rng(static_cast<uint32_t>(1000 * mi + in + 1));
      std::vector<float> x(inSize);
      if (in % 2 == 0) {
        std::uniform_int_distribution<int> grid(-8, 8);
        for (float &v : x)
          v = static_cast<float>(grid(rng)) / 4.0f;
      } else {
        std::uniform_real_distribution<float> u(-2.0f, 2.0f);
        for (float &v : x)
          v = u(rng);
      }
      std::vector<float> x2 = x;
      // Outputs pre-filled with NaN: every element must be written.
      std::vector<float> ref(outSize, NAN), opt(outSize, NAN);
      m.ref(x.data(), ref.data());
      m.opt(x2.data(), opt.data());
      bool ok = true;
      if (std::memcmp(x.data(), x2.data(), inSize * sizeof(float)) != 0) {
        std::printf("FAIL %s input %d: a compiled model wrote its input\n",
                    m.name, in);
        ok = false;
      }
      for (int n = 0; n < m.batch; ++n) {
        const float *r = &ref[n * kClasses], *o = &opt[n * kClasses];
        for (int k = 0; k < kClasses; ++k) {
          ++total;
          if (sameBits(r[k], o[k]))
            ++exact;
          double diff = std::fabs(static_cast<double>(o[k]) - r[k]);
          if (!(diff <= kTol * (1.0 + std::fabs(r[k])))) {
            std::printf("FAIL %s input %d row %d logit %d: opt %.9g ref %.9g "
                        "(|diff| %.3g)\n",
                        m.name, in, n, k, o[k], r[k], diff);
            ok = false;
          }
          if (diff > maxDiff || std::isnan(diff))
            maxDiff = diff;
        }
        int ca = argmax(o), cb = argmax(r);
        ++classCount[cb];
        if (ca != cb) {
          std::printf(
              "FAIL %s input %d row %d: predicted class opt %d ref %d\n",
              m.name, in, n, ca, cb);
          ok = false;
        }
        if (verbose) {
          std::printf("  %s input %d row %d class %d logits", m.name, in, n,
                      cb);
          for (int k = 0; k < kClasses; ++k)
            std::printf(" %.6g", r[k]);
          std::printf("\n");
        }
      }
      if (ok)
        ++passed;
      else {
        ++failed;
        ++modelFailures;
      }
      std::fflush(stdout);
    }
    // The oracle: both variants against the generator's simulation.
    for (int j = 0; j < m.numOracles; ++j) {
      const Oracle &or_ = m.oracles[j];
      std::vector<float> x(or_.input, or_.input + inSize);
      std::vector<float> ref(outSize, NAN), opt(outSize, NAN);
      m.ref(x.data(), ref.data());
      m.opt(x.data(), opt.data());
      bool ok = true;
      for (int n = 0; n < m.batch; ++n) {
        const double *e = &or_.logits[n * kClasses];
        for (int v = 0; v < 2; ++v) {
          const float *got = v == 0 ? &ref[n * kClasses] : &opt[n * kClasses];
          for (int k = 0; k < kClasses; ++k) {
            double diff = std::fabs(got[k] - e[k]);
            if (!(diff <= kTol * (1.0 + std::fabs(e[k])))) {
              std::printf("FAIL %s oracle %d row %d logit %d: %s %.9g, "
                          "simulation %.9g\n",
                          m.name, j, n, k, v == 0 ? "ref" : "opt", got[k],
                          e[k]);
              ok = false;
            }
          }
        }
      }
      ok ? ++passed : ++failed;
      if (!ok)
        ++modelFailures;
    }
    if (m.finalSign && exact != total) {
      std::printf("FAIL %s: %ld of %ld logits not bit-identical although the "
                  "classifier reads signs\n",
                  m.name, total - exact, total);
      ++failed;
      ++modelFailures;
    }
    int distinct = 0;
    for (int c : classCount)
      distinct += c > 0;
    std::printf("%s %s: %s; %ld/%ld logits bit-identical, max |diff| %.3g, "
                "%d distinct classes [%s]\n",
                modelFailures ? "FAILED" : "ok", m.name, m.desc, exact, total,
                maxDiff, distinct,
                m.finalSign ? "signs: exact" : "bnn.scale path: rounding");
  }
  std::printf("%ld passed, %ld failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
