//===- Initializers.h - Deterministic parameter initialization --*- C++ -*-===//
//
// The initial values of a training model's parameters, deterministic from
// a seed (docs/Training.md): every parameter draws from its own stream
// (the seed and the parameter's index), so adding a parameter does not
// change the others.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_RUNTIME_INITIALIZERS_H
#define BNN_RUNTIME_INITIALIZERS_H

#include <cstdint>
#include <vector>

namespace bnn::runtime {

/// Uniform in [-bound, bound) with bound = sqrt(6 / fanIn): Kaiming-uniform
/// for ReLU-like gains (He et al.), the rule for convolution and dense
/// weights (fanIn = KH * KW * C for a convolution, K for a dense layer).
std::vector<float> kaimingUniform(int64_t count, int64_t fanIn, uint64_t seed,
                                  uint64_t stream);

/// `count` copies of `value` (batch norm scale 1, shift 0; SQ beta pi/4).
std::vector<float> constant(int64_t count, float value);

/// A permutation of [0, count): Fisher-Yates driven by the SplitMix64
/// stream of (`seed`, `epoch`), so that epoch e of a run visits the same
/// examples in the same order whether or not the run was resumed.
std::vector<int64_t> shuffledOrder(int64_t count, uint64_t seed, int64_t epoch);

} // namespace bnn::runtime

#endif // BNN_RUNTIME_INITIALIZERS_H
