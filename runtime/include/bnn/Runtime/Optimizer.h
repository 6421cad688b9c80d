//===- Optimizer.h - Parameter updates from gradients -----------*- C++ -*-===//
//
// Adam and SGD with momentum over a list of parameter tensors (flat float
// buffers), the updates of docs/Training.md. Their state (moments, step
// count) is plain data, so that checkpoints can save and restore it.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_RUNTIME_OPTIMIZER_H
#define BNN_RUNTIME_OPTIMIZER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bnn::runtime {

/// One parameter tensor and its gradient, of `size` floats each.
struct ParamRef {
  float *value;
  const float *grad;
  size_t size;
};

/// Adam (Kingma and Ba) with bias correction:
///   m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
///   p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
struct Adam {
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
  int64_t steps = 0;
  std::vector<std::vector<float>> m, v;

  /// One update of every parameter with learning rate `lr`.
  void step(const std::vector<ParamRef> &params, float lr);
};

/// SGD with momentum: u = mu u + g, p -= lr u.
struct SgdMomentum {
  float momentum = 0.9f;
  std::vector<std::vector<float>> velocity;

  void step(const std::vector<ParamRef> &params, float lr);
};

/// The cosine schedule: lr at `step` of `total`, from `base` down to
/// `base * floorFraction`.
float cosineLearningRate(float base, int64_t step, int64_t total,
                         float floorFraction = 0.0f);

} // namespace bnn::runtime

#endif // BNN_RUNTIME_OPTIMIZER_H
