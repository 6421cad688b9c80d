//===- OptimizerTest.cpp - Adam, SGD with momentum, cosine schedule -------===//

#include "bnn/Runtime/Optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace bnn::runtime;

// Adam's first step moves every parameter by lr in the direction against
// the gradient, whatever the gradient's size (bias correction).
TEST(Adam, FirstStepIsLearningRateTimesSign) {
  std::vector<float> p = {1.0f, -2.0f, 0.5f}, g = {0.001f, -30.0f, 4.0f};
  Adam adam;
  adam.step({{p.data(), g.data(), p.size()}}, 0.1f);
  EXPECT_NEAR(p[0], 0.9f, 1e-5);
  EXPECT_NEAR(p[1], -1.9f, 1e-5);
  EXPECT_NEAR(p[2], 0.4f, 1e-5);
  EXPECT_EQ(adam.steps, 1);
}

// Both optimizers minimize f(p) = sum (p - t)^2.
template <typename Optimizer>
float minimizeQuadratic(Optimizer &opt, float lr, int steps) {
  std::vector<float> p = {3.0f, -1.0f, 0.0f, 5.0f},
                     t = {1.0f, 2.0f, -3.0f, 0.5f};
  std::vector<float> g(4);
  for (int s = 0; s < steps; ++s) {
    for (int i = 0; i < 4; ++i)
      g[i] = 2.0f * (p[i] - t[i]);
    opt.step({{p.data(), g.data(), p.size()}}, lr);
  }
  float distance = 0.0f;
  for (int i = 0; i < 4; ++i)
    distance += (p[i] - t[i]) * (p[i] - t[i]);
  return std::sqrt(distance);
}

TEST(Adam, MinimizesAQuadratic) {
  Adam adam;
  EXPECT_LT(minimizeQuadratic(adam, 0.05f, 2000), 1e-2f);
}

TEST(SgdMomentum, MinimizesAQuadratic) {
  SgdMomentum sgd;
  EXPECT_LT(minimizeQuadratic(sgd, 0.01f, 500), 1e-3f);
}

TEST(SgdMomentum, AccumulatesVelocity) {
  std::vector<float> p = {0.0f}, g = {1.0f};
  SgdMomentum sgd;
  sgd.momentum = 0.5f;
  sgd.step({{p.data(), g.data(), 1}}, 1.0f); // u = 1
  sgd.step({{p.data(), g.data(), 1}}, 1.0f); // u = 1.5
  EXPECT_FLOAT_EQ(p[0], -2.5f);
}

TEST(CosineSchedule, StartsAtBaseEndsAtFloor) {
  EXPECT_FLOAT_EQ(cosineLearningRate(0.1f, 0, 100), 0.1f);
  EXPECT_NEAR(cosineLearningRate(0.1f, 50, 100), 0.05f, 1e-6);
  EXPECT_NEAR(cosineLearningRate(0.1f, 100, 100, 0.1f), 0.01f, 1e-6);
  EXPECT_NEAR(cosineLearningRate(0.1f, 150, 100), 0.0f, 1e-6);
}
