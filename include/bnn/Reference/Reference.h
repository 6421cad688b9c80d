//===- Reference.h - Plain C++ semantics of every bnn op --------*- C++ -*-===//
//
// The test oracle. Every function here implements one op of DESIGN.md
// section 3 on dense row-major buffers, written for clarity, not speed, and
// independent of MLIR. Optimized kernels must never share code with it.
//
// Functions that validate their arguments return a Result: the value, or an
// Error naming the violated precondition. Nothing here throws, so the
// library is safe in the compiler (built with -fno-exceptions), whose
// folders give up on an error.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_REFERENCE_REFERENCE_H
#define BNN_REFERENCE_REFERENCE_H

#include "bnn/Reference/Packing.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bnn::ref {

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

/// A violated precondition: "bnn::ref::<function>: <what is wrong>".
struct Error {
  std::string message;
};

/// A value of type T, or the Error of the arguments that did not allow one.
///
/// A caller that can recover (a folder) tests the result:
///
///   Result<Tensor> y = sign(x);
///   if (!y)
///     return {}; // y.error() says why
///   use(y->data);
///
/// A caller whose arguments must be valid (a test, a tool) takes the value
/// with value(), `*` or `->`: on an error these print "bnn::ref: <error>" to
/// stderr and call std::abort(), since a violated precondition there is a
/// bug in the caller. There is no implicit conversion to T, so every place
/// that may abort says so.
template <typename T> class Result {
public:
  Result(const T &value) : value_(value) {}
  Result(T &&value) : value_(std::move(value)) {}
  Result(Error error) : error_(std::move(error.message)) {}

  /// Whether there is a value.
  explicit operator bool() const { return value_.has_value(); }

  /// The error message; empty when there is a value.
  const std::string &error() const { return error_; }

  /// The value; aborts when there is none.
  const T &value() const & {
    requireValue();
    return *value_;
  }
  T &value() & {
    requireValue();
    return *value_;
  }
  T value() && {
    requireValue();
    return std::move(*value_);
  }

  const T &operator*() const & { return value(); }
  T &operator*() & { return value(); }
  T operator*() && { return std::move(*this).value(); }
  const T *operator->() const { return &value(); }
  T *operator->() { return &value(); }

private:
  void requireValue() const {
    if (value_)
      return;
    std::fprintf(stderr, "bnn::ref: %s\n", error_.c_str());
    std::abort();
  }

  std::optional<T> value_;
  std::string error_;
};

/// A dense row-major float tensor.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// A dense row-major int32 tensor (accumulators, thresholds).
struct IntTensor {
  std::vector<int64_t> shape;
  std::vector<int32_t> data;
};

/// A packed tensor: `shape` counts words along the innermost axis; one word
/// per element of `data` (see Packing.h), `wordBits` is 32 or 64.
struct PackedTensor {
  std::vector<int64_t> shape;
  unsigned wordBits = 64;
  std::vector<uint64_t> data;
};

/// Number of elements of a shape (an error for a negative dimension).
Result<int64_t> numElements(const std::vector<int64_t> &shape);

//===----------------------------------------------------------------------===//
// Level 1 (float)
//===----------------------------------------------------------------------===//

/// Backward rules of `bnn.sign`.
enum class Estimator { Ste, Approx, Swish, Identity };

/// bnn.sign: y = x < 0 ? -1 : +1.
Result<Tensor> sign(const Tensor &x);

/// d sign(x) / dx as the estimator defines it: ste = 1 where |x| <= 1 else 0;
/// approx = 2 - 2|x| inside [-1, 1] else 0; swish = the derivative of
/// 2 sigmoid(b x) (1 + b x (1 - sigmoid(b x))) - 1 with b = 5 (BNN+);
/// identity = 1. (NaN for a value that is not an Estimator.)
float signGradient(float x, Estimator estimator);

/// bnn.orthonormal_transform: y[..i..] = sum_j q[i,j] x[..j..] along `axis`
/// (q[j,i] when `transpose`).
Result<Tensor> orthonormalTransform(const Tensor &x, const Tensor &q,
                                    int64_t axis, bool transpose);

/// bnn.importance_sign: y[o,k] = alpha_o sign(x[o,k]) with
/// alpha_o = sum_k s_k |x[o,k]| / sum_k s_k (0 when sum_k s_k = 0).
Result<Tensor> importanceSign(const Tensor &x, const Tensor &s);

/// bnn.ternary: per output channel o, t = +1 if x > delta_o, -1 if
/// x < -delta_o, else 0; alpha_o = mean |x| over entries with t != 0 (0 if
/// none); y = alpha_o t.
Result<Tensor> ternary(const Tensor &x, const std::vector<float> &delta);

/// bnn.batch_norm (training form): per channel c (the innermost axis),
/// mean_c and the biased var_c over every other axis;
/// y = (x - mean_c) / sqrt(var_c + epsilon) * gamma_c + beta_c. `mean` and
/// `var`, when given, receive the statistics.
Result<Tensor> batchNorm(const Tensor &x, const std::vector<float> &gamma,
                         const std::vector<float> &beta, float epsilon,
                         std::vector<float> *mean = nullptr,
                         std::vector<float> *var = nullptr);

/// bnn.sq_regularizer: u = w / mean|w|; r = mean_i min((u_i - 1)^2,
/// (u_i + 1)^2, tan(beta) u_i^2). Returns 0 for an all-zero w.
Result<float> sqRegularizer(const Tensor &w, float beta);

/// The ternary threshold that matches beta: mean|w| / (1 + sqrt(tan beta)).
Result<float> sqDelta(const Tensor &w, float beta);

//===----------------------------------------------------------------------===//
// Level 2 (packed)
//===----------------------------------------------------------------------===//

/// bnn.pack along the innermost axis.
Result<PackedTensor> pack(const Tensor &x, unsigned wordBits, Plane plane);

/// bnn.unpack (sign plane) with logical innermost length `size`.
Result<Tensor> unpack(const PackedTensor &p, int64_t size);

/// Attributes of bnn.bconv2d (and of the float conv2d below).
struct Conv2DParams {
  int64_t channelsIn = 0;                        // logical C of the input
  std::array<int64_t, 2> strides = {1, 1};       // [sh, sw]
  std::array<int64_t, 2> dilations = {1, 1};     // [dh, dw]
  std::array<int64_t, 4> padding = {0, 0, 0, 0}; // [top, bottom, left, right]
  int64_t padValue = 0;                          // 0: taps add 0; 1: x_hat = +1
  int64_t groups = 1;
};

/// Output spatial size of a convolution or pool along one axis.
Result<int64_t> convOutputSize(int64_t in, int64_t kernel, int64_t stride,
                               int64_t dilation, int64_t padBefore,
                               int64_t padAfter);

/// bnn.bconv2d. input [N, H, W, ceil(C/W)] packed NHWC; filter [O, KH, KW,
/// words(C/groups)] packed OHWI; optional mask like filter (ternary weights).
/// Computed with the packed formula K - 2 popcount(a XOR b) (masked:
/// popcount(m) - 2 popcount((a XOR b) AND m)) per tap.
Result<IntTensor> bconv2d(const PackedTensor &input, const PackedTensor &filter,
                          const PackedTensor *mask, const Conv2DParams &params);

/// bnn.bdense. input [N, Kw], filter [O, Kw], optional mask; `size` = K.
Result<IntTensor> bdense(const PackedTensor &input, const PackedTensor &filter,
                         const PackedTensor *mask, int64_t size);

/// Attributes of bnn.bmaxpool2d (and of the float maxPool2d below).
struct Pool2DParams {
  std::array<int64_t, 2> kernel = {1, 1};
  std::array<int64_t, 2> strides = {1, 1};
  std::array<int64_t, 4> padding = {0, 0, 0, 0}; // [top, bottom, left, right]
};

/// bnn.bmaxpool2d: max of ±1 values = AND of the bits; padded taps ignored.
Result<PackedTensor> bmaxpool2d(const PackedTensor &input,
                                const Pool2DParams &params);

/// bnn.scale: y = acc * multiplier[o] + bias[o] along the innermost axis.
Result<Tensor> scale(const IntTensor &acc, const std::vector<float> &multiplier,
                     const std::vector<float> &bias);

/// bnn.threshold: +1 (bit 0) iff acc[.., o] >= threshold[o], packed with
/// `wordBits`-bit words along the innermost axis.
Result<PackedTensor> threshold(const IntTensor &acc,
                               const std::vector<int32_t> &threshold,
                               unsigned wordBits);

//===----------------------------------------------------------------------===//
// Float layers (oracles for the packed ops and for float layers of models)
//===----------------------------------------------------------------------===//

/// Float convolution, input NHWC, filter OHWI with I = C / groups. Padded
/// taps read `padValue`.
Result<Tensor> conv2d(const Tensor &input, const Tensor &filter,
                      const Conv2DParams &params, float padValue);

/// Float dense layer: y[n,o] = sum_k x[n,k] w[o,k].
Result<Tensor> dense(const Tensor &input, const Tensor &filter);

/// Float max pool, NHWC; padded taps ignored.
Result<Tensor> maxPool2d(const Tensor &input, const Pool2DParams &params);

//===----------------------------------------------------------------------===//
// Backward rules (oracles for bnn-generate-gradients)
//===----------------------------------------------------------------------===//
//
// Each takes the forward operands and dy, the adjoint of the result, and
// returns the adjoints of the operands, as docs/Formulation.md
// ("Gradients") states them. signBackward, importanceSignBackward and
// ternaryBackward check nothing: their operands must be those of a forward
// call that succeeded.

/// bnn.sign: dx = dy * signGradient(x).
Tensor signBackward(const Tensor &x, const Tensor &dy, Estimator estimator);

struct ImportanceSignGradients {
  Tensor dx, ds;
};
/// bnn.importance_sign: the sign through the estimator, the scale exactly.
ImportanceSignGradients importanceSignBackward(const Tensor &x, const Tensor &s,
                                               const Tensor &dy,
                                               Estimator estimator);

/// bnn.ternary (dx only; delta gets none): the ternary factor
/// straight-through on every entry, the scale exactly with the kept set
/// fixed.
Tensor ternaryBackward(const Tensor &x, const std::vector<float> &delta,
                       const Tensor &dy);

struct SqRegularizerGradients {
  Tensor dw;
  float dbeta = 0.0f;
};
/// bnn.sq_regularizer: the basin that attains the minimum (the first of
/// +1, -1, 0 on ties), mean|w| constant.
Result<SqRegularizerGradients> sqRegularizerBackward(const Tensor &w,
                                                     float beta, float dr);

struct Conv2DGradients {
  Tensor dInput, dFilter;
};
/// Float convolution (as conv2d, groups = 1): taps in the padding read
/// `padValue`, so they add to dFilter but not to dInput.
Result<Conv2DGradients> conv2dBackward(const Tensor &input,
                                       const Tensor &filter,
                                       const Conv2DParams &params,
                                       float padValue, const Tensor &dy);

/// Float max pool (NHWC, no padding): each window's dy goes to its first
/// maximal tap in row-major (kh, kw) order.
Result<Tensor> maxPool2dBackward(const Tensor &input,
                                 const Pool2DParams &params, const Tensor &dy);

} // namespace bnn::ref

#endif // BNN_REFERENCE_REFERENCE_H
