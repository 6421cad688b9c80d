//===- ReferenceTest.cpp - Tests of the reference library -----------------===//
//
// Hand-computed cases for every function of bnn/Reference, then property
// tests on random inputs (fixed seeds): every packed op against the float
// op on the unpacked ±1 values.
//
//===----------------------------------------------------------------------===//

#include "bnn/Reference/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace bnn::ref;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
const double kPi = 3.14159265358979323846;

Tensor makeTensor(std::vector<int64_t> shape, std::vector<float> data) {
  return Tensor{std::move(shape), std::move(data)};
}

PackedTensor makePacked(std::vector<int64_t> shape, unsigned wordBits,
                        std::vector<uint64_t> data) {
  PackedTensor p;
  p.shape = std::move(shape);
  p.wordBits = wordBits;
  p.data = std::move(data);
  return p;
}

/// ±1 values with an occasional 0 (which packs as +1).
std::vector<float> randomSigns(std::mt19937 &rng, int64_t n) {
  std::uniform_int_distribution<int> pick(0, 9);
  std::vector<float> v(n);
  for (auto &x : v) {
    int r = pick(rng);
    x = r == 0 ? 0.0f : (r <= 5 ? 1.0f : -1.0f);
  }
  return v;
}

/// Ternary values in {-1, 0, +1}, about a third each.
std::vector<float> randomTernary(std::mt19937 &rng, int64_t n) {
  std::uniform_int_distribution<int> pick(-1, 1);
  std::vector<float> v(n);
  for (auto &x : v)
    x = static_cast<float>(pick(rng));
  return v;
}

/// Ternary weights as the packed op sees them: a sign plane and a nonzero
/// mask plane, and as the float op sees them: w_hat * mask in {-1, 0, 1}.
/// The sign bits under zero mask bits are random, so they must not matter.
struct TernaryWeights {
  PackedTensor sign, mask;
  Tensor values;
};

TernaryWeights randomTernaryWeights(std::mt19937 &rng,
                                    const std::vector<int64_t> &shape,
                                    unsigned wordBits) {
  int64_t n = numElements(shape).value();
  Tensor t = makeTensor(shape, randomTernary(rng, n));
  Tensor signSource = makeTensor(shape, randomSigns(rng, n));
  for (int64_t i = 0; i < n; ++i)
    if (t.data[i] != 0.0f)
      signSource.data[i] = t.data[i];
  return {pack(signSource, wordBits, Plane::Sign).value(),
          pack(t, wordBits, Plane::Nonzero).value(), t};
}

/// Exact equality of an int32 result and a float result holding integers.
::testing::AssertionResult sameValues(const IntTensor &got,
                                      const Tensor &want) {
  if (got.shape != want.shape)
    return ::testing::AssertionFailure() << "shapes differ";
  if (got.data.size() != want.data.size())
    return ::testing::AssertionFailure() << "sizes differ";
  for (size_t i = 0; i < got.data.size(); ++i)
    if (static_cast<float>(got.data[i]) != want.data[i])
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << got.data[i] << ", want "
             << want.data[i];
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult samePacked(const PackedTensor &got,
                                      const PackedTensor &want) {
  if (got.shape != want.shape)
    return ::testing::AssertionFailure() << "shapes differ";
  if (got.wordBits != want.wordBits)
    return ::testing::AssertionFailure() << "word widths differ";
  for (size_t i = 0; i < got.data.size(); ++i)
    if (got.data[i] != want.data[i])
      return ::testing::AssertionFailure()
             << "word " << i << ": got 0x" << std::hex << got.data[i]
             << ", want 0x" << want.data[i];
  return ::testing::AssertionSuccess();
}

/// A result that holds an error whose message contains `words` (messages
/// read "bnn::ref::<function>: <what is wrong>").
template <typename T>
::testing::AssertionResult isError(const Result<T> &result,
                                   const std::string &words) {
  if (result)
    return ::testing::AssertionFailure()
           << "expected an error containing \"" << words << "\", got a value";
  if (result.error().find(words) == std::string::npos)
    return ::testing::AssertionFailure()
           << "the error \"" << result.error() << "\" does not contain \""
           << words << "\"";
  return ::testing::AssertionSuccess();
}

/// A result that holds a value.
template <typename T>
::testing::AssertionResult hasValue(const Result<T> &result) {
  if (!result)
    return ::testing::AssertionFailure() << "error: " << result.error();
  return ::testing::AssertionSuccess();
}

/// Asserts the shape and the values of a float tensor (to 1e-5 relative).
void expectTensor(const Tensor &got, const std::vector<int64_t> &shape,
                  const std::vector<float> &data) {
  ASSERT_EQ(got.shape, shape);
  ASSERT_EQ(got.data.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i)
    EXPECT_NEAR(got.data[i], data[i], 1e-5 * (1.0 + std::fabs(data[i])))
        << "element " << i;
}

//===----------------------------------------------------------------------===//
// Hand-computed cases
//===----------------------------------------------------------------------===//

TEST(Reference, NumElements) {
  EXPECT_EQ(numElements({}).value(), 1);
  EXPECT_EQ(numElements({2, 3, 4}).value(), 24);
  EXPECT_EQ(numElements({2, 0, 5}).value(), 0);
  EXPECT_TRUE(
      isError(numElements({2, -1}),
              "bnn::ref::numElements: negative dimension in shape [2, -1]"));
}

TEST(Reference, Results) {
  Result<Tensor> good = sign(makeTensor({2}, {-3, 2}));
  ASSERT_TRUE(hasValue(good));
  EXPECT_EQ(good.error(), "");
  EXPECT_EQ(good->data, (std::vector<float>{-1, 1}));
  EXPECT_EQ((*good).shape, (std::vector<int64_t>{2}));
  Result<Tensor> bad = sign(makeTensor({3}, {1, 2}));
  EXPECT_FALSE(bad);
  // Taking the value of an error is a bug of the caller: it aborts.
  EXPECT_DEATH(bad.value(), "bnn::ref: bnn::ref::sign: x has shape");
  EXPECT_DEATH(*std::move(bad), "bnn::ref: bnn::ref::sign: x has shape");
}

TEST(Reference, Sign) {
  Tensor x =
      makeTensor({8}, {0.0f, -0.0f, kNaN, -1.5f, 2.0f, -kInf, kInf, -1e-30f});
  expectTensor(sign(x).value(), {8}, {1, 1, 1, -1, 1, -1, 1, -1});
  EXPECT_TRUE(isError(
      sign(makeTensor({3}, {1, 2})),
      "bnn::ref::sign: x has shape [3] (3 elements) but holds 2 values"));
}

TEST(Reference, SignGradientSte) {
  EXPECT_EQ(signGradient(0.0f, Estimator::Ste), 1.0f);
  EXPECT_EQ(signGradient(0.5f, Estimator::Ste), 1.0f);
  EXPECT_EQ(signGradient(1.0f, Estimator::Ste), 1.0f);
  EXPECT_EQ(signGradient(-1.0f, Estimator::Ste), 1.0f);
  EXPECT_EQ(signGradient(1.01f, Estimator::Ste), 0.0f);
  EXPECT_EQ(signGradient(-3.0f, Estimator::Ste), 0.0f);
}

TEST(Reference, SignGradientApprox) {
  EXPECT_EQ(signGradient(0.0f, Estimator::Approx), 2.0f);
  EXPECT_EQ(signGradient(0.5f, Estimator::Approx), 1.0f);
  EXPECT_EQ(signGradient(-0.25f, Estimator::Approx), 1.5f);
  EXPECT_EQ(signGradient(1.0f, Estimator::Approx), 0.0f);
  EXPECT_EQ(signGradient(-1.0f, Estimator::Approx), 0.0f);
  EXPECT_EQ(signGradient(2.0f, Estimator::Approx), 0.0f);
}

TEST(Reference, SignGradientIdentity) {
  EXPECT_EQ(signGradient(0.0f, Estimator::Identity), 1.0f);
  EXPECT_EQ(signGradient(-100.0f, Estimator::Identity), 1.0f);
  EXPECT_EQ(signGradient(7.5f, Estimator::Identity), 1.0f);
  // Not an Estimator: no gradient.
  EXPECT_TRUE(std::isnan(signGradient(0.0f, static_cast<Estimator>(99))));
}

TEST(Reference, SignGradientSwish) {
  // At 0: 2 b s (1 - s) (2 + 0) with s = 1/2, b = 5 -> 5.
  EXPECT_NEAR(signGradient(0.0f, Estimator::Swish), 5.0f, 1e-6);
  // At x = 0.2 (b x = 1), by hand: s = 0.7310586,
  // 10 * 0.1966119 * (2 + (1 - 1.4621172)) = 3.0237
  EXPECT_NEAR(signGradient(0.2f, Estimator::Swish), 3.0237, 1e-3);
  // Even function; tends to 0 far from 0.
  EXPECT_NEAR(signGradient(-0.2f, Estimator::Swish),
              signGradient(0.2f, Estimator::Swish), 1e-6);
  EXPECT_NEAR(signGradient(10.0f, Estimator::Swish), 0.0f, 1e-6);
  EXPECT_NEAR(signGradient(-1000.0f, Estimator::Swish), 0.0f, 1e-6);

  // Finite differences of the BNN+ SignSwish 2 s(bx)(1 + bx(1 - s(bx))) - 1.
  auto signSwish = [](double x) {
    double bx = 5.0 * x;
    double s = 1.0 / (1.0 + std::exp(-bx));
    return 2.0 * s * (1.0 + bx * (1.0 - s)) - 1.0;
  };
  const double h = 1e-5;
  for (double x = -2.0; x <= 2.0; x += 0.0625) {
    double numeric = (signSwish(x + h) - signSwish(x - h)) / (2 * h);
    EXPECT_NEAR(signGradient(static_cast<float>(x), Estimator::Swish), numeric,
                1e-4 * (1.0 + std::fabs(numeric)))
        << "x = " << x;
  }
}

TEST(Reference, OrthonormalTransform2x2Rotation) {
  // q rotates by 90 degrees: q = [[0, -1], [1, 0]].
  Tensor q = makeTensor({2, 2}, {0, -1, 1, 0});
  Tensor x = makeTensor({2, 2}, {1, 2, 3, 4});
  // axis 0: y[i, k] = sum_j q[i, j] x[j, k].
  expectTensor(orthonormalTransform(x, q, 0, false).value(), {2, 2},
               {-3, -4, 1, 2});
  // axis 1: y[k, i] = sum_j q[i, j] x[k, j].
  expectTensor(orthonormalTransform(x, q, 1, false).value(), {2, 2},
               {-2, 1, -4, 3});
  // transpose uses q^T = [[0, 1], [-1, 0]].
  expectTensor(orthonormalTransform(x, q, 0, true).value(), {2, 2},
               {3, 4, -1, -2});
  expectTensor(orthonormalTransform(x, q, 1, true).value(), {2, 2},
               {2, -1, 4, -3});
}

TEST(Reference, OrthonormalTransform3D) {
  // Rotation by 30 degrees along the middle axis of a [2, 2, 3] tensor.
  const float c = static_cast<float>(std::cos(kPi / 6));
  const float s = static_cast<float>(std::sin(kPi / 6));
  Tensor q = makeTensor({2, 2}, {c, -s, s, c});
  Tensor x = makeTensor({2, 2, 3}, {1, 2, 3, 4, 5, 6, -1, 0, 2, 1, -2, 0});
  std::vector<float> want(12);
  for (int o = 0; o < 2; ++o)
    for (int k = 0; k < 3; ++k) {
      float x0 = x.data[o * 6 + k], x1 = x.data[o * 6 + 3 + k];
      want[o * 6 + k] = c * x0 - s * x1;
      want[o * 6 + 3 + k] = s * x0 + c * x1;
    }
  Tensor y = orthonormalTransform(x, q, 1, false).value();
  expectTensor(y, {2, 2, 3}, want);
  // The transpose undoes it.
  expectTensor(orthonormalTransform(y, q, 1, true).value(), x.shape, x.data);

  EXPECT_TRUE(
      isError(orthonormalTransform(x, q, 2, false),
              "bnn::ref::orthonormalTransform: q must have shape [3, 3]"));
  EXPECT_TRUE(isError(orthonormalTransform(x, q, 3, false),
                      "bnn::ref::orthonormalTransform: axis 3 out of range"));
  EXPECT_TRUE(isError(orthonormalTransform(x, q, -1, false),
                      "bnn::ref::orthonormalTransform: axis -1 out of range"));
}

TEST(Reference, ImportanceSign) {
  Tensor x = makeTensor({2, 3}, {1, -2, 3, -0.5f, 0, 0.5f});
  // s all ones: XNOR-Net, alpha_o = mean |x[o, :]|; sign(0) = +1.
  expectTensor(importanceSign(x, makeTensor({3}, {1, 1, 1})).value(), {2, 3},
               {2, -2, 2, -1.0f / 3, 1.0f / 3, 1.0f / 3});
  // s = [1, 0, 3]: alpha_0 = (1 + 9) / 4, alpha_1 = (0.5 + 1.5) / 4.
  expectTensor(importanceSign(x, makeTensor({3}, {1, 0, 3})).value(), {2, 3},
               {2.5f, -2.5f, 2.5f, -0.5f, 0.5f, 0.5f});
  // sum s = 0 -> alpha = 0.
  expectTensor(importanceSign(x, makeTensor({3}, {0, 0, 0})).value(), {2, 3},
               {0, 0, 0, 0, 0, 0});
  // Multi-dimensional s.
  Tensor x3 = makeTensor({1, 2, 2}, {1, -2, 3, -4});
  expectTensor(importanceSign(x3, makeTensor({2, 2}, {1, 1, 0, 2})).value(),
               {1, 2, 2}, {2.75f, -2.75f, 2.75f, -2.75f});
  EXPECT_TRUE(
      isError(importanceSign(x, makeTensor({2, 3}, {1, 1, 1, 1, 1, 1})),
              "bnn::ref::importanceSign: s must have shape x.shape[1:] = [3]"));
}

TEST(Reference, Ternary) {
  Tensor x = makeTensor({3, 4}, {0.5f, 0.2f, -2.0f, -0.2f,  // delta 0.2
                                 0.1f, 0.1f, -0.1f, 0.0f,   // delta 0.5
                                 1.0f, -3.0f, 0.0f, 2.0f}); // delta 0
  // Row 0: t = [1, 0, -1, 0] (|x| = delta is 0), alpha = (0.5 + 2) / 2.
  // Row 1: nothing beyond delta -> all 0.
  // Row 2: t = [1, -1, 0, 1], alpha = 2.
  expectTensor(ternary(x, {0.2f, 0.5f, 0.0f}).value(), {3, 4},
               {1.25f, 0, -1.25f, 0, 0, 0, 0, 0, 2, -2, 0, 2});
  EXPECT_TRUE(isError(ternary(x, {0.1f, 0.2f}),
                      "bnn::ref::ternary: delta must have 3 values"));
}

TEST(Reference, SqRegularizerAndDelta) {
  const float quarterPi = static_cast<float>(kPi / 4);
  // mean |w| = 1, so u = w. At beta = pi/4 (tan = 1):
  // u = 0.2: min(0.64, 1.44, 0.04) = 0.04; u = -1.3: min(5.29, 0.09, 1.69) =
  // 0.09; u = 2.5: min(2.25, 12.25, 6.25) = 2.25; u = 0: 0. Mean 0.595.
  Tensor w = makeTensor({2, 2}, {0.2f, -1.3f, 2.5f, 0.0f});
  EXPECT_NEAR(sqRegularizer(w, quarterPi).value(), 0.595, 1e-5);
  // Invariant to the scale of w.
  Tensor w3 = makeTensor({2, 2}, {0.6f, -3.9f, 7.5f, 0.0f});
  EXPECT_NEAR(sqRegularizer(w3, quarterPi).value(), 0.595, 1e-5);
  // tan(beta) = 4: u = 0.2 -> min(0.64, 1.44, 0.16) = 0.16; total 2.5 / 4.
  const float betaTan4 = static_cast<float>(std::atan(4.0));
  EXPECT_NEAR(sqRegularizer(w, betaTan4).value(), 0.625, 1e-5);
  // Exactly binary or ternary-on-the-grid weights cost nothing.
  EXPECT_NEAR(sqRegularizer(makeTensor({3}, {1, -1, 1}), quarterPi).value(),
              0.0, 1e-7);
  // All-zero w.
  EXPECT_EQ(sqRegularizer(makeTensor({3}, {0, 0, 0}), quarterPi).value(), 0.0f);

  // delta = mean |w| / (1 + sqrt(tan beta)).
  EXPECT_NEAR(sqDelta(w, quarterPi).value(), 0.5, 1e-6);
  EXPECT_NEAR(sqDelta(makeTensor({4}, {2, -2, 0, 4}), quarterPi).value(), 1.0,
              1e-6);
  EXPECT_NEAR(sqDelta(w, betaTan4).value(), 1.0 / 3.0, 1e-6);
  EXPECT_TRUE(isError(sqRegularizer(makeTensor({0}, {}), quarterPi),
                      "bnn::ref::sqRegularizer: w must not be empty"));
}

TEST(Reference, PackW32C33) {
  // Row 0: negatives at channels 0, 5, 31, 32; row 1: at 1 and 32, and a
  // zero, -0.0 and NaN (all +1).
  std::vector<float> row0(33, 1.0f), row1(33, 0.5f);
  for (int c : {0, 5, 31, 32})
    row0[c] = -1.0f;
  row1[1] = -2.0f;
  row1[32] = -0.1f;
  row1[3] = 0.0f;
  row1[4] = -0.0f;
  row1[6] = kNaN;
  std::vector<float> data = row0;
  data.insert(data.end(), row1.begin(), row1.end());
  Tensor x = makeTensor({2, 33}, data);

  PackedTensor s = pack(x, 32, Plane::Sign).value();
  EXPECT_EQ(s.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(s.wordBits, 32u);
  EXPECT_EQ(s.data, (std::vector<uint64_t>{0x80000021u, 0x1u, 0x2u, 0x1u}));

  // Nonzero plane: row 0 all nonzero; row 1 zero at 3 and 4 only.
  PackedTensor nz = pack(x, 32, Plane::Nonzero).value();
  EXPECT_EQ(nz.data,
            (std::vector<uint64_t>{0xFFFFFFFFu, 0x1u, 0xFFFFFFE7u, 0x1u}));

  Tensor back = unpack(s, 33).value();
  expectTensor(back, {2, 33}, sign(x).value().data);
}

TEST(Reference, PackW64C65) {
  std::vector<float> row(65, 1.0f);
  for (int c : {0, 63, 64})
    row[c] = -1.0f;
  row[10] = 0.0f;
  Tensor x = makeTensor({1, 65}, row);

  PackedTensor s = pack(x, 64, Plane::Sign).value();
  EXPECT_EQ(s.shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(s.wordBits, 64u);
  EXPECT_EQ(s.data, (std::vector<uint64_t>{0x8000000000000001ull, 0x1ull}));

  PackedTensor nz = pack(x, 64, Plane::Nonzero).value();
  EXPECT_EQ(nz.data, (std::vector<uint64_t>{~(uint64_t(1) << 10), 0x1ull}));

  expectTensor(unpack(s, 65).value(), {1, 65}, sign(x).value().data);
  // unpackRows directly.
  std::optional<std::vector<float>> rows = unpackRows(s.data.data(), 1, 65, 64);
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(*rows, sign(x).value().data);
  EXPECT_FALSE(unpackRows(s.data.data(), 1, 65, 16).has_value());
  EXPECT_FALSE(unpackRows(s.data.data(), -1, 65, 64).has_value());
  EXPECT_FALSE(unpackRows(s.data.data(), 1, -1, 64).has_value());

  // 64 bits take 1 word, 129 bits 3 words, not 2.
  EXPECT_TRUE(isError(unpack(s, 64), "bnn::ref::unpack: innermost dimension 2 "
                                     "does not hold size 64"));
  EXPECT_TRUE(isError(unpack(s, 129), "bnn::ref::unpack: innermost dimension 2 "
                                      "does not hold size 129"));
  EXPECT_TRUE(isError(pack(x, 16, Plane::Sign),
                      "bnn::ref::pack: word width must be 32 or 64, got 16"));
}

TEST(Reference, ConvOutputSize) {
  EXPECT_EQ(convOutputSize(5, 3, 1, 1, 1, 1).value(), 5);
  EXPECT_EQ(convOutputSize(5, 3, 1, 1, 0, 0).value(), 3);
  // (7 + 1 + 0 - 2 * 2 - 1) / 2 + 1 = 2.
  EXPECT_EQ(convOutputSize(7, 3, 2, 2, 1, 0).value(), 2);
  EXPECT_EQ(convOutputSize(1, 1, 3, 1, 0, 0).value(), 1);
  EXPECT_TRUE(isError(convOutputSize(2, 3, 1, 1, 0, 0),
                      "bnn::ref::convOutputSize: padded input 2 is smaller "
                      "than the dilated kernel extent 3"));
  EXPECT_TRUE(isError(convOutputSize(5, 3, 0, 1, 0, 0),
                      "bnn::ref::convOutputSize: invalid arguments"));
}

TEST(Reference, Conv2DFloat) {
  // 1x1x3x1 input [1, 2, 3], filter 1x1x2x1 [1, 10], left padding 1.
  Tensor x = makeTensor({1, 1, 3, 1}, {1, 2, 3});
  Tensor w = makeTensor({1, 1, 2, 1}, {1, 10});
  Conv2DParams p;
  p.channelsIn = 1;
  p.padding = {0, 0, 1, 0};
  expectTensor(conv2d(x, w, p, 0.0f).value(), {1, 1, 3, 1}, {10, 21, 32});
  expectTensor(conv2d(x, w, p, 5.0f).value(), {1, 1, 3, 1}, {15, 21, 32});

  // Stride 2, dilation 2 on [1..5]: out = [x0 + 10 x2, x2 + 10 x4].
  Tensor x5 = makeTensor({1, 1, 5, 1}, {1, 2, 3, 4, 5});
  Conv2DParams q;
  q.channelsIn = 1;
  q.strides = {1, 2};
  q.dilations = {1, 2};
  expectTensor(conv2d(x5, w, q, 0.0f).value(), {1, 1, 2, 1}, {31, 53});
  // The same along H.
  Tensor x5v = makeTensor({1, 5, 1, 1}, {1, 2, 3, 4, 5});
  Tensor wv = makeTensor({1, 2, 1, 1}, {1, 10});
  Conv2DParams qv;
  qv.channelsIn = 1;
  qv.strides = {2, 1};
  qv.dilations = {2, 1};
  expectTensor(conv2d(x5v, wv, qv, 0.0f).value(), {1, 2, 1, 1}, {31, 53});

  // Groups: two channels, each output channel sees its own.
  Tensor xg = makeTensor({1, 1, 1, 2}, {1, 2});
  Tensor wg = makeTensor({2, 1, 1, 1}, {3, 4});
  Conv2DParams g;
  g.channelsIn = 2;
  g.groups = 2;
  expectTensor(conv2d(xg, wg, g, 0.0f).value(), {1, 1, 1, 2}, {3, 8});

  // Multi-channel, 2x2 kernel, vertical padding: 1x2x1x2 input.
  Tensor xc = makeTensor({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor wc = makeTensor({1, 2, 1, 2}, {1, 2, 2, 1});
  Conv2DParams c;
  c.channelsIn = 2;
  c.padding = {1, 0, 0, 0};
  // out0: (pad, pad) . (1, 2) + (1, 2) . (2, 1) = 3 pad + 4.
  // out1: (1, 2) . (1, 2) + (3, 4) . (2, 1) = 5 + 10 = 15.
  expectTensor(conv2d(xc, wc, c, 0.0f).value(), {1, 2, 1, 1}, {4, 15});
  expectTensor(conv2d(xc, wc, c, 1.0f).value(), {1, 2, 1, 1}, {7, 15});
  expectTensor(conv2d(xc, wc, c, 2.0f).value(), {1, 2, 1, 1}, {10, 15});

  p.channelsIn = 2;
  EXPECT_TRUE(
      isError(conv2d(x, w, p, 0.0f),
              "bnn::ref::conv2d: input has 1 channels but channels_in is 2"));
}

TEST(Reference, DenseFloat) {
  Tensor x = makeTensor({2, 2}, {1, 2, -1, 0.5f});
  Tensor w = makeTensor({3, 2}, {3, 4, 5, 6, 0, 1});
  expectTensor(dense(x, w).value(), {2, 3}, {11, 17, 2, -1, -2, 0.5f});
  EXPECT_TRUE(
      isError(dense(x, makeTensor({1, 3}, {1, 2, 3})),
              "bnn::ref::dense: input [2, 2] and filter [1, 3] differ in K"));
}

TEST(Reference, MaxPool2DFloat) {
  Tensor x = makeTensor({1, 2, 2, 1}, {1, 5, 3, 2});
  Pool2DParams p;
  p.kernel = {2, 2};
  expectTensor(maxPool2d(x, p).value(), {1, 1, 1, 1}, {5});
  p.padding = {1, 0, 1, 0};
  expectTensor(maxPool2d(x, p).value(), {1, 2, 2, 1}, {1, 5, 3, 5});
  // Negative values: padded taps are ignored, not read as 0.
  Tensor neg = makeTensor({1, 2, 2, 1}, {-1, -5, -3, -2});
  expectTensor(maxPool2d(neg, p).value(), {1, 2, 2, 1}, {-1, -1, -1, -1});
  p.padding = {2, 0, 0, 0};
  EXPECT_TRUE(isError(maxPool2d(x, p),
                      "bnn::ref::maxPool2d: padding must be in [0, kernel)"));
}

TEST(Reference, BConv2DHand) {
  // 1x1x3 input, C = 2: x0 = (+1, -1), x1 = (-1, -1), x2 = (+1, +1).
  // Filter 1x1x2, O = 1: tap0 = (+1, +1), tap1 = (-1, +1). Left padding 1.
  // tap0 . x = (0, -2, 2), tap1 . x = (-2, 0, 0).
  // out0 = pad . tap0 + tap1 . x0; out1 = tap0 . x0 + tap1 . x1 = 0;
  // out2 = tap0 . x1 + tap1 . x2 = -2.
  for (unsigned W : {32u, 64u}) {
    SCOPED_TRACE("W = " + std::to_string(W));
    PackedTensor in = makePacked({1, 1, 3, 1}, W, {0b10, 0b11, 0b00});
    PackedTensor f = makePacked({1, 1, 2, 1}, W, {0b00, 0b01});
    Conv2DParams p;
    p.channelsIn = 2;
    p.padding = {0, 0, 1, 0};
    IntTensor acc = bconv2d(in, f, nullptr, p).value();
    EXPECT_EQ(acc.shape, (std::vector<int64_t>{1, 1, 3, 1}));
    EXPECT_EQ(acc.data, (std::vector<int32_t>{-2, 0, -2}));
    p.padValue = 1; // pad . tap0 = sum tap0 = 2
    EXPECT_EQ(bconv2d(in, f, nullptr, p).value().data,
              (std::vector<int32_t>{0, 0, -2}));

    // Ternary: mask tap0 = (1, 0), tap1 = (0, 1): weights (+1, 0), (0, +1).
    // tap0 . x = (1, -1, 1), tap1 . x = (-1, -1, 1).
    PackedTensor m = makePacked({1, 1, 2, 1}, W, {0b01, 0b10});
    p.padValue = 0;
    EXPECT_EQ(bconv2d(in, f, &m, p).value().data,
              (std::vector<int32_t>{-1, 0, 0}));
    p.padValue = 1; // pad . tap0 = 1 (only the unmasked weight)
    EXPECT_EQ(bconv2d(in, f, &m, p).value().data,
              (std::vector<int32_t>{0, 0, 0}));
  }
}

TEST(Reference, BConv2DStrideDilationHand) {
  // C = 1, a line of 5: x = (+1, +1, -1, +1, +1); taps (+1, -1); stride 2,
  // dilation 2: out0 = x0 - x2 = 2, out1 = x2 - x4 = -2 (without the
  // dilation out0 would be x0 - x1 = 0). Along W, then H.
  for (unsigned W : {32u, 64u})
    for (bool alongH : {false, true}) {
      SCOPED_TRACE("W = " + std::to_string(W) + (alongH ? " H" : " W"));
      std::vector<int64_t> inShape = {1, 1, 5, 1}, fShape = {1, 1, 2, 1},
                           outShape = {1, 1, 2, 1};
      Conv2DParams p;
      p.channelsIn = 1;
      p.strides = {1, 2};
      p.dilations = {1, 2};
      if (alongH) {
        inShape = {1, 5, 1, 1};
        fShape = {1, 2, 1, 1};
        outShape = {1, 2, 1, 1};
        p.strides = {2, 1};
        p.dilations = {2, 1};
      }
      PackedTensor in = makePacked(inShape, W, {0, 0, 1, 0, 0});
      PackedTensor f = makePacked(fShape, W, {0, 1});
      IntTensor acc = bconv2d(in, f, nullptr, p).value();
      EXPECT_EQ(acc.shape, outShape);
      EXPECT_EQ(acc.data, (std::vector<int32_t>{2, -2}));
    }
}

TEST(Reference, BConv2DGroupsHand) {
  // 1x1 spatial, C = 64 at W = 32, groups = 2, O = 2.
  // Channels 0..31 are -1, 32..63 are +1. Output 0 (group 0) has all +1
  // weights: -32. Output 1 (group 1) has 8 weights -1: 24 - 8 = 16.
  PackedTensor in = makePacked({1, 1, 1, 2}, 32, {0xFFFFFFFFu, 0x0u});
  PackedTensor f = makePacked({2, 1, 1, 1}, 32, {0x0u, 0xFFu});
  Conv2DParams p;
  p.channelsIn = 64;
  p.groups = 2;
  EXPECT_EQ(bconv2d(in, f, nullptr, p).value().data,
            (std::vector<int32_t>{-32, 16}));

  // Validation.
  p.groups = 4; // 64 / 4 = 16 is not a multiple of 32
  EXPECT_TRUE(isError(
      bconv2d(in, f, nullptr, p),
      "bnn::ref::bconv2d: output channels 2 are not a multiple of groups 4"));
  p.groups = 1; // filter would need 2 words
  EXPECT_TRUE(isError(bconv2d(in, f, nullptr, p),
                      "bnn::ref::bconv2d: filter innermost dimension 1 != "
                      "ceil((channels_in / groups) / 32) = 2"));
  p.groups = 2;
  p.channelsIn = 65; // input would need 3 words, and 65 % 2 != 0
  EXPECT_TRUE(isError(
      bconv2d(in, f, nullptr, p),
      "bnn::ref::bconv2d: channels_in 65 is not a multiple of groups 2"));
  p.channelsIn = 64;
  p.padValue = 2;
  EXPECT_TRUE(isError(bconv2d(in, f, nullptr, p),
                      "bnn::ref::bconv2d: pad_value must be 0 or 1, got 2"));
  p.padValue = 0;
  PackedTensor f64 = f;
  f64.wordBits = 64;
  EXPECT_TRUE(isError(bconv2d(in, f64, nullptr, p),
                      "bnn::ref::bconv2d: filter word width 64 differs from "
                      "input word width 32"));
  PackedTensor badMask = makePacked({2, 1, 1, 2}, 32, {0, 0, 0, 0});
  EXPECT_TRUE(isError(
      bconv2d(in, f, &badMask, p),
      "bnn::ref::bconv2d: mask shape [2, 1, 1, 2] differs from filter shape"));
}

TEST(Reference, BDenseHand) {
  // K = 3. x0 = (+1, -1, -1) = 0b110, x1 = (+1, +1, +1) = 0.
  // w0 = (+1, +1, +1), w1 = (-1, -1, -1), w2 = (+1, -1, +1).
  for (unsigned W : {32u, 64u}) {
    SCOPED_TRACE("W = " + std::to_string(W));
    PackedTensor x = makePacked({2, 1}, W, {0b110, 0b000});
    PackedTensor w = makePacked({3, 1}, W, {0b000, 0b111, 0b010});
    IntTensor acc = bdense(x, w, nullptr, 3).value();
    EXPECT_EQ(acc.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(acc.data, (std::vector<int32_t>{-1, 1, 1, 3, -3, 1}));
    // Masks: w0 keeps channel 0 only, w1 keeps 1 and 2, w2 keeps nothing.
    PackedTensor m = makePacked({3, 1}, W, {0b001, 0b110, 0b000});
    EXPECT_EQ(bdense(x, w, &m, 3).value().data,
              (std::vector<int32_t>{1, 2, 0, 1, -2, 0}));
    EXPECT_TRUE(
        isError(bdense(x, w, nullptr, W + 1),
                "bnn::ref::bdense: input and filter must have ceil(size / " +
                    std::to_string(W) + ") = 2 words"));
  }
}

TEST(Reference, BMaxPool2DHand) {
  // 1x2x2, one word of C = 4 channels.
  for (unsigned W : {32u, 64u}) {
    SCOPED_TRACE("W = " + std::to_string(W));
    PackedTensor in =
        makePacked({1, 2, 2, 1}, W, {0b1111, 0b0101, 0b0011, 0b0111});
    Pool2DParams p;
    p.kernel = {2, 2};
    PackedTensor out = bmaxpool2d(in, p).value();
    EXPECT_EQ(out.shape, (std::vector<int64_t>{1, 1, 1, 1}));
    EXPECT_EQ(out.wordBits, W);
    EXPECT_EQ(out.data, (std::vector<uint64_t>{0b0001}));
    p.padding = {1, 0, 1, 0};
    out = bmaxpool2d(in, p).value();
    EXPECT_EQ(out.shape, (std::vector<int64_t>{1, 2, 2, 1}));
    EXPECT_EQ(out.data,
              (std::vector<uint64_t>{0b1111, 0b0101, 0b0011, 0b0001}));
    p.padding = {0, 2, 0, 0};
    EXPECT_TRUE(
        isError(bmaxpool2d(in, p),
                "bnn::ref::bmaxpool2d: padding must be in [0, kernel)"));
  }
}

TEST(Reference, Scale) {
  IntTensor acc{{2, 2}, {1, -2, 3, 0}};
  expectTensor(scale(acc, {0.5f, 2.0f}, {1.0f, -1.0f}).value(), {2, 2},
               {1.5f, -5.0f, 2.5f, -1.0f});
  EXPECT_TRUE(
      isError(scale(acc, {1.0f}, {0.0f, 0.0f}),
              "bnn::ref::scale: multiplier and bias must have 2 values"));
}

TEST(Reference, ThresholdHand) {
  // acc = thr - 1 -> -1 (bit 1); thr -> +1; thr + 1 -> +1.
  IntTensor acc{{2, 3}, {4, 5, 6, -8, -7, -6}};
  for (unsigned W : {32u, 64u}) {
    PackedTensor t = threshold(acc, {5, 5, 5}, W).value();
    EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 1}));
    EXPECT_EQ(t.wordBits, W);
    EXPECT_EQ(t.data[0], 0b001u);
    t = threshold(acc, {4, -7, -5}, W).value();
    EXPECT_EQ(t.data, (std::vector<uint64_t>{0b000, 0b101}));
  }
  // 33 outputs at W = 32: two words, bits past 33 are 0.
  IntTensor wide{{1, 33}, std::vector<int32_t>(33, 0)};
  wide.data[32] = -1;
  wide.data[0] = -1;
  PackedTensor t = threshold(wide, std::vector<int32_t>(33, 0), 32).value();
  EXPECT_EQ(t.data, (std::vector<uint64_t>{0x1u, 0x1u}));
  EXPECT_TRUE(isError(threshold(acc, {1, 2}, 32),
                      "bnn::ref::threshold: threshold must have 3 values"));
}

TEST(Reference, TailBitsAreIgnored) {
  // Garbage past the logical size (and above bit 31 for W = 32) must not
  // change bconv2d or bdense.
  std::mt19937 rng(7);
  for (unsigned W : {32u, 64u})
    for (int64_t C : {1, 33, 65}) {
      SCOPED_TRACE("W = " + std::to_string(W) + ", C = " + std::to_string(C));
      Tensor x = makeTensor({1, 3, 3, C}, randomSigns(rng, 9 * C));
      Tensor w = makeTensor({2, 2, 2, C}, randomSigns(rng, 8 * C));
      PackedTensor px = pack(x, W, Plane::Sign).value(),
                   pw = pack(w, W, Plane::Sign).value();
      TernaryWeights t = randomTernaryWeights(rng, {2, 2, 2, C}, W);
      auto dirty = [&](PackedTensor p) {
        int64_t words = p.shape.back();
        int64_t tailBits = C % W;
        for (size_t i = 0; i < p.data.size(); ++i) {
          if (W == 32)
            p.data[i] |= 0xABCD000000000000ull;
          if (tailBits != 0 && static_cast<int64_t>(i) % words == words - 1)
            p.data[i] |= (W == 64 ? ~uint64_t(0) : 0xFFFFFFFFull) << tailBits;
        }
        return p;
      };
      Conv2DParams p;
      p.channelsIn = C;
      p.padding = {1, 0, 0, 1};
      for (int64_t padValue : {0, 1}) {
        p.padValue = padValue;
        EXPECT_EQ(bconv2d(px, pw, nullptr, p).value().data,
                  bconv2d(dirty(px), dirty(pw), nullptr, p).value().data);
        PackedTensor m = t.mask;
        EXPECT_EQ(bconv2d(px, t.sign, &t.mask, p).value().data,
                  bconv2d(dirty(px), dirty(t.sign), &m, p).value().data);
        PackedTensor dm = dirty(t.mask);
        EXPECT_EQ(bconv2d(px, t.sign, &t.mask, p).value().data,
                  bconv2d(px, t.sign, &dm, p).value().data);
      }
      Tensor xd = makeTensor({2, C}, randomSigns(rng, 2 * C));
      Tensor wd = makeTensor({3, C}, randomSigns(rng, 3 * C));
      PackedTensor pxd = pack(xd, W, Plane::Sign).value();
      PackedTensor pwd = pack(wd, W, Plane::Sign).value();
      EXPECT_EQ(bdense(pxd, pwd, nullptr, C).value().data,
                bdense(dirty(pxd), dirty(pwd), nullptr, C).value().data);
    }
}

TEST(Reference, ValidationOfShapes) {
  PackedTensor in = makePacked({1, 2, 2, 1}, 64, {0, 0, 0, 0});
  PackedTensor f = makePacked({1, 1, 1, 1}, 64, {0});
  Conv2DParams p;
  p.channelsIn = 3;
  EXPECT_TRUE(hasValue(bconv2d(in, f, nullptr, p)));
  PackedTensor bad = in;
  bad.data.pop_back(); // data does not match shape
  EXPECT_TRUE(isError(bconv2d(bad, f, nullptr, p),
                      "bnn::ref::bconv2d: input has shape [1, 2, 2, 1] (4 "
                      "elements) but holds 3 values"));
  bad = in;
  bad.wordBits = 8;
  EXPECT_TRUE(isError(bconv2d(bad, f, nullptr, p),
                      "bnn::ref::bconv2d: word width must be 32 or 64, got 8"));
  PackedTensor big = makePacked({1, 3, 3, 1}, 64, {0});
  big.data.assign(9, 0);
  // A 3x3 filter on a 2x2 input: convOutputSize reports it.
  EXPECT_TRUE(isError(bconv2d(in, big, nullptr, p),
                      "bnn::ref::convOutputSize: padded input 2 is smaller "
                      "than the dilated kernel extent 3"));
  p.strides = {0, 1};
  EXPECT_TRUE(isError(bconv2d(in, f, nullptr, p),
                      "bnn::ref::bconv2d: strides must be positive, got 0"));
  p.strides = {1, 1};
  p.padding = {0, -1, 0, 0};
  EXPECT_TRUE(
      isError(bconv2d(in, f, nullptr, p),
              "bnn::ref::bconv2d: padding must be non-negative, got -1"));
}

//===----------------------------------------------------------------------===//
// Property tests: packed ops against float ops on the unpacked values
//===----------------------------------------------------------------------===//

/// (word width, logical channel count / K).
using WidthAndSize = std::tuple<unsigned, int64_t>;

class PackedProperty : public ::testing::TestWithParam<WidthAndSize> {
protected:
  unsigned width() const { return std::get<0>(GetParam()); }
  int64_t size() const { return std::get<1>(GetParam()); }
  std::mt19937 rng{static_cast<std::mt19937::result_type>(
      1000 * std::get<0>(GetParam()) + std::get<1>(GetParam()))};
};

std::string caseName(const ::testing::TestParamInfo<WidthAndSize> &info) {
  return "W" + std::to_string(std::get<0>(info.param)) + "_C" +
         std::to_string(std::get<1>(info.param));
}

TEST_P(PackedProperty, PackUnpackRoundTrip) {
  const int64_t C = size();
  const unsigned W = width();
  // Values with 0, -0.0, NaN, infinities and tiny values mixed in.
  const std::vector<float> specials = {0.0f,  -0.0f,  kNaN,   kInf,
                                       -kInf, 1e-38f, -1e-38f};
  std::vector<float> data = randomSigns(rng, 6 * C);
  std::uniform_real_distribution<float> real(-3.0f, 3.0f);
  std::uniform_int_distribution<int> pick(0, 9);
  for (auto &v : data) {
    int r = pick(rng);
    if (r < 2)
      v = specials[pick(rng) % specials.size()];
    else if (r < 4)
      v = real(rng);
  }
  Tensor x = makeTensor({2, 3, C}, data);

  PackedTensor p = pack(x, W, Plane::Sign).value();
  ASSERT_EQ(p.shape, (std::vector<int64_t>{2, 3, packedWords(C, W)}));
  expectTensor(unpack(p, C).value(), x.shape, sign(x).value().data);

  PackedTensor nz = pack(x, W, Plane::Nonzero).value();
  int64_t words = packedWords(C, W);
  for (int64_t r = 0; r < 6; ++r)
    for (int64_t c = 0; c < C; ++c) {
      float v = x.data[r * C + c];
      int64_t word = r * words + c / W;
      EXPECT_EQ((p.data[word] >> (c % W)) & 1, v < 0.0f ? 1u : 0u);
      EXPECT_EQ((nz.data[word] >> (c % W)) & 1, v != 0.0f ? 1u : 0u);
    }
  // Bits past the logical size, and above bit W - 1, are 0.
  for (const PackedTensor *q : {&p, &nz})
    for (int64_t r = 0; r < 6; ++r)
      for (int64_t j = 0; j < words; ++j) {
        int64_t used = std::min<int64_t>(W, C - j * W);
        uint64_t beyond = used == 64 ? 0 : ~((uint64_t(1) << used) - 1);
        EXPECT_EQ(q->data[r * words + j] & beyond, 0u);
      }
}

TEST_P(PackedProperty, UnpackPackRoundTrip) {
  const int64_t C = size();
  const unsigned W = width();
  int64_t words = packedWords(C, W);
  PackedTensor p = makePacked({3, 2, words}, W, {});
  std::uniform_int_distribution<uint64_t> bits;
  for (int64_t r = 0; r < 6; ++r)
    for (int64_t j = 0; j < words; ++j) {
      int64_t used = std::min<int64_t>(W, C - j * W);
      uint64_t keep = used == 64 ? ~uint64_t(0) : (uint64_t(1) << used) - 1;
      p.data.push_back(bits(rng) & keep);
    }
  EXPECT_TRUE(
      samePacked(pack(unpack(p, C).value(), W, Plane::Sign).value(), p));
}

TEST_P(PackedProperty, BConv2DMatchesFloatConv) {
  const int64_t C = size();
  const unsigned W = width();
  const int64_t H = 5, Wd = 7, O = 4;
  struct Kernel {
    int64_t h, w;
  };
  int cases = 0;
  for (int64_t groups : {1, 2}) {
    if (groups > 1 && (C % groups != 0 || (C / groups) % W != 0))
      continue;
    const int64_t groupChannels = C / groups;
    for (int64_t N : {1, 2})
      for (Kernel k : {Kernel{1, 1}, Kernel{3, 3}, Kernel{2, 3}})
        for (int64_t stride : {1, 2})
          for (int64_t dilation : {1, 2})
            for (std::array<int64_t, 4> padding :
                 {std::array<int64_t, 4>{0, 0, 0, 0},
                  std::array<int64_t, 4>{1, 0, 2, 1}})
              for (int64_t padValue : {0, 1})
                for (bool ternary : {false, true}) {
                  SCOPED_TRACE("groups=" + std::to_string(groups) +
                               " N=" + std::to_string(N) + " kernel=" +
                               std::to_string(k.h) + "x" + std::to_string(k.w) +
                               " stride=" + std::to_string(stride) +
                               " dilation=" + std::to_string(dilation) +
                               " padding=" + std::to_string(padding[0]) + "," +
                               std::to_string(padding[1]) + "," +
                               std::to_string(padding[2]) + "," +
                               std::to_string(padding[3]) +
                               " pad_value=" + std::to_string(padValue) +
                               (ternary ? " ternary" : " binary"));
                  Conv2DParams p;
                  p.channelsIn = C;
                  p.strides = {stride, stride};
                  p.dilations = {dilation, dilation};
                  p.padding = padding;
                  p.padValue = padValue;
                  p.groups = groups;

                  Tensor x = makeTensor({N, H, Wd, C},
                                        randomSigns(rng, N * H * Wd * C));
                  PackedTensor px = pack(x, W, Plane::Sign).value();
                  Tensor xHat = unpack(px, C).value();

                  std::vector<int64_t> fShape = {O, k.h, k.w, groupChannels};
                  IntTensor got;
                  Tensor fHat;
                  if (ternary) {
                    TernaryWeights t = randomTernaryWeights(rng, fShape, W);
                    got = bconv2d(px, t.sign, &t.mask, p).value();
                    fHat = t.values;
                  } else {
                    Tensor f = makeTensor(
                        fShape, randomSigns(rng, numElements(fShape).value()));
                    PackedTensor pf = pack(f, W, Plane::Sign).value();
                    got = bconv2d(px, pf, nullptr, p).value();
                    fHat = unpack(pf, groupChannels).value();
                  }
                  Tensor want =
                      conv2d(xHat, fHat, p, padValue == 0 ? 0.0f : 1.0f)
                          .value();
                  ASSERT_TRUE(sameValues(got, want));
                  ++cases;
                }
  }
  EXPECT_GT(cases, 0);
}

TEST_P(PackedProperty, BDenseMatchesFloatDense) {
  const int64_t K = size();
  const unsigned W = width();
  for (int64_t N : {1, 3})
    for (bool ternary : {false, true}) {
      SCOPED_TRACE("N=" + std::to_string(N) +
                   (ternary ? " ternary" : " binary"));
      const int64_t O = 5;
      Tensor x = makeTensor({N, K}, randomSigns(rng, N * K));
      PackedTensor px = pack(x, W, Plane::Sign).value();
      Tensor xHat = unpack(px, K).value();
      IntTensor got;
      Tensor wHat;
      if (ternary) {
        TernaryWeights t = randomTernaryWeights(rng, {O, K}, W);
        got = bdense(px, t.sign, &t.mask, K).value();
        wHat = t.values;
      } else {
        Tensor w = makeTensor({O, K}, randomSigns(rng, O * K));
        PackedTensor pw = pack(w, W, Plane::Sign).value();
        got = bdense(px, pw, nullptr, K).value();
        wHat = unpack(pw, K).value();
      }
      ASSERT_TRUE(sameValues(got, dense(xHat, wHat).value()));
    }
}

TEST_P(PackedProperty, BMaxPool2DMatchesFloatMaxPool) {
  const int64_t C = size();
  const unsigned W = width();
  const int64_t N = 2, H = 5, Wd = 7;
  Tensor x = makeTensor({N, H, Wd, C}, randomSigns(rng, N * H * Wd * C));
  PackedTensor px = pack(x, W, Plane::Sign).value();
  Tensor xHat = unpack(px, C).value();
  for (std::array<int64_t, 2> kernel :
       {std::array<int64_t, 2>{1, 1}, std::array<int64_t, 2>{2, 2},
        std::array<int64_t, 2>{3, 3}, std::array<int64_t, 2>{2, 3}})
    for (int64_t stride : {1, 2, 3})
      for (int64_t top : {int64_t(0), kernel[0] - 1})
        for (int64_t bottom : {int64_t(0), kernel[0] - 1})
          for (int64_t left : {int64_t(0), kernel[1] - 1})
            for (int64_t right : {int64_t(0), kernel[1] - 1}) {
              SCOPED_TRACE("kernel=" + std::to_string(kernel[0]) + "x" +
                           std::to_string(kernel[1]) +
                           " stride=" + std::to_string(stride) +
                           " padding=" + std::to_string(top) + "," +
                           std::to_string(bottom) + "," + std::to_string(left) +
                           "," + std::to_string(right));
              Pool2DParams p;
              p.kernel = kernel;
              p.strides = {stride, stride};
              p.padding = {top, bottom, left, right};
              PackedTensor want =
                  pack(maxPool2d(xHat, p).value(), W, Plane::Sign).value();
              ASSERT_TRUE(samePacked(bmaxpool2d(px, p).value(), want));
            }
}

TEST_P(PackedProperty, ThresholdMatchesPackOfComparison) {
  const int64_t O = size();
  const unsigned W = width();
  std::uniform_int_distribution<int32_t> value(-20, 20);
  IntTensor acc{{2, 3, O}, std::vector<int32_t>(6 * O)};
  for (auto &a : acc.data)
    a = value(rng);
  std::vector<int32_t> thr(O);
  for (auto &t : thr)
    t = value(rng);
  Tensor signs{acc.shape, std::vector<float>(acc.data.size())};
  for (size_t i = 0; i < acc.data.size(); ++i)
    signs.data[i] = acc.data[i] >= thr[i % O] ? 1.0f : -1.0f;
  EXPECT_TRUE(samePacked(threshold(acc, thr, W).value(),
                         pack(signs, W, Plane::Sign).value()));
}

INSTANTIATE_TEST_SUITE_P(
    Reference, PackedProperty,
    ::testing::Combine(::testing::Values(32u, 64u),
                       ::testing::Values(int64_t(1), int64_t(31), int64_t(32),
                                         int64_t(33), int64_t(63), int64_t(64),
                                         int64_t(65), int64_t(128),
                                         int64_t(200))),
    caseName);

} // namespace
