//===- Reference.cpp - Plain C++ semantics of every bnn op ----------------===//
//
// The test oracle (DESIGN.md sections 2 and 3), in one file on purpose: the
// semantics of every op side by side, each a plain loop nest with its own
// argument checks, so that a reviewer can check it against DESIGN.md
// without following calls into shared machinery. Clear loops over dense
// row-major buffers; every argument is validated and a violation makes the
// function return an Error (see Result in Reference.h) instead of a value,
// so the oracle never computes garbage silently. Nothing here throws: the
// compiler, built with -fno-exceptions, folds constants with these
// functions.
//
// Conventions of this file:
//   * Float reductions (convolutions, dense, contractions, means) accumulate
//     in double and round to float once at the end.
//   * Packed inputs: bits past the logical size of a row, and for W = 32 the
//     upper 32 bits of each uint64_t element, are ignored (masked off) by
//     bconv2d and bdense, so garbage there does not change the result.
//     bmaxpool2d has no logical size, so it ANDs whole W-bit words: its
//     output tail bits are the AND of the input tail bits (0 for inputs that
//     follow the layout); the upper 32 bits of a W = 32 output are always 0.
//
//===----------------------------------------------------------------------===//

#include "bnn/Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

namespace bnn::ref {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

/// The outcome of an argument check: nothing when the arguments are valid,
/// else the error.
using Check = std::optional<Error>;

/// Returns the error of a failed Check from the enclosing function (whose
/// result is a Result or a Check).
#define RETURN_IF_ERROR(check)                                                 \
  do {                                                                         \
    if (Check error_ = (check))                                                \
      return *error_;                                                          \
  } while (false)

Error fail(const std::string &fn, const std::string &msg) {
  return Error{"bnn::ref::" + fn + ": " + msg};
}

/// The error of a Result, as a Check.
template <typename T> Check errorOf(const Result<T> &result) {
  if (result)
    return std::nullopt;
  return Error{result.error()};
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string str(int64_t v) { return std::to_string(v); }

/// Number of elements of a shape whose dimensions are non-negative.
int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The data of a tensor must hold exactly numElements(shape) values.
template <typename T>
Check checkData(const std::string &fn, const std::string &name,
                const std::vector<int64_t> &shape, const std::vector<T> &data) {
  for (int64_t d : shape)
    if (d < 0)
      return fail(fn, name + " has a negative dimension: shape " +
                          shapeString(shape));
  if (static_cast<int64_t>(data.size()) != product(shape))
    return fail(fn, name + " has shape " + shapeString(shape) + " (" +
                        str(product(shape)) + " elements) but holds " +
                        str(static_cast<int64_t>(data.size())) + " values");
  return std::nullopt;
}

Check checkRank(const std::string &fn, const std::string &name,
                const std::vector<int64_t> &shape, size_t rank) {
  if (shape.size() != rank)
    return fail(fn, name + " must have rank " +
                        str(static_cast<int64_t>(rank)) + ", got shape " +
                        shapeString(shape));
  return std::nullopt;
}

Check checkMinRank(const std::string &fn, const std::string &name,
                   const std::vector<int64_t> &shape, size_t rank) {
  if (shape.size() < rank)
    return fail(fn,
                name + " must have rank >= " + str(static_cast<int64_t>(rank)) +
                    ", got shape " + shapeString(shape));
  return std::nullopt;
}

Check checkWordBits(const std::string &fn, unsigned wordBits) {
  if (wordBits != 32 && wordBits != 64)
    return fail(fn, "word width must be 32 or 64, got " + str(wordBits));
  return std::nullopt;
}

Check checkPacked(const std::string &fn, const std::string &name,
                  const PackedTensor &p) {
  RETURN_IF_ERROR(checkWordBits(fn, p.wordBits));
  RETURN_IF_ERROR(checkData(fn, name, p.shape, p.data));
  return std::nullopt;
}

/// Product of all dimensions but the innermost one.
int64_t outerRows(const std::vector<int64_t> &shape) {
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i)
    rows *= shape[i];
  return rows;
}

/// The lowest `n` bits set, 0 <= n <= 64.
uint64_t lowBits(int64_t n) {
  return n >= 64 ? ~uint64_t(0) : (uint64_t(1) << n) - 1;
}

/// The logical bits of word `j` of a packed row holding `size` bits.
uint64_t logicalBits(int64_t j, int64_t size, unsigned wordBits) {
  int64_t bitsInWord = std::min<int64_t>(wordBits, size - j * wordBits);
  return lowBits(bitsInWord);
}

int popcount(uint64_t x) { return __builtin_popcountll(x); }

/// One word of a packed dot product (DESIGN.md section 2): the sum of
/// x_hat * w_hat over the bits in `live` (the logical bits, further
/// restricted to the nonzero weights when there is a mask):
/// popcount(live) - 2 * popcount((a XOR b) AND live).
int64_t wordDot(uint64_t a, uint64_t b, uint64_t logical,
                const uint64_t *mask) {
  uint64_t live = mask ? (*mask & logical) : logical;
  return popcount(live) - 2 * static_cast<int64_t>(popcount((a ^ b) & live));
}

/// An accumulator must fit in the int32 result.
Check checkInt32(const std::string &fn, int64_t v) {
  if (v < std::numeric_limits<int32_t>::min() ||
      v > std::numeric_limits<int32_t>::max())
    return fail(fn, "accumulator " + str(v) + " does not fit in int32");
  return std::nullopt;
}

/// Row-major offset of [a, b, c, d] in a rank-4 shape.
int64_t at4(const std::vector<int64_t> &shape, int64_t a, int64_t b, int64_t c,
            int64_t d) {
  return ((a * shape[1] + b) * shape[2] + c) * shape[3] + d;
}

Check checkConvParams(const std::string &fn, const Conv2DParams &p) {
  if (p.channelsIn <= 0)
    return fail(fn, "channels_in must be positive, got " + str(p.channelsIn));
  if (p.groups <= 0)
    return fail(fn, "groups must be positive, got " + str(p.groups));
  if (p.channelsIn % p.groups != 0)
    return fail(fn, "channels_in " + str(p.channelsIn) +
                        " is not a multiple of groups " + str(p.groups));
  for (int64_t s : p.strides)
    if (s <= 0)
      return fail(fn, "strides must be positive, got " + str(s));
  for (int64_t d : p.dilations)
    if (d <= 0)
      return fail(fn, "dilations must be positive, got " + str(d));
  for (int64_t pad : p.padding)
    if (pad < 0)
      return fail(fn, "padding must be non-negative, got " + str(pad));
  return std::nullopt;
}

Check checkPoolParams(const std::string &fn, const Pool2DParams &p) {
  for (int64_t k : p.kernel)
    if (k <= 0)
      return fail(fn, "kernel sizes must be positive, got " + str(k));
  for (int64_t s : p.strides)
    if (s <= 0)
      return fail(fn, "strides must be positive, got " + str(s));
  for (int i = 0; i < 4; ++i) {
    int64_t pad = p.padding[i];
    int64_t k = p.kernel[i / 2];
    if (pad < 0 || pad >= k)
      return fail(fn, "padding must be in [0, kernel): padding[" + str(i) +
                          "] = " + str(pad) + ", kernel = " + str(k));
  }
  return std::nullopt;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

} // namespace

Result<int64_t> numElements(const std::vector<int64_t> &shape) {
  for (int64_t d : shape)
    if (d < 0)
      return fail("numElements",
                  "negative dimension in shape " + shapeString(shape));
  return product(shape);
}

//===----------------------------------------------------------------------===//
// Level 1 (float)
//===----------------------------------------------------------------------===//

Result<Tensor> sign(const Tensor &x) {
  RETURN_IF_ERROR(checkData("sign", "x", x.shape, x.data));
  Tensor y{x.shape, std::vector<float>(x.data.size())};
  for (size_t i = 0; i < x.data.size(); ++i)
    y.data[i] = x.data[i] < 0.0f ? -1.0f : 1.0f;
  return y;
}

float signGradient(float x, Estimator estimator) {
  double ax = std::fabs(static_cast<double>(x));
  switch (estimator) {
  case Estimator::Ste:
    return ax <= 1.0 ? 1.0f : 0.0f;
  case Estimator::Approx:
    return ax <= 1.0 ? static_cast<float>(2.0 - 2.0 * ax) : 0.0f;
  case Estimator::Swish: {
    // d/dx [2 s(bx) (1 + bx (1 - s(bx))) - 1]
    //   = 2 b s (1 - s) (2 + bx (1 - 2 s)),  s = sigmoid(bx), b = 5.
    const double b = 5.0;
    double bx = b * static_cast<double>(x);
    double s = sigmoid(bx);
    return static_cast<float>(2.0 * b * s * (1.0 - s) *
                              (2.0 + bx * (1.0 - 2.0 * s)));
  }
  case Estimator::Identity:
    return 1.0f;
  }
  // Not an Estimator (only a cast can make one): no gradient.
  return std::numeric_limits<float>::quiet_NaN();
}

Result<Tensor> orthonormalTransform(const Tensor &x, const Tensor &q,
                                    int64_t axis, bool transpose) {
  const std::string fn = "orthonormalTransform";
  RETURN_IF_ERROR(checkData(fn, "x", x.shape, x.data));
  RETURN_IF_ERROR(checkData(fn, "q", q.shape, q.data));
  int64_t rank = static_cast<int64_t>(x.shape.size());
  if (axis < 0 || axis >= rank)
    return fail(fn, "axis " + str(axis) + " out of range for x of shape " +
                        shapeString(x.shape));
  int64_t n = x.shape[axis];
  if (q.shape != std::vector<int64_t>{n, n})
    return fail(fn, "q must have shape " + shapeString({n, n}) + ", got " +
                        shapeString(q.shape));

  // View x as [outer, n, inner].
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= x.shape[i];
  for (int64_t i = axis + 1; i < rank; ++i)
    inner *= x.shape[i];

  Tensor y{x.shape, std::vector<float>(x.data.size())};
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < inner; ++k) {
        double acc = 0.0;
        for (int64_t j = 0; j < n; ++j) {
          float qij = transpose ? q.data[j * n + i] : q.data[i * n + j];
          acc += static_cast<double>(qij) * x.data[(o * n + j) * inner + k];
        }
        y.data[(o * n + i) * inner + k] = static_cast<float>(acc);
      }
  return y;
}

Result<Tensor> importanceSign(const Tensor &x, const Tensor &s) {
  const std::string fn = "importanceSign";
  RETURN_IF_ERROR(checkData(fn, "x", x.shape, x.data));
  RETURN_IF_ERROR(checkData(fn, "s", s.shape, s.data));
  RETURN_IF_ERROR(checkMinRank(fn, "x", x.shape, 1));
  std::vector<int64_t> inner(x.shape.begin() + 1, x.shape.end());
  if (s.shape != inner)
    return fail(fn, "s must have shape x.shape[1:] = " + shapeString(inner) +
                        ", got " + shapeString(s.shape));

  int64_t O = x.shape[0];
  int64_t K = product(inner);
  double sumS = 0.0;
  for (int64_t k = 0; k < K; ++k)
    sumS += s.data[k];

  Tensor y{x.shape, std::vector<float>(x.data.size())};
  for (int64_t o = 0; o < O; ++o) {
    double alpha = 0.0;
    if (sumS != 0.0) {
      double weighted = 0.0;
      for (int64_t k = 0; k < K; ++k)
        weighted +=
            static_cast<double>(s.data[k]) * std::fabs(x.data[o * K + k]);
      alpha = weighted / sumS;
    }
    for (int64_t k = 0; k < K; ++k) {
      float v = x.data[o * K + k];
      y.data[o * K + k] = static_cast<float>(alpha) * (v < 0.0f ? -1.0f : 1.0f);
    }
  }
  return y;
}

Result<Tensor> ternary(const Tensor &x, const std::vector<float> &delta) {
  const std::string fn = "ternary";
  RETURN_IF_ERROR(checkData(fn, "x", x.shape, x.data));
  RETURN_IF_ERROR(checkMinRank(fn, "x", x.shape, 1));
  int64_t O = x.shape[0];
  if (static_cast<int64_t>(delta.size()) != O)
    return fail(fn, "delta must have " + str(O) + " values (x.shape[0]), got " +
                        str(static_cast<int64_t>(delta.size())));
  int64_t K = O == 0 ? 0 : product(x.shape) / O;

  Tensor y{x.shape, std::vector<float>(x.data.size())};
  for (int64_t o = 0; o < O; ++o) {
    std::vector<float> t(K);
    double sumAbs = 0.0;
    int64_t count = 0;
    for (int64_t k = 0; k < K; ++k) {
      float v = x.data[o * K + k];
      t[k] = v > delta[o] ? 1.0f : (v < -delta[o] ? -1.0f : 0.0f);
      if (t[k] != 0.0f) {
        sumAbs += std::fabs(v);
        ++count;
      }
    }
    double alpha = count == 0 ? 0.0 : sumAbs / static_cast<double>(count);
    for (int64_t k = 0; k < K; ++k)
      y.data[o * K + k] = static_cast<float>(alpha) * t[k];
  }
  return y;
}

namespace {
Result<double> meanAbs(const std::string &fn, const Tensor &w) {
  RETURN_IF_ERROR(checkData(fn, "w", w.shape, w.data));
  if (w.data.empty())
    return fail(fn, "w must not be empty");
  double sum = 0.0;
  for (float v : w.data)
    sum += std::fabs(v);
  return sum / static_cast<double>(w.data.size());
}
} // namespace

Result<Tensor> batchNorm(const Tensor &x, const std::vector<float> &gamma,
                         const std::vector<float> &beta, float epsilon,
                         std::vector<float> *meanOut,
                         std::vector<float> *varOut) {
  const std::string fn = "batchNorm";
  RETURN_IF_ERROR(checkData(fn, "x", x.shape, x.data));
  RETURN_IF_ERROR(checkMinRank(fn, "x", x.shape, 2));
  const int64_t channels = x.shape.back();
  const int64_t rows = static_cast<int64_t>(x.data.size()) / channels;
  if (static_cast<int64_t>(gamma.size()) != channels ||
      static_cast<int64_t>(beta.size()) != channels)
    return fail(fn, "gamma and beta must have " + str(channels) + " elements");
  std::vector<double> mean(channels, 0.0), var(channels, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c)
      mean[c] += x.data[r * channels + c];
  for (double &m : mean)
    m /= static_cast<double>(rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      double d = x.data[r * channels + c] - mean[c];
      var[c] += d * d;
    }
  for (double &v : var)
    v /= static_cast<double>(rows);
  Tensor y{x.shape, std::vector<float>(x.data.size())};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      double xhat = (x.data[r * channels + c] - mean[c]) /
                    std::sqrt(var[c] + static_cast<double>(epsilon));
      y.data[r * channels + c] = static_cast<float>(xhat * gamma[c] + beta[c]);
    }
  if (meanOut)
    meanOut->assign(mean.begin(), mean.end());
  if (varOut)
    varOut->assign(var.begin(), var.end());
  return y;
}

Result<float> sqRegularizer(const Tensor &w, float beta) {
  const Result<double> meanAbsW = meanAbs("sqRegularizer", w);
  RETURN_IF_ERROR(errorOf(meanAbsW));
  const double m = *meanAbsW;
  if (m == 0.0)
    return 0.0f;
  double tanBeta = std::tan(static_cast<double>(beta));
  double sum = 0.0;
  for (float v : w.data) {
    double u = v / m;
    double toPlus = (u - 1.0) * (u - 1.0);
    double toMinus = (u + 1.0) * (u + 1.0);
    double toZero = tanBeta * u * u;
    sum += std::min({toPlus, toMinus, toZero});
  }
  return static_cast<float>(sum / static_cast<double>(w.data.size()));
}

Result<float> sqDelta(const Tensor &w, float beta) {
  const Result<double> meanAbsW = meanAbs("sqDelta", w);
  RETURN_IF_ERROR(errorOf(meanAbsW));
  const double m = *meanAbsW;
  return static_cast<float>(
      m / (1.0 + std::sqrt(std::tan(static_cast<double>(beta)))));
}

//===----------------------------------------------------------------------===//
// Level 2 (packed)
//===----------------------------------------------------------------------===//

Result<PackedTensor> pack(const Tensor &x, unsigned wordBits, Plane plane) {
  const std::string fn = "pack";
  RETURN_IF_ERROR(checkWordBits(fn, wordBits));
  RETURN_IF_ERROR(checkData(fn, "x", x.shape, x.data));
  RETURN_IF_ERROR(checkMinRank(fn, "x", x.shape, 1));
  int64_t size = x.shape.back();
  PackedTensor p;
  p.shape = x.shape;
  p.shape.back() = packedWords(size, wordBits);
  p.wordBits = wordBits;
  p.data = packRows(x.data.data(), outerRows(x.shape), size, wordBits, plane);
  return p;
}

Result<Tensor> unpack(const PackedTensor &p, int64_t size) {
  const std::string fn = "unpack";
  RETURN_IF_ERROR(checkPacked(fn, "p", p));
  RETURN_IF_ERROR(checkMinRank(fn, "p", p.shape, 1));
  if (size < 0)
    return fail(fn, "size must be non-negative, got " + str(size));
  if (p.shape.back() != packedWords(size, p.wordBits))
    return fail(fn, "innermost dimension " + str(p.shape.back()) +
                        " does not hold size " + str(size) + " at " +
                        str(p.wordBits) + " bits per word (expected " +
                        str(packedWords(size, p.wordBits)) + " words)");
  Tensor x;
  x.shape = p.shape;
  x.shape.back() = size;
  std::optional<std::vector<float>> values =
      unpackRows(p.data.data(), outerRows(p.shape), size, p.wordBits);
  if (!values) // not reached: the arguments are checked above
    return fail(fn, "unpackRows rejected its arguments");
  x.data = std::move(*values);
  return x;
}

Result<int64_t> convOutputSize(int64_t in, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBefore,
                               int64_t padAfter) {
  const std::string fn = "convOutputSize";
  if (in < 0 || kernel <= 0 || stride <= 0 || dilation <= 0 || padBefore < 0 ||
      padAfter < 0)
    return fail(
        fn, "invalid arguments: in = " + str(in) + ", kernel = " + str(kernel) +
                ", stride = " + str(stride) + ", dilation = " + str(dilation) +
                ", padding = " + str(padBefore) + ", " + str(padAfter));
  int64_t padded = in + padBefore + padAfter;
  int64_t span = dilation * (kernel - 1) + 1;
  if (padded < span)
    return fail(fn, "padded input " + str(padded) +
                        " is smaller than the dilated "
                        "kernel extent " +
                        str(span));
  return (padded - span) / stride + 1;
}

Result<IntTensor> bconv2d(const PackedTensor &input, const PackedTensor &filter,
                          const PackedTensor *mask,
                          const Conv2DParams &params) {
  const std::string fn = "bconv2d";
  RETURN_IF_ERROR(checkPacked(fn, "input", input));
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 4));
  RETURN_IF_ERROR(checkPacked(fn, "filter", filter));
  RETURN_IF_ERROR(checkRank(fn, "filter", filter.shape, 4));
  if (filter.wordBits != input.wordBits)
    return fail(fn, "filter word width " + str(filter.wordBits) +
                        " differs from input word width " +
                        str(input.wordBits));
  if (mask) {
    RETURN_IF_ERROR(checkPacked(fn, "mask", *mask));
    if (mask->shape != filter.shape)
      return fail(fn, "mask shape " + shapeString(mask->shape) +
                          " differs from filter shape " +
                          shapeString(filter.shape));
    if (mask->wordBits != filter.wordBits)
      return fail(fn, "mask word width differs from filter word width");
  }
  RETURN_IF_ERROR(checkConvParams(fn, params));
  if (params.padValue != 0 && params.padValue != 1)
    return fail(fn, "pad_value must be 0 or 1, got " + str(params.padValue));

  const unsigned W = input.wordBits;
  const int64_t N = input.shape[0], H = input.shape[1], Wd = input.shape[2];
  const int64_t O = filter.shape[0], KH = filter.shape[1], KW = filter.shape[2];
  const int64_t C = params.channelsIn, G = params.groups;
  const int64_t groupChannels = C / G;
  if (O % G != 0)
    return fail(fn, "output channels " + str(O) +
                        " are not a multiple of groups " + str(G));
  if (G > 1 && groupChannels % W != 0)
    return fail(
        fn, "with groups > 1, channels_in / groups = " + str(groupChannels) +
                " must be a multiple of the word width " + str(W));
  if (input.shape[3] != packedWords(C, W))
    return fail(fn, "input innermost dimension " + str(input.shape[3]) +
                        " != ceil(channels_in / " + str(W) +
                        ") = " + str(packedWords(C, W)));
  const int64_t words = packedWords(groupChannels, W);
  if (filter.shape[3] != words)
    return fail(fn, "filter innermost dimension " + str(filter.shape[3]) +
                        " != ceil((channels_in / groups) / " + str(W) +
                        ") = " + str(words));

  const int64_t sh = params.strides[0], sw = params.strides[1];
  const int64_t dh = params.dilations[0], dw = params.dilations[1];
  const int64_t top = params.padding[0], bottom = params.padding[1];
  const int64_t left = params.padding[2], right = params.padding[3];
  const Result<int64_t> outH = convOutputSize(H, KH, sh, dh, top, bottom);
  RETURN_IF_ERROR(errorOf(outH));
  const Result<int64_t> outW = convOutputSize(Wd, KW, sw, dw, left, right);
  RETURN_IF_ERROR(errorOf(outW));
  const int64_t OH = *outH, OW = *outW;
  const int64_t outPerGroup = O / G;

  IntTensor out;
  out.shape = {N, OH, OW, O};
  out.data.assign(N * OH * OW * O, 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t o = 0; o < O; ++o) {
          const int64_t g = o / outPerGroup;
          int64_t acc = 0;
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t ih = oh * sh - top + kh * dh;
              const int64_t iw = ow * sw - left + kw * dw;
              const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < Wd;
              if (!inside && params.padValue == 0)
                continue; // exact zero padding: the tap adds 0
              for (int64_t j = 0; j < words; ++j) {
                // A padded tap with pad_value = 1 reads x_hat = +1 on every
                // channel, i.e. an all-zero word.
                uint64_t a =
                    inside
                        ? input.data[at4(input.shape, n, ih, iw, g * words + j)]
                        : 0;
                int64_t f = at4(filter.shape, o, kh, kw, j);
                acc +=
                    wordDot(a, filter.data[f], logicalBits(j, groupChannels, W),
                            mask ? &mask->data[f] : nullptr);
              }
            }
          RETURN_IF_ERROR(checkInt32(fn, acc));
          out.data[at4(out.shape, n, oh, ow, o)] = static_cast<int32_t>(acc);
        }
  return out;
}

Result<IntTensor> bdense(const PackedTensor &input, const PackedTensor &filter,
                         const PackedTensor *mask, int64_t size) {
  const std::string fn = "bdense";
  RETURN_IF_ERROR(checkPacked(fn, "input", input));
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 2));
  RETURN_IF_ERROR(checkPacked(fn, "filter", filter));
  RETURN_IF_ERROR(checkRank(fn, "filter", filter.shape, 2));
  if (filter.wordBits != input.wordBits)
    return fail(fn, "filter word width " + str(filter.wordBits) +
                        " differs from input word width " +
                        str(input.wordBits));
  if (mask) {
    RETURN_IF_ERROR(checkPacked(fn, "mask", *mask));
    if (mask->shape != filter.shape)
      return fail(fn, "mask shape " + shapeString(mask->shape) +
                          " differs from filter shape " +
                          shapeString(filter.shape));
    if (mask->wordBits != filter.wordBits)
      return fail(fn, "mask word width differs from filter word width");
  }
  if (size < 0)
    return fail(fn, "size must be non-negative, got " + str(size));
  const unsigned W = input.wordBits;
  const int64_t words = packedWords(size, W);
  if (input.shape[1] != words || filter.shape[1] != words)
    return fail(fn, "input and filter must have ceil(size / " + str(W) +
                        ") = " + str(words) + " words, got input " +
                        shapeString(input.shape) + ", filter " +
                        shapeString(filter.shape));

  const int64_t N = input.shape[0], O = filter.shape[0];
  IntTensor out;
  out.shape = {N, O};
  out.data.assign(N * O, 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      int64_t acc = 0;
      for (int64_t j = 0; j < words; ++j) {
        int64_t f = o * words + j;
        acc +=
            wordDot(input.data[n * words + j], filter.data[f],
                    logicalBits(j, size, W), mask ? &mask->data[f] : nullptr);
      }
      RETURN_IF_ERROR(checkInt32(fn, acc));
      out.data[n * O + o] = static_cast<int32_t>(acc);
    }
  return out;
}

/// The output height and width of a pooling window over H x W (no
/// dilation).
static Result<std::array<int64_t, 2>>
poolOutputSize(int64_t H, int64_t W, const Pool2DParams &params) {
  const Result<int64_t> outH =
      convOutputSize(H, params.kernel[0], params.strides[0], 1,
                     params.padding[0], params.padding[1]);
  RETURN_IF_ERROR(errorOf(outH));
  const Result<int64_t> outW =
      convOutputSize(W, params.kernel[1], params.strides[1], 1,
                     params.padding[2], params.padding[3]);
  RETURN_IF_ERROR(errorOf(outW));
  return std::array<int64_t, 2>{*outH, *outW};
}

Result<PackedTensor> bmaxpool2d(const PackedTensor &input,
                                const Pool2DParams &params) {
  const std::string fn = "bmaxpool2d";
  RETURN_IF_ERROR(checkPacked(fn, "input", input));
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 4));
  RETURN_IF_ERROR(checkPoolParams(fn, params));

  const int64_t N = input.shape[0], H = input.shape[1], Wd = input.shape[2],
                words = input.shape[3];
  const int64_t KH = params.kernel[0], KW = params.kernel[1];
  const int64_t sh = params.strides[0], sw = params.strides[1];
  const int64_t top = params.padding[0], left = params.padding[2];
  const Result<std::array<int64_t, 2>> outSize = poolOutputSize(H, Wd, params);
  RETURN_IF_ERROR(errorOf(outSize));
  const int64_t OH = (*outSize)[0], OW = (*outSize)[1];
  const uint64_t wordMask = lowBits(input.wordBits);

  PackedTensor out;
  out.shape = {N, OH, OW, words};
  out.wordBits = input.wordBits;
  out.data.assign(N * OH * OW * words, 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t j = 0; j < words; ++j) {
          // max of ±1 values = +1 (bit 0) if any tap is +1: AND of the bits.
          // padding < kernel guarantees at least one tap inside the input.
          uint64_t result = wordMask;
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t ih = oh * sh - top + kh;
              const int64_t iw = ow * sw - left + kw;
              if (ih < 0 || ih >= H || iw < 0 || iw >= Wd)
                continue; // padded taps are ignored
              result &= input.data[at4(input.shape, n, ih, iw, j)];
            }
          out.data[at4(out.shape, n, oh, ow, j)] = result;
        }
  return out;
}

Result<Tensor> scale(const IntTensor &acc, const std::vector<float> &multiplier,
                     const std::vector<float> &bias) {
  const std::string fn = "scale";
  RETURN_IF_ERROR(checkData(fn, "acc", acc.shape, acc.data));
  RETURN_IF_ERROR(checkMinRank(fn, "acc", acc.shape, 1));
  const int64_t O = acc.shape.back();
  if (static_cast<int64_t>(multiplier.size()) != O ||
      static_cast<int64_t>(bias.size()) != O)
    return fail(fn, "multiplier and bias must have " + str(O) +
                        " values (innermost dimension of acc), got " +
                        str(static_cast<int64_t>(multiplier.size())) + " and " +
                        str(static_cast<int64_t>(bias.size())));
  Tensor y{acc.shape, std::vector<float>(acc.data.size())};
  for (size_t i = 0; i < acc.data.size(); ++i) {
    int64_t o = static_cast<int64_t>(i) % O;
    y.data[i] = static_cast<float>(acc.data[i]) * multiplier[o] + bias[o];
  }
  return y;
}

Result<PackedTensor> threshold(const IntTensor &acc,
                               const std::vector<int32_t> &threshold,
                               unsigned wordBits) {
  const std::string fn = "threshold";
  RETURN_IF_ERROR(checkWordBits(fn, wordBits));
  RETURN_IF_ERROR(checkData(fn, "acc", acc.shape, acc.data));
  RETURN_IF_ERROR(checkMinRank(fn, "acc", acc.shape, 1));
  const int64_t O = acc.shape.back();
  if (static_cast<int64_t>(threshold.size()) != O)
    return fail(fn, "threshold must have " + str(O) +
                        " values (innermost dimension of acc), got " +
                        str(static_cast<int64_t>(threshold.size())));

  // The ±1 values, then the one packing routine.
  Tensor values{acc.shape, std::vector<float>(acc.data.size())};
  for (size_t i = 0; i < acc.data.size(); ++i) {
    int64_t o = static_cast<int64_t>(i) % O;
    values.data[i] = acc.data[i] >= threshold[o] ? 1.0f : -1.0f;
  }
  return pack(values, wordBits, Plane::Sign);
}

//===----------------------------------------------------------------------===//
// Float layers
//===----------------------------------------------------------------------===//

Result<Tensor> conv2d(const Tensor &input, const Tensor &filter,
                      const Conv2DParams &params, float padValue) {
  const std::string fn = "conv2d";
  RETURN_IF_ERROR(checkData(fn, "input", input.shape, input.data));
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 4));
  RETURN_IF_ERROR(checkData(fn, "filter", filter.shape, filter.data));
  RETURN_IF_ERROR(checkRank(fn, "filter", filter.shape, 4));
  RETURN_IF_ERROR(checkConvParams(fn, params));

  const int64_t N = input.shape[0], H = input.shape[1], Wd = input.shape[2],
                C = input.shape[3];
  const int64_t O = filter.shape[0], KH = filter.shape[1], KW = filter.shape[2];
  const int64_t G = params.groups;
  if (C != params.channelsIn)
    return fail(fn, "input has " + str(C) + " channels but channels_in is " +
                        str(params.channelsIn));
  const int64_t groupChannels = C / G;
  if (O % G != 0)
    return fail(fn, "output channels " + str(O) +
                        " are not a multiple of groups " + str(G));
  if (filter.shape[3] != groupChannels)
    return fail(fn, "filter innermost dimension " + str(filter.shape[3]) +
                        " != channels_in / groups = " + str(groupChannels));

  const int64_t sh = params.strides[0], sw = params.strides[1];
  const int64_t dh = params.dilations[0], dw = params.dilations[1];
  const int64_t top = params.padding[0], left = params.padding[2];
  const Result<int64_t> outH =
      convOutputSize(H, KH, sh, dh, top, params.padding[1]);
  RETURN_IF_ERROR(errorOf(outH));
  const Result<int64_t> outW =
      convOutputSize(Wd, KW, sw, dw, left, params.padding[3]);
  RETURN_IF_ERROR(errorOf(outW));
  const int64_t OH = *outH, OW = *outW;
  const int64_t outPerGroup = O / G;

  Tensor out;
  out.shape = {N, OH, OW, O};
  out.data.assign(N * OH * OW * O, 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t o = 0; o < O; ++o) {
          const int64_t g = o / outPerGroup;
          double acc = 0.0;
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t ih = oh * sh - top + kh * dh;
              const int64_t iw = ow * sw - left + kw * dw;
              const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < Wd;
              for (int64_t ci = 0; ci < groupChannels; ++ci) {
                float x = inside ? input.data[at4(input.shape, n, ih, iw,
                                                  g * groupChannels + ci)]
                                 : padValue;
                acc += static_cast<double>(x) *
                       filter.data[at4(filter.shape, o, kh, kw, ci)];
              }
            }
          out.data[at4(out.shape, n, oh, ow, o)] = static_cast<float>(acc);
        }
  return out;
}

Result<Tensor> dense(const Tensor &input, const Tensor &filter) {
  const std::string fn = "dense";
  RETURN_IF_ERROR(checkData(fn, "input", input.shape, input.data));
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 2));
  RETURN_IF_ERROR(checkData(fn, "filter", filter.shape, filter.data));
  RETURN_IF_ERROR(checkRank(fn, "filter", filter.shape, 2));
  if (input.shape[1] != filter.shape[1])
    return fail(fn, "input " + shapeString(input.shape) + " and filter " +
                        shapeString(filter.shape) + " differ in K");
  const int64_t N = input.shape[0], K = input.shape[1], O = filter.shape[0];
  Tensor out;
  out.shape = {N, O};
  out.data.assign(N * O, 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc +=
            static_cast<double>(input.data[n * K + k]) * filter.data[o * K + k];
      out.data[n * O + o] = static_cast<float>(acc);
    }
  return out;
}

Result<Tensor> maxPool2d(const Tensor &input, const Pool2DParams &params) {
  const std::string fn = "maxPool2d";
  RETURN_IF_ERROR(checkData(fn, "input", input.shape, input.data));
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 4));
  RETURN_IF_ERROR(checkPoolParams(fn, params));

  const int64_t N = input.shape[0], H = input.shape[1], Wd = input.shape[2],
                C = input.shape[3];
  const int64_t KH = params.kernel[0], KW = params.kernel[1];
  const int64_t sh = params.strides[0], sw = params.strides[1];
  const int64_t top = params.padding[0], left = params.padding[2];
  const Result<std::array<int64_t, 2>> outSize = poolOutputSize(H, Wd, params);
  RETURN_IF_ERROR(errorOf(outSize));
  const int64_t OH = (*outSize)[0], OW = (*outSize)[1];

  Tensor out;
  out.shape = {N, OH, OW, C};
  out.data.assign(N * OH * OW * C, 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t c = 0; c < C; ++c) {
          float best = -std::numeric_limits<float>::infinity();
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t ih = oh * sh - top + kh;
              const int64_t iw = ow * sw - left + kw;
              if (ih < 0 || ih >= H || iw < 0 || iw >= Wd)
                continue; // padded taps are ignored
              best = std::max(best, input.data[at4(input.shape, n, ih, iw, c)]);
            }
          out.data[at4(out.shape, n, oh, ow, c)] = best;
        }
  return out;
}

//===----------------------------------------------------------------------===//
// Backward rules
//===----------------------------------------------------------------------===//

namespace {
/// Rows of a weight tensor: axis 0 and the product of the other axes.
std::pair<int64_t, int64_t> rowsAndColumns(const Tensor &x) {
  int64_t rows = x.shape.empty() ? 1 : x.shape[0];
  return {rows, rows == 0 ? 0 : static_cast<int64_t>(x.data.size()) / rows};
}
double signOf(float v) { return v < 0.0f ? -1.0 : 1.0; }
} // namespace

Tensor signBackward(const Tensor &x, const Tensor &dy, Estimator estimator) {
  Tensor dx{x.shape, std::vector<float>(x.data.size())};
  for (size_t i = 0; i < x.data.size(); ++i)
    dx.data[i] = dy.data[i] * signGradient(x.data[i], estimator);
  return dx;
}

ImportanceSignGradients importanceSignBackward(const Tensor &x, const Tensor &s,
                                               const Tensor &dy,
                                               Estimator estimator) {
  auto [rows, cols] = rowsAndColumns(x);
  double sumS = 0.0;
  for (float v : s.data)
    sumS += v;
  ImportanceSignGradients g;
  g.dx = {x.shape, std::vector<float>(x.data.size(), 0.0f)};
  g.ds = {s.shape, std::vector<float>(s.data.size(), 0.0f)};
  std::vector<double> ds(cols, 0.0);
  for (int64_t o = 0; o < rows; ++o) {
    const float *xr = &x.data[o * cols];
    const float *dyr = &dy.data[o * cols];
    double weighted = 0.0, signed_ = 0.0;
    for (int64_t k = 0; k < cols; ++k) {
      weighted += s.data[k] * std::fabs(static_cast<double>(xr[k]));
      signed_ += dyr[k] * signOf(xr[k]);
    }
    double alpha = sumS == 0.0 ? 0.0 : weighted / sumS;
    for (int64_t j = 0; j < cols; ++j) {
      double signPart = dyr[j] * alpha * signGradient(xr[j], estimator);
      double scalePart =
          sumS == 0.0 ? 0.0 : signed_ * s.data[j] * signOf(xr[j]) / sumS;
      g.dx.data[o * cols + j] = static_cast<float>(signPart + scalePart);
      if (sumS != 0.0)
        ds[j] +=
            signed_ * (std::fabs(static_cast<double>(xr[j])) - alpha) / sumS;
    }
  }
  for (int64_t j = 0; j < cols; ++j)
    g.ds.data[j] = static_cast<float>(ds[j]);
  return g;
}

Tensor ternaryBackward(const Tensor &x, const std::vector<float> &delta,
                       const Tensor &dy) {
  auto [rows, cols] = rowsAndColumns(x);
  Tensor dx{x.shape, std::vector<float>(x.data.size(), 0.0f)};
  for (int64_t o = 0; o < rows; ++o) {
    const float *xr = &x.data[o * cols];
    const float *dyr = &dy.data[o * cols];
    auto t = [&](int64_t k) {
      return xr[k] > delta[o] ? 1.0 : (xr[k] < -delta[o] ? -1.0 : 0.0);
    };
    double count = 0.0, sumAbs = 0.0, weighted = 0.0;
    for (int64_t k = 0; k < cols; ++k) {
      double kept = std::fabs(t(k));
      count += kept;
      sumAbs += kept * std::fabs(static_cast<double>(xr[k]));
      weighted += dyr[k] * t(k);
    }
    double alpha = count == 0.0 ? 0.0 : sumAbs / count;
    for (int64_t j = 0; j < cols; ++j) {
      double ste = std::fabs(static_cast<double>(xr[j])) <= 1.0 ? 1.0 : 0.0;
      double scalePart =
          count == 0.0 ? 0.0
                       : weighted * std::fabs(t(j)) * signOf(xr[j]) / count;
      dx.data[o * cols + j] =
          static_cast<float>(dyr[j] * alpha * ste + scalePart);
    }
  }
  return dx;
}

Result<SqRegularizerGradients> sqRegularizerBackward(const Tensor &w,
                                                     float beta, float dr) {
  SqRegularizerGradients g;
  g.dw = {w.shape, std::vector<float>(w.data.size(), 0.0f)};
  const Result<double> meanAbsW = meanAbs("sqRegularizerBackward", w);
  RETURN_IF_ERROR(errorOf(meanAbsW));
  const double m = *meanAbsW;
  if (m == 0.0)
    return g;
  double n = static_cast<double>(w.data.size());
  double tanBeta = std::tan(static_cast<double>(beta));
  double dbeta = 0.0;
  for (size_t i = 0; i < w.data.size(); ++i) {
    double u = w.data[i] / m;
    double toPlus = (u - 1.0) * (u - 1.0), toMinus = (u + 1.0) * (u + 1.0);
    double toZero = tanBeta * u * u;
    double slope;
    if (toPlus <= toMinus && toPlus <= toZero) {
      slope = 2.0 * (u - 1.0);
    } else if (toMinus <= toZero) {
      slope = 2.0 * (u + 1.0);
    } else {
      slope = 2.0 * tanBeta * u;
      dbeta += u * u * (1.0 + tanBeta * tanBeta);
    }
    g.dw.data[i] = static_cast<float>(dr * slope / (n * m));
  }
  g.dbeta = static_cast<float>(dr * dbeta / n);
  return g;
}

Result<Conv2DGradients> conv2dBackward(const Tensor &input,
                                       const Tensor &filter,
                                       const Conv2DParams &params,
                                       float padValue, const Tensor &dy) {
  const std::string fn = "conv2dBackward";
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 4));
  RETURN_IF_ERROR(checkRank(fn, "filter", filter.shape, 4));
  if (params.groups != 1)
    return fail(fn, "groups are not supported");
  const int64_t N = input.shape[0], H = input.shape[1], Wd = input.shape[2],
                C = input.shape[3];
  const int64_t O = filter.shape[0], KH = filter.shape[1], KW = filter.shape[2];
  const int64_t sh = params.strides[0], sw = params.strides[1];
  const int64_t dh = params.dilations[0], dw = params.dilations[1];
  const int64_t top = params.padding[0], left = params.padding[2];
  const int64_t OH = dy.shape[1], OW = dy.shape[2];
  std::vector<double> dInput(input.data.size(), 0.0),
      dFilter(filter.data.size(), 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t o = 0; o < O; ++o) {
          const double g = dy.data[at4(dy.shape, n, oh, ow, o)];
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t ih = oh * sh - top + kh * dh;
              const int64_t iw = ow * sw - left + kw * dw;
              const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < Wd;
              for (int64_t c = 0; c < C; ++c) {
                const int64_t f = at4(filter.shape, o, kh, kw, c);
                if (inside) {
                  const int64_t i = at4(input.shape, n, ih, iw, c);
                  dInput[i] += g * filter.data[f];
                  dFilter[f] += g * input.data[i];
                } else {
                  dFilter[f] += g * padValue;
                }
              }
            }
        }
  Conv2DGradients grads;
  grads.dInput = {input.shape,
                  std::vector<float>(dInput.begin(), dInput.end())};
  grads.dFilter = {filter.shape,
                   std::vector<float>(dFilter.begin(), dFilter.end())};
  return grads;
}

Result<Tensor> maxPool2dBackward(const Tensor &input,
                                 const Pool2DParams &params, const Tensor &dy) {
  const std::string fn = "maxPool2dBackward";
  RETURN_IF_ERROR(checkRank(fn, "input", input.shape, 4));
  const int64_t N = input.shape[0], H = input.shape[1], Wd = input.shape[2],
                C = input.shape[3];
  const int64_t KH = params.kernel[0], KW = params.kernel[1];
  const int64_t sh = params.strides[0], sw = params.strides[1];
  const int64_t OH = dy.shape[1], OW = dy.shape[2];
  Tensor dx{input.shape, std::vector<float>(input.data.size(), 0.0f)};
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t c = 0; c < C; ++c) {
          int64_t bestH = -1, bestW = -1;
          float best = -std::numeric_limits<float>::infinity();
          for (int64_t kh = 0; kh < KH; ++kh)
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int64_t ih = oh * sh + kh, iw = ow * sw + kw;
              if (ih >= H || iw >= Wd)
                continue;
              float v = input.data[at4(input.shape, n, ih, iw, c)];
              if (bestH < 0 || v > best) { // strictly greater: first wins
                best = v;
                bestH = ih;
                bestW = iw;
              }
            }
          if (bestH >= 0)
            dx.data[at4(input.shape, n, bestH, bestW, c)] +=
                dy.data[at4(dy.shape, n, oh, ow, c)];
        }
  return dx;
}

} // namespace bnn::ref
