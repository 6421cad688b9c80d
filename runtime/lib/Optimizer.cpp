//===- Optimizer.cpp - Parameter updates from gradients -------------------===//

#include "bnn/Runtime/Optimizer.h"

#include <algorithm>
#include <cmath>

namespace bnn::runtime {
namespace {
/// Zero state for every parameter on the first step.
void ensureState(std::vector<std::vector<float>> &state,
                 const std::vector<ParamRef> &params) {
  if (state.size() == params.size())
    return;
  state.clear();
  for (const ParamRef &p : params)
    state.emplace_back(p.size, 0.0f);
}
} // namespace

void Adam::step(const std::vector<ParamRef> &params, float lr) {
  ensureState(m, params);
  ensureState(v, params);
  ++steps;
  double correction1 = 1.0 - std::pow(static_cast<double>(beta1), steps);
  double correction2 = 1.0 - std::pow(static_cast<double>(beta2), steps);
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamRef &p = params[i];
    for (size_t j = 0; j < p.size; ++j) {
      float g = p.grad[j];
      m[i][j] = beta1 * m[i][j] + (1.0f - beta1) * g;
      v[i][j] = beta2 * v[i][j] + (1.0f - beta2) * g * g;
      double mHat = m[i][j] / correction1;
      double vHat = v[i][j] / correction2;
      p.value[j] -= static_cast<float>(lr * mHat / (std::sqrt(vHat) + epsilon));
    }
  }
}

void SgdMomentum::step(const std::vector<ParamRef> &params, float lr) {
  ensureState(velocity, params);
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamRef &p = params[i];
    for (size_t j = 0; j < p.size; ++j) {
      velocity[i][j] = momentum * velocity[i][j] + p.grad[j];
      p.value[j] -= lr * velocity[i][j];
    }
  }
}

float cosineLearningRate(float base, int64_t step, int64_t total,
                         float floorFraction) {
  if (total <= 0)
    return base;
  double progress = std::min(1.0, static_cast<double>(step) / total);
  double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  return static_cast<float>(base *
                            (floorFraction + (1.0 - floorFraction) * cosine));
}

} // namespace bnn::runtime
