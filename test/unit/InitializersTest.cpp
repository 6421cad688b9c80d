//===- InitializersTest.cpp - Deterministic, bounded, independent ---------===//

#include "bnn/Runtime/Initializers.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace bnn::runtime;

TEST(KaimingUniform, DeterministicFromSeedAndStream) {
  EXPECT_EQ(kaimingUniform(100, 9, 42, 3), kaimingUniform(100, 9, 42, 3));
  EXPECT_NE(kaimingUniform(100, 9, 42, 3), kaimingUniform(100, 9, 43, 3));
  EXPECT_NE(kaimingUniform(100, 9, 42, 3), kaimingUniform(100, 9, 42, 4));
}

TEST(KaimingUniform, BoundedAndSpread) {
  // fanIn 6: bound 1.
  std::vector<float> v = kaimingUniform(20000, 6, 1, 0);
  double mean = 0.0, maxAbs = 0.0;
  for (float x : v) {
    mean += x;
    maxAbs = std::max(maxAbs, static_cast<double>(std::fabs(x)));
  }
  mean /= v.size();
  EXPECT_LT(maxAbs, 1.0);
  EXPECT_GT(maxAbs, 0.99);
  EXPECT_NEAR(mean, 0.0, 0.02);
  // Variance of U(-1, 1) is 1/3.
  double var = 0.0;
  for (float x : v)
    var += (x - mean) * (x - mean);
  EXPECT_NEAR(var / v.size(), 1.0 / 3.0, 0.01);
}

TEST(Constant, Fills) {
  EXPECT_EQ(constant(3, 0.785f), (std::vector<float>{0.785f, 0.785f, 0.785f}));
}
