//===- harness.cpp - End-to-end differential test of compiled bnn ops -----===//
//
// Links with the object compiled from the generated cases.mlir and with the
// reference library (lib/Reference, compiled into this program). For every
// case of the generated cases.inc it
//
//   1. generates the inputs with std::mt19937 seeded by the case id (float
//      values in [-2, 2] with exact zeros, -0.0 and +-1; packed inputs made
//      by packing random floats with the reference `pack`, so bits past the
//      logical size are 0; masks from the nonzero plane of random {-1, 0, 1}),
//   2. replays the case on the reference library,
//   3. calls the compiled function (outputs pre-filled with a 0xA5 pattern
//      and followed by guard bytes; inputs checked unchanged afterwards),
//   4. compares: integer and packed results bit-exact (packed words include
//      the bits past the logical size, which must be 0); float results of
//      elementwise ops (sign, unpack) exact; float results of reductions
//      within a rounding-error bound computed alongside the reference value:
//
//        |got - expected| <= err, err = 2 (K + 2) FLT_EPSILON * M (+ what
//        the operands' own errors contribute),
//
//      where K is the length of the reduction and M the sum of the
//      magnitudes of its terms (for orthonormal_transform the reference
//      applied to |x| and |q|; for importance_sign and ternary, whose terms
//      are non-negative, the result itself). For sq_regularizer,
//      err = 4 (K + 8) FLT_EPSILON (r + mean_i 2 |u_i| (|u_i| + 1)), as its
//      terms depend on u = w / mean|w|, itself a reduction. For scale,
//      err = 2 FLT_EPSILON (|acc * multiplier| + |bias|), which admits a
//      fused multiply-add. These bounds hold for any summation order, so
//      tiling and vectorization cannot make the test flaky. An element whose
//      sign depends on a computed value within its error of 0 is not
//      compared.
//
// Prints one line per failing case and, last, "N passed, M failed" alone on
// a line; exits with 1 if any case failed.
//
// Usage: harness [-v] [case-id...]
//
//===----------------------------------------------------------------------===//

#include "bnn/Reference/Reference.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ref = bnn::ref;
using S = std::vector<int64_t>;

namespace {

/// Input distributions.
enum class Gen {
  Float,       // [-2, 2], with exact 0, -0.0, +1 and -1 (1/16 each)
  Special,     // Float, plus NaN, -NaN, +-inf, +-denormals, +-FLT_MAX
  Ternary,     // {-1, 0, +1}
  NonNeg,      // |Float| (importances)
  Ones,        // all 1
  Zeros,       // all 0
  Delta,       // [0, 1.5], with exact 0 and 1
  DeltaLarge,  // 3: above every Float value
  Beta,        // [pi/4, pi/2 - 0.05]
  BetaQuarter, // float(pi/4)
  BetaHigh,    // pi/2 - 0.01
  Orthonormal, // a random orthonormal matrix (square shape)
};

enum class Kind { F32, I32, Packed };

/// A value of a case, computed by the reference.
struct Value {
  Kind kind = Kind::F32;
  S shape; // the ABI shape: words innermost for packed values
  // F32: values, error bounds, and the elements that are not compared.
  std::vector<float> f;
  std::vector<double> err;
  std::vector<uint8_t> dontcare;
  // The error bounds never change a sign or make a value zero (y = alpha * t
  // with alpha > 0 exact in sign): sign and nonzero bits are exact.
  bool signsExact = true;
  // I32.
  std::vector<int32_t> i;
  // Packed (p.shape == shape); `logical` is the innermost logical size.
  ref::PackedTensor p;
  int64_t logical = 0;

  ref::Tensor tensor() const { return {shape, f}; }
  ref::IntTensor intTensor() const { return {shape, i}; }
  size_t elementBytes() const {
    return kind == Kind::Packed ? p.wordBits / 8 : 4;
  }
  size_t numElements() const { return ref::numElements(shape).value(); }
};

ref::Conv2DParams conv(int64_t channelsIn, std::array<int64_t, 2> strides,
                       std::array<int64_t, 2> dilations,
                       std::array<int64_t, 4> padding, int64_t padValue,
                       int64_t groups) {
  ref::Conv2DParams p;
  p.channelsIn = channelsIn;
  p.strides = strides;
  p.dilations = dilations;
  p.padding = padding;
  p.padValue = padValue;
  p.groups = groups;
  return p;
}

ref::Pool2DParams pool(std::array<int64_t, 2> kernel,
                       std::array<int64_t, 2> strides,
                       std::array<int64_t, 4> padding) {
  ref::Pool2DParams p;
  p.kernel = kernel;
  p.strides = strides;
  p.padding = padding;
  return p;
}

[[noreturn]] void caseError(const std::string &msg) {
  throw std::runtime_error(msg);
}

/// The value of a reference result; an error (the reference rejected the
/// case) is a case error.
template <typename T> T checked(ref::Result<T> result) {
  if (!result)
    caseError(result.error());
  return std::move(result).value();
}

constexpr double kEps = FLT_EPSILON;
constexpr double kPi = 3.14159265358979323846;

/// Builds one case: generates its inputs, runs the reference, records the
/// inputs and outputs of the compiled function. The generated build_case_N
/// functions call it in the order of the MLIR function's body.
class Builder {
public:
  int id = -1;
  std::string op, desc;
  std::vector<Value> values;
  std::vector<int> inputs, outputs;
  std::vector<S> declaredShapes;
  void (*call)(void **) = nullptr;
  bool defined = false; // the object defines case_<id> (weak declaration)

  void begin(int caseId, const char *opName, const char *description) {
    id = caseId;
    op = opName;
    desc = description;
    rng.seed(static_cast<uint32_t>(caseId));
  }

  //--- inputs ---------------------------------------------------------------

  int inF32(S shape, Gen gen) {
    Value v;
    v.kind = Kind::F32;
    v.shape = shape;
    v.f = generate(shape, gen);
    v.err.assign(v.f.size(), 0.0);
    v.dontcare.assign(v.f.size(), 0);
    return input(std::move(v));
  }

  int inI32(S shape, int lo, int hi) {
    Value v;
    v.kind = Kind::I32;
    v.shape = shape;
    v.i.resize(checked(ref::numElements(shape)));
    for (int32_t &x : v.i)
      x = lo + static_cast<int32_t>(rng() % static_cast<uint32_t>(hi - lo + 1));
    return input(std::move(v));
  }

  /// Packs random floats of `logicalShape`: the sign plane of Float values,
  /// or the nonzero plane of Ternary values.
  int inPacked(S logicalShape, unsigned wordBits, ref::Plane plane) {
    Gen gen = plane == ref::Plane::Sign ? Gen::Float : Gen::Ternary;
    ref::Tensor t{logicalShape, generate(logicalShape, gen)};
    return input(
        packed(checked(ref::pack(t, wordBits, plane)), logicalShape.back()));
  }

  //--- ops ------------------------------------------------------------------

  int sign(int xi) {
    const Value &x = f32(xi);
    Value y = fromTensor(checked(ref::sign(x.tensor())));
    for (size_t k = 0; k < y.f.size(); ++k)
      y.dontcare[k] = x.dontcare[k] || uncertainSign(x, k);
    return add(std::move(y));
  }

  int orthonormalTransform(int xi, int qi, int64_t axis, bool transpose) {
    const Value &x = f32(xi), &q = f32(qi);
    requireExact(q, "orthonormal_transform q");
    Value y = fromTensor(checked(
        ref::orthonormalTransform(x.tensor(), q.tensor(), axis, transpose)));
    // err = 2 (n + 2) eps sum_j |q_ij x_j| + sum_j |q_ij| err_j.
    ref::Tensor absX = abs(x.tensor()), absQ = abs(q.tensor());
    ref::Tensor mag =
        checked(ref::orthonormalTransform(absX, absQ, axis, transpose));
    ref::Tensor errIn{x.shape, std::vector<float>(x.err.begin(), x.err.end())};
    ref::Tensor prop =
        checked(ref::orthonormalTransform(errIn, absQ, axis, transpose));
    double n = static_cast<double>(x.shape[axis]);
    bool anyDontcare = any(x.dontcare);
    y.signsExact = false;
    for (size_t k = 0; k < y.f.size(); ++k) {
      y.err[k] = 2 * (n + 2) * kEps * mag.data[k] + 1.01 * prop.data[k];
      y.dontcare[k] = anyDontcare;
    }
    return add(std::move(y));
  }

  int importanceSign(int xi, int si) {
    const Value &x = f32(xi), &s = f32(si);
    requireExact(s, "importance_sign s");
    Value y = fromTensor(checked(ref::importanceSign(x.tensor(), s.tensor())));
    const int64_t O = x.shape[0];
    const int64_t K = O == 0 ? 0 : static_cast<int64_t>(x.f.size()) / O;
    double sumS = 0;
    for (float v : s.f)
      sumS += v;
    for (int64_t o = 0; o < O; ++o) {
      double propagated = 0;
      bool rowDontcare = false;
      for (int64_t k = 0; k < K; ++k) {
        propagated += static_cast<double>(s.f[k]) * x.err[o * K + k];
        rowDontcare |= x.dontcare[o * K + k] != 0;
      }
      if (sumS != 0)
        propagated /= sumS;
      for (int64_t k = 0; k < K; ++k) {
        size_t e = o * K + k;
        y.err[e] = 2 * (K + 2) * kEps * std::fabs(y.f[e]) + 1.01 * propagated;
        y.dontcare[e] = rowDontcare || uncertainSign(x, e);
      }
    }
    return add(std::move(y));
  }

  int ternary(int xi, int di) {
    const Value &x = f32(xi), &d = f32(di);
    requireExact(x, "ternary x");
    requireExact(d, "ternary delta");
    Value y = fromTensor(checked(ref::ternary(x.tensor(), d.f)));
    const int64_t O = x.shape[0];
    const int64_t K = O == 0 ? 0 : static_cast<int64_t>(x.f.size()) / O;
    for (size_t e = 0; e < y.f.size(); ++e)
      y.err[e] = 2 * (K + 2) * kEps * std::fabs(y.f[e]);
    return add(std::move(y));
  }

  int sqRegularizer(int wi, int bi) {
    const Value &w = f32(wi), &beta = f32(bi);
    requireExact(w, "sq_regularizer w");
    requireExact(beta, "sq_regularizer beta");
    float r = checked(ref::sqRegularizer(w.tensor(), beta.f.at(0)));
    // The terms depend on u = w / mean|w|, itself known to (K + 2) eps
    // relatively; a term's error is at most 2 |u| (|u| + 1) times that.
    const double K = static_cast<double>(w.f.size());
    double meanAbs = 0;
    for (float v : w.f)
      meanAbs += std::fabs(v);
    meanAbs /= K;
    double sens = 0;
    if (meanAbs != 0)
      for (float v : w.f) {
        double u = std::fabs(v) / meanAbs;
        sens += 2 * u * (u + 1);
      }
    sens /= K;
    Value y;
    y.kind = Kind::F32;
    y.shape = {};
    y.f = {r};
    y.err = {4 * (K + 8) * kEps * (std::fabs(r) + sens)};
    y.dontcare = {0};
    return add(std::move(y));
  }

  int pack(int xi, unsigned wordBits, ref::Plane plane) {
    const Value &x = f32(xi);
    for (size_t k = 0; k < x.f.size(); ++k)
      if (x.dontcare[k] || uncertainSign(x, k))
        caseError("pack of a computed float whose sign is uncertain: the "
                  "harness has no error model for packed bits");
    return add(packed(checked(ref::pack(x.tensor(), wordBits, plane)),
                      x.shape.back()));
  }

  int unpack(int pi, int64_t size) {
    Value y = fromTensor(checked(ref::unpack(packedValue(pi).p, size)));
    return add(std::move(y));
  }

  int bconv2d(int xi, int fi, int mi, const ref::Conv2DParams &params) {
    const ref::PackedTensor *mask = mi >= 0 ? &packedValue(mi).p : nullptr;
    return add(fromInt(checked(
        ref::bconv2d(packedValue(xi).p, packedValue(fi).p, mask, params))));
  }

  int bdense(int xi, int fi, int mi, int64_t size) {
    const ref::PackedTensor *mask = mi >= 0 ? &packedValue(mi).p : nullptr;
    return add(fromInt(checked(
        ref::bdense(packedValue(xi).p, packedValue(fi).p, mask, size))));
  }

  int bmaxpool2d(int xi, const ref::Pool2DParams &params) {
    const Value &x = packedValue(xi);
    return add(packed(checked(ref::bmaxpool2d(x.p, params)), x.logical));
  }

  int scale(int ai, int mi, int bi) {
    const Value &acc = intValue(ai), &m = f32(mi), &b = f32(bi);
    requireExact(m, "scale multiplier");
    requireExact(b, "scale bias");
    Value y = fromTensor(checked(ref::scale(acc.intTensor(), m.f, b.f)));
    y.signsExact = false;
    const size_t O = m.f.size();
    for (size_t e = 0; e < y.f.size(); ++e)
      y.err[e] = 2 * kEps *
                 (std::fabs(static_cast<double>(acc.i[e]) * m.f[e % O]) +
                  std::fabs(b.f[e % O]));
    return add(std::move(y));
  }

  int threshold(int ai, int ti, unsigned wordBits) {
    const Value &acc = intValue(ai), &t = intValue(ti);
    return add(packed(checked(ref::threshold(acc.intTensor(), t.i, wordBits)),
                      acc.shape.back()));
  }

  void out(int v, S shape) {
    if (values.at(v).shape != shape)
      caseError("reference result shape " + shapeStr(values[v].shape) +
                " differs from the declared " + shapeStr(shape));
    outputs.push_back(v);
  }

  static std::string shapeStr(const S &shape) {
    std::string s = "[";
    for (size_t k = 0; k < shape.size(); ++k)
      s += (k ? "," : "") + std::to_string(shape[k]);
    return s + "]";
  }

private:
  std::mt19937 rng;

  /// A float of [lo, hi] from 24 random bits.
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(rng() >> 8) * 0x1p-24f;
  }

  float floatValue() {
    switch (rng() % 16) {
    case 0:
      return 0.0f;
    case 1:
      return -0.0f;
    case 2:
      return 1.0f;
    case 3:
      return -1.0f;
    default:
      return uniform(-2.0f, 2.0f);
    }
  }

  std::vector<float> generate(const S &shape, Gen gen) {
    const int64_t n = checked(ref::numElements(shape));
    std::vector<float> v(n);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    switch (gen) {
    case Gen::Float:
      for (float &x : v)
        x = floatValue();
      break;
    case Gen::Special: {
      const float specials[] = {nan,     -nan,     inf,     -inf,
                                1e-40f,  -1e-40f,  FLT_MAX, -FLT_MAX,
                                FLT_MIN, -FLT_MIN, -0.0f,   0.0f};
      for (float &x : v) {
        uint32_t r = rng() % 32;
        x = r < 12 ? specials[r] : floatValue();
      }
      break;
    }
    case Gen::Ternary:
      for (float &x : v)
        x = static_cast<float>(static_cast<int>(rng() % 3) - 1);
      break;
    case Gen::NonNeg:
      for (float &x : v)
        x = std::fabs(floatValue());
      break;
    case Gen::Ones:
      std::fill(v.begin(), v.end(), 1.0f);
      break;
    case Gen::Zeros:
      std::fill(v.begin(), v.end(), 0.0f);
      break;
    case Gen::Delta:
      for (float &x : v) {
        uint32_t r = rng() % 8;
        x = r == 0 ? 0.0f : r == 1 ? 1.0f : uniform(0.0f, 1.5f);
      }
      break;
    case Gen::DeltaLarge:
      std::fill(v.begin(), v.end(), 3.0f);
      break;
    case Gen::Beta:
      for (float &x : v)
        x = uniform(static_cast<float>(kPi / 4),
                    static_cast<float>(kPi / 2 - 0.05));
      break;
    case Gen::BetaQuarter:
      std::fill(v.begin(), v.end(), static_cast<float>(kPi / 4));
      break;
    case Gen::BetaHigh:
      std::fill(v.begin(), v.end(), static_cast<float>(kPi / 2 - 0.01));
      break;
    case Gen::Orthonormal:
      v = orthonormal(shape);
      break;
    }
    return v;
  }

  /// Gram-Schmidt on a random matrix, in double, rounded once.
  std::vector<float> orthonormal(const S &shape) {
    if (shape.size() != 2 || shape[0] != shape[1])
      caseError("Gen::Orthonormal needs a square matrix, got " +
                shapeStr(shape));
    const int64_t n = shape[0];
    std::vector<double> m(n * n);
    for (int64_t i = 0; i < n; ++i) {
      double *row = &m[i * n];
      double norm = 0;
      do {
        for (int64_t j = 0; j < n; ++j)
          row[j] = uniform(-1.0f, 1.0f);
        for (int pass = 0; pass < 2; ++pass)
          for (int64_t k = 0; k < i; ++k) {
            double dot = 0;
            for (int64_t j = 0; j < n; ++j)
              dot += row[j] * m[k * n + j];
            for (int64_t j = 0; j < n; ++j)
              row[j] -= dot * m[k * n + j];
          }
        norm = 0;
        for (int64_t j = 0; j < n; ++j)
          norm += row[j] * row[j];
        norm = std::sqrt(norm);
      } while (norm < 1e-3);
      for (int64_t j = 0; j < n; ++j)
        row[j] /= norm;
    }
    return std::vector<float>(m.begin(), m.end());
  }

  int input(Value v) {
    int id = add(std::move(v));
    inputs.push_back(id);
    return id;
  }

  int add(Value v) {
    values.push_back(std::move(v));
    return static_cast<int>(values.size()) - 1;
  }

  const Value &f32(int v) const { return expect(v, Kind::F32, "f32"); }
  const Value &intValue(int v) const { return expect(v, Kind::I32, "i32"); }
  const Value &packedValue(int v) const {
    return expect(v, Kind::Packed, "packed");
  }
  const Value &expect(int v, Kind kind, const char *what) const {
    if (v < 0 || v >= static_cast<int>(values.size()) || values[v].kind != kind)
      caseError(std::string("value ") + std::to_string(v) + " is not " + what);
    return values[v];
  }

  static void requireExact(const Value &v, const char *what) {
    if (any(v.dontcare) ||
        std::any_of(v.err.begin(), v.err.end(), [](double e) { return e; }))
      caseError(std::string(what) +
                " is a computed float: the harness has no error model for it");
  }

  static bool any(const std::vector<uint8_t> &flags) {
    return std::any_of(flags.begin(), flags.end(), [](uint8_t b) { return b; });
  }

  /// The sign (and zeroness) of x[k] is uncertain when x[k] is within its
  /// error of 0.
  static bool uncertainSign(const Value &x, size_t k) {
    return !x.signsExact && x.err[k] > 0 && std::fabs(x.f[k]) <= x.err[k];
  }

  static ref::Tensor abs(ref::Tensor t) {
    for (float &x : t.data)
      x = std::fabs(x);
    return t;
  }

  static Value fromTensor(ref::Tensor t) {
    Value v;
    v.kind = Kind::F32;
    v.shape = std::move(t.shape);
    v.f = std::move(t.data);
    v.err.assign(v.f.size(), 0.0);
    v.dontcare.assign(v.f.size(), 0);
    return v;
  }

  static Value fromInt(ref::IntTensor t) {
    Value v;
    v.kind = Kind::I32;
    v.shape = std::move(t.shape);
    v.i = std::move(t.data);
    return v;
  }

  static Value packed(ref::PackedTensor p, int64_t logical) {
    Value v;
    v.kind = Kind::Packed;
    v.shape = p.shape;
    v.p = std::move(p);
    v.logical = logical;
    return v;
  }
};

#include "cases.inc"

constexpr size_t kGuardBytes = 64;
constexpr unsigned char kFill = 0xA5;

/// A 64-byte aligned byte buffer.
struct Buffer {
  std::vector<uint64_t> storage;
  size_t bytes = 0;
  explicit Buffer(size_t n) : storage((n + kGuardBytes) / 8 + 16), bytes(n) {}
  unsigned char *data() {
    auto addr = reinterpret_cast<uintptr_t>(storage.data());
    return reinterpret_cast<unsigned char *>((addr + 63) & ~uintptr_t(63));
  }
};

/// The ABI bytes of an input value.
void writeValue(const Value &v, unsigned char *dst) {
  switch (v.kind) {
  case Kind::F32:
    std::memcpy(dst, v.f.data(), v.f.size() * sizeof(float));
    break;
  case Kind::I32:
    std::memcpy(dst, v.i.data(), v.i.size() * sizeof(int32_t));
    break;
  case Kind::Packed:
    if (v.p.wordBits == 64) {
      std::memcpy(dst, v.p.data.data(), v.p.data.size() * sizeof(uint64_t));
    } else {
      for (size_t k = 0; k < v.p.data.size(); ++k) {
        uint32_t w = static_cast<uint32_t>(v.p.data[k]);
        std::memcpy(dst + 4 * k, &w, 4);
      }
    }
    break;
  }
}

std::string indexStr(const S &shape, size_t flat) {
  S idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = static_cast<int64_t>(flat % shape[d]);
    flat /= shape[d];
  }
  return Builder::shapeStr(idx);
}

std::string kindStr(const Value &v) {
  switch (v.kind) {
  case Kind::F32:
    return "f32";
  case Kind::I32:
    return "i32";
  case Kind::Packed:
    return "i" + std::to_string(v.p.wordBits) + " (" +
           std::to_string(v.logical) + " bits/row)";
  }
  return "?";
}

/// Compares one output; returns an empty string when it matches. Raises
/// `worstRatio` to the largest |got - expected| / tolerance of its elements.
std::string compare(const Value &expected, const unsigned char *got,
                    double &worstRatio) {
  const size_t n = expected.numElements();
  size_t bad = 0, first = 0;
  std::string gotStr, expStr;
  char buf[128];
  for (size_t k = 0; k < n; ++k) {
    bool ok = true;
    switch (expected.kind) {
    case Kind::F32: {
      float a;
      std::memcpy(&a, got + 4 * k, 4);
      float b = expected.f[k];
      if (expected.dontcare[k])
        ok = !std::isnan(a);
      else if (expected.err[k] == 0)
        ok = a == b;
      else {
        double diff = std::fabs(static_cast<double>(a) - b);
        ok = diff <= expected.err[k];
        worstRatio = std::max(worstRatio, diff / expected.err[k]);
      }
      if (!ok && bad == 0) {
        std::snprintf(buf, sizeof buf, "%.9g", a);
        gotStr = buf;
        std::snprintf(buf, sizeof buf, "%.9g (tolerance %.3g)", b,
                      expected.err[k]);
        expStr = buf;
      }
      break;
    }
    case Kind::I32: {
      int32_t a;
      std::memcpy(&a, got + 4 * k, 4);
      ok = a == expected.i[k];
      if (!ok && bad == 0) {
        gotStr = std::to_string(a);
        expStr = std::to_string(expected.i[k]);
      }
      break;
    }
    case Kind::Packed: {
      uint64_t a = 0;
      const int width = expected.p.wordBits;
      if (width == 64) {
        std::memcpy(&a, got + 8 * k, 8);
      } else {
        uint32_t w;
        std::memcpy(&w, got + 4 * k, 4);
        a = w;
      }
      ok = a == expected.p.data[k];
      if (!ok && bad == 0) {
        std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, width / 4, a);
        gotStr = buf;
        std::snprintf(buf, sizeof buf, "0x%0*" PRIx64 " (xor 0x%0*" PRIx64 ")",
                      width / 4, expected.p.data[k], width / 4,
                      a ^ expected.p.data[k]);
        expStr = buf;
      }
      break;
    }
    }
    if (!ok && bad++ == 0)
      first = k;
  }
  if (bad == 0)
    return "";
  return std::to_string(bad) + "/" + std::to_string(n) +
         " elements differ; first at " + indexStr(expected.shape, first) +
         ": got " + gotStr + ", expected " + expStr;
}

/// Runs one case; returns an empty string on success, else why it failed.
std::string runCase(void (*build)(Builder &), std::string &desc,
                    double &worstRatio) {
  Builder b;
  // The Builder reports a case it cannot build, including one whose
  // arguments the reference rejects (see checked()), with caseError.
  try {
    build(b);
  } catch (const std::exception &e) {
    desc = b.desc;
    return std::string("reference rejected the case: ") + e.what();
  }
  desc = b.desc;
  if (!b.call)
    return "no function to call";
  if (!b.defined)
    return "the object does not define case_" + std::to_string(b.id);

  std::vector<Buffer> buffers;
  std::vector<void *> args;
  for (int v : b.inputs) {
    const Value &val = b.values[v];
    buffers.emplace_back(val.numElements() * val.elementBytes());
    writeValue(val, buffers.back().data());
  }
  for (int v : b.outputs) {
    const Value &val = b.values[v];
    buffers.emplace_back(val.numElements() * val.elementBytes());
  }
  for (size_t k = 0; k < buffers.size(); ++k) {
    // Results start as a 0xA5 pattern (no plausible value), so elements the
    // function does not write are caught; every buffer has guard bytes.
    Buffer &buf = buffers[k];
    bool isInput = k < b.inputs.size();
    std::memset(buf.data() + (isInput ? buf.bytes : 0), kFill,
                (isInput ? 0 : buf.bytes) + kGuardBytes);
    args.push_back(buf.data());
  }
  // Inputs as written, to check that they stay unchanged.
  std::vector<std::vector<unsigned char>> inputCopies;
  for (size_t k = 0; k < b.inputs.size(); ++k)
    inputCopies.emplace_back(buffers[k].data(),
                             buffers[k].data() + buffers[k].bytes);

  b.call(args.data());

  std::string failures;
  auto addFailure = [&](const std::string &msg) {
    failures += (failures.empty() ? "" : "; ") + msg;
  };
  for (size_t k = 0; k < buffers.size(); ++k) {
    const unsigned char *guard = buffers[k].data() + buffers[k].bytes;
    for (size_t g = 0; g < kGuardBytes; ++g)
      if (guard[g] != kFill) {
        addFailure(
            "write past the end of " +
            std::string(k < b.inputs.size() ? "input " : "result ") +
            std::to_string(k < b.inputs.size() ? k : k - b.inputs.size()) +
            " (guard byte " + std::to_string(g) + ")");
        break;
      }
  }
  for (size_t k = 0; k < b.inputs.size(); ++k)
    if (std::memcmp(inputCopies[k].data(), buffers[k].data(),
                    buffers[k].bytes) != 0)
      addFailure("input " + std::to_string(k) + " was modified");
  for (size_t r = 0; r < b.outputs.size(); ++r) {
    const Value &expected = b.values[b.outputs[r]];
    std::string msg =
        compare(expected, buffers[b.inputs.size() + r].data(), worstRatio);
    if (!msg.empty())
      addFailure("result " + std::to_string(r) + " " + kindStr(expected) +
                 Builder::shapeStr(expected.shape) + ": " + msg);
  }
  return failures;
}

} // namespace

int main(int argc, char **argv) {
  bool verbose = false;
  std::set<long> only;
  for (int a = 1; a < argc; ++a) {
    if (std::strcmp(argv[a], "-v") == 0) {
      verbose = true;
    } else {
      char *end = nullptr;
      long id = std::strtol(argv[a], &end, 10);
      if (!end || *end) {
        std::fprintf(stderr, "usage: %s [-v] [case-id...]\n", argv[0]);
        return 2;
      }
      only.insert(id);
    }
  }

  const long numCases = sizeof(kCases) / sizeof(kCases[0]);
  long passed = 0, failed = 0;
  for (long id = 0; id < numCases; ++id) {
    if (!only.empty() && !only.count(id))
      continue;
    std::string desc;
    double worstRatio = 0;
    std::string failure = runCase(kCases[id], desc, worstRatio);
    if (failure.empty()) {
      ++passed;
      if (verbose && worstRatio > 0)
        std::printf("ok   case_%ld: %s (float error at most %.3g of the "
                    "tolerance)\n",
                    id, desc.c_str(), worstRatio);
      else if (verbose)
        std::printf("ok   case_%ld: %s\n", id, desc.c_str());
    } else {
      ++failed;
      std::printf("FAIL case_%ld: %s: %s\n", id, desc.c_str(), failure.c_str());
    }
    std::fflush(stdout);
  }
  std::printf("%ld passed, %ld failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
