//===- LinearAlgebraTest.cpp - BiTAT's eigen-decomposition and projection -===//

#include "bnn/Runtime/LinearAlgebra.h"
#include "bnn/Runtime/Initializers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace bnn::runtime;

namespace {

TEST(SymmetricEigen, ReconstructsTheMatrix) {
  const int64_t n = 7;
  std::vector<float> r = kaimingUniform(n * n, 1, 5, 0);
  std::vector<double> a(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      a[i * n + j] = r[i * n + j] + r[j * n + i];
  SymmetricEigen e = symmetricEigen(a, n);
  ASSERT_EQ(e.values.size(), size_t(n));
  EXPECT_TRUE(std::is_sorted(e.values.rbegin(), e.values.rend()));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0, dot = 0;
      for (int64_t k = 0; k < n; ++k) {
        sum += e.vectors[i * n + k] * e.values[k] * e.vectors[j * n + k];
        dot += e.vectors[k * n + i] * e.vectors[k * n + j];
      }
      EXPECT_NEAR(sum, a[i * n + j], 1e-9);
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-9);
    }
}

TEST(SymmetricEigen, DiagonalAndRepeatedValues) {
  std::vector<double> a = {1, 0, 0, 0, 3, 0, 0, 0, 3};
  SymmetricEigen e = symmetricEigen(a, 3);
  EXPECT_DOUBLE_EQ(e.values[0], 3);
  EXPECT_DOUBLE_EQ(e.values[1], 3);
  EXPECT_DOUBLE_EQ(e.values[2], 1);
  EXPECT_DOUBLE_EQ(std::fabs(e.vectors[0 * 3 + 2]), 1.0);
}

TEST(OrthonormalizeColumns, GivesAnOrthonormalMatrix) {
  const int64_t n = 5;
  std::vector<float> m = kaimingUniform(n * n, 1, 9, 1);
  orthonormalizeColumns(m.data(), n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t k = 0; k < n; ++k)
        dot += double(m[k * n + i]) * m[k * n + j];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-6);
    }
}

TEST(OrthonormalizeColumns, KeepsAnOrthonormalMatrixAndRepairsDependence) {
  std::vector<float> identity = {1, 0, 0, 1};
  orthonormalizeColumns(identity.data(), 2);
  EXPECT_EQ(identity, (std::vector<float>{1, 0, 0, 1}));
  std::vector<float> dependent = {1, 1, 0, 0}; // both columns e_0
  orthonormalizeColumns(dependent.data(), 2);
  EXPECT_EQ(dependent, (std::vector<float>{1, 0, 0, 1}));
}

TEST(ShuffledOrder, IsAPermutationFixedBySeedAndEpoch) {
  std::vector<int64_t> a = shuffledOrder(1000, 7, 3);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i)
    EXPECT_EQ(sorted[i], i);
  EXPECT_EQ(a, shuffledOrder(1000, 7, 3));
  EXPECT_NE(a, shuffledOrder(1000, 7, 4));
  EXPECT_NE(a, shuffledOrder(1000, 8, 3));
}

} // namespace
