//===- harness.cpp - Generated gradients against the oracles --------------===//
//
// Runs the @NAME_grad functions that bnn-generate-gradients wrote for
// nonsmooth.mlir (loss = mse) and smooth.mlir (softmax cross-entropy),
// compiled by bnn-compile:
//  - non-smooth rules: the gradients equal lib/Reference's backward applied
//    to dy = 2 (y - T) / n, y the reference forward (to f32 rounding);
//  - smooth rules: the gradients equal central finite differences of the
//    compiled loss.
// Prints one line per case and "<passed> passed, <failed> failed".
//
//===----------------------------------------------------------------------===//

#include "bnn/Reference/Reference.h"
#include "nonsmooth.h"
#include "smooth.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace bnn::ref;

namespace {

int passed = 0, failed = 0;
std::mt19937 rng(20261202);

std::vector<float> uniform(size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &e : v)
    e = dist(rng);
  return v;
}

/// Values from {-1, 0, 1}: many ties in a max pool.
std::vector<float> levels(size_t n) {
  std::uniform_int_distribution<int> dist(-1, 1);
  std::vector<float> v(n);
  for (float &e : v)
    e = static_cast<float>(dist(rng));
  return v;
}

bool close(float got, double want, double rel, double abs) {
  return std::fabs(got - want) <= abs + rel * std::fabs(want);
}

void report(const std::string &name, bool ok, const std::string &detail) {
  (ok ? passed : failed)++;
  std::printf("%s %s%s\n", ok ? "PASS" : "FAIL", name.c_str(),
              ok ? "" : (": " + detail).c_str());
}

/// Compares `got` with `want` element by element.
bool matches(const std::vector<float> &got, const std::vector<float> &want,
             std::string &detail, const char *what) {
  for (size_t i = 0; i < got.size(); ++i)
    if (!close(got[i], want[i], 1e-4, 1e-6)) {
      detail = std::string(what) + "[" + std::to_string(i) + "] = " +
               std::to_string(got[i]) + ", expected " +
               std::to_string(want[i]);
      return false;
    }
  return true;
}

/// mse of y against t and its adjoint dy = 2 (y - t) / n.
double mse(const std::vector<float> &y, const std::vector<float> &t,
           Tensor &dy) {
  double sum = 0.0, n = static_cast<double>(y.size());
  dy.data.resize(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    double d = static_cast<double>(y[i]) - t[i];
    sum += d * d;
    dy.data[i] = static_cast<float>(2.0 * d / n);
  }
  return sum / n;
}

using GradFn = void (*)(const float *, const float *, float *, float *);

void signCase(const char *name, GradFn fn, Estimator estimator) {
  Tensor x{{4, 6}, uniform(24, -1.5f, 1.5f)};
  std::vector<float> t = uniform(24, -1.0f, 1.0f);
  Tensor dy{{4, 6}, {}};
  double loss = mse(sign(x).data, t, dy);
  std::vector<float> dx(24);
  float gotLoss;
  fn(t.data(), x.data.data(), &gotLoss, dx.data());
  std::string detail = "loss " + std::to_string(gotLoss);
  bool ok = close(gotLoss, loss, 1e-5, 1e-6) &&
            matches(dx, signBackward(x, dy, estimator).data, detail, "dx");
  report(name, ok, detail);
}

void importanceCase() {
  Tensor x{{5, 2, 3}, uniform(30, -1.2f, 1.2f)};
  Tensor s{{2, 3}, uniform(6, 0.0f, 1.0f)};
  std::vector<float> t = uniform(30, -1.0f, 1.0f);
  Tensor dy{{5, 2, 3}, {}};
  double loss = mse(importanceSign(x, s).data, t, dy);
  std::vector<float> dx(30), ds(6);
  float gotLoss;
  importance_grad(t.data(), x.data.data(), s.data.data(), &gotLoss, dx.data(),
                  ds.data());
  ImportanceSignGradients want =
      importanceSignBackward(x, s, dy, Estimator::Approx);
  std::string detail = "loss " + std::to_string(gotLoss);
  bool ok = close(gotLoss, loss, 1e-5, 1e-6) &&
            matches(dx, want.dx.data, detail, "dx") &&
            matches(ds, want.ds.data, detail, "ds");
  report("importance_sign (approx)", ok, detail);
}

void ternaryCase() {
  Tensor x{{4, 7}, uniform(28, -1.5f, 1.5f)};
  std::vector<float> delta = uniform(4, 0.2f, 0.6f);
  delta[3] = 2.0f; // a channel with nothing kept: alpha = 0
  std::vector<float> t = uniform(28, -1.0f, 1.0f);
  Tensor dy{{4, 7}, {}};
  double loss = mse(ternary(x, delta).data, t, dy);
  std::vector<float> dx(28);
  float gotLoss;
  ternary_grad(delta.data(), t.data(), x.data.data(), &gotLoss, dx.data());
  std::string detail = "loss " + std::to_string(gotLoss);
  bool ok = close(gotLoss, loss, 1e-5, 1e-6) &&
            matches(dx, ternaryBackward(x, delta, dy).data, detail, "dx");
  report("ternary", ok, detail);
}

void sqCase(float beta) {
  Tensor w{{3, 5}, uniform(15, -1.0f, 1.0f)};
  std::vector<float> t = uniform(15, -1.0f, 1.0f);
  Tensor dy{{3, 5}, {}};
  double loss = mse(w.data, t, dy) + sqRegularizer(w, beta);
  SqRegularizerGradients want = sqRegularizerBackward(w, beta, 1.0f);
  for (size_t i = 0; i < 15; ++i)
    want.dw.data[i] += dy.data[i];
  std::vector<float> dw(15);
  float gotLoss, dbeta;
  sq_grad(t.data(), w.data.data(), &beta, &gotLoss, dw.data(), &dbeta);
  std::string detail = "loss " + std::to_string(gotLoss);
  bool ok = close(gotLoss, loss, 1e-5, 1e-6) &&
            matches(dw, want.dw.data, detail, "dw") &&
            matches({dbeta}, {want.dbeta}, detail, "dbeta");
  report("sq_regularizer (beta " + std::to_string(beta) + ")", ok, detail);
}

void maxPoolCase(const char *name, GradFn fn, std::vector<int64_t> shape,
                 Pool2DParams params) {
  Tensor x{shape, levels(numElements(shape))};
  Tensor y = maxPool2d(x, params);
  std::vector<float> t = uniform(y.data.size(), -1.0f, 1.0f);
  Tensor dy{y.shape, {}};
  double loss = mse(y.data, t, dy);
  std::vector<float> dx(x.data.size());
  float gotLoss;
  fn(t.data(), x.data.data(), &gotLoss, dx.data());
  std::string detail = "loss " + std::to_string(gotLoss);
  bool ok = close(gotLoss, loss, 1e-5, 1e-6) &&
            matches(dx, maxPool2dBackward(x, params, dy).data, detail, "dx");
  report(name, ok, detail);
}

/// Central differences of `loss(params)` against `grad`, on every `step`-th
/// element of `param`.
void finiteDifferences(const std::string &name, std::vector<float> &param,
                       const std::vector<float> &grad,
                       const std::function<float()> &loss, size_t step) {
  const float h = 1e-2f;
  std::string detail;
  bool ok = true;
  for (size_t i = 0; i < param.size() && ok; i += step) {
    float keep = param[i];
    param[i] = keep + h;
    double plus = loss();
    param[i] = keep - h;
    double minus = loss();
    param[i] = keep;
    double fd = (plus - minus) / (2.0 * h);
    if (!close(grad[i], fd, 3e-2, 3e-4)) {
      ok = false;
      detail = "[" + std::to_string(i) + "] = " + std::to_string(grad[i]) +
               ", finite differences " + std::to_string(fd);
    }
  }
  report(name, ok, detail);
}

void cnnCase() {
  std::vector<float> x = uniform(2 * 9 * 8 * 3, -1.0f, 1.0f);
  std::vector<float> w = uniform(5 * 27, -0.5f, 0.5f);
  std::vector<float> b = uniform(5, -0.2f, 0.2f);
  std::vector<float> d = uniform(20 * 4, -0.5f, 0.5f);
  int32_t labels[2] = {3, 1};
  std::vector<float> dw(w.size()), db(b.size()), dd(d.size());
  float loss;
  cnn_grad(x.data(), labels, w.data(), b.data(), d.data(), &loss, dw.data(),
           db.data(), dd.data());
  auto lossOnly = [&] {
    std::vector<float> gw(w.size()), gb(b.size()), gd(d.size());
    float l;
    cnn_grad(x.data(), labels, w.data(), b.data(), d.data(), &l, gw.data(),
             gb.data(), gd.data());
    return l;
  };
  finiteDifferences("cnn dW (strided dilated conv, pad)", w, dw, lossOnly, 1);
  finiteDifferences("cnn db (bias, tanh, sum pool)", b, db, lossOnly, 1);
  finiteDifferences("cnn dD (flatten, dense)", d, dd, lossOnly, 1);
}

void transformCase() {
  std::vector<float> x = uniform(3 * 4, -1.0f, 1.0f);
  std::vector<float> v = uniform(6 * 4, -0.8f, 0.8f);
  std::vector<float> q = uniform(4 * 4, -0.5f, 0.5f);
  int32_t labels[3] = {5, 0, 2};
  std::vector<float> dv(v.size()), dq(q.size());
  float loss;
  transform_grad(x.data(), labels, v.data(), q.data(), &loss, dv.data(),
                 dq.data());
  auto lossOnly = [&] {
    std::vector<float> gv(v.size()), gq(q.size());
    float l;
    transform_grad(x.data(), labels, v.data(), q.data(), &l, gv.data(),
                   gq.data());
    return l;
  };
  finiteDifferences("transform dV (orthonormal_transform, elementwise)", v, dv,
                    lossOnly, 1);
  finiteDifferences("transform dQ (orthonormal_transform, transposed)", q, dq,
                    lossOnly, 1);
}

} // namespace

int main() {
  signCase("sign (ste)", sign_ste_grad, Estimator::Ste);
  signCase("sign (approx)", sign_approx_grad, Estimator::Approx);
  signCase("sign (swish)", sign_swish_grad, Estimator::Swish);
  signCase("sign (identity)", sign_identity_grad, Estimator::Identity);
  importanceCase();
  ternaryCase();
  sqCase(0.7853982f); // pi/4: three equal basins
  sqCase(1.3f);
  Pool2DParams overlapping;
  overlapping.kernel = {3, 3};
  maxPoolCase("max pool 3x3 stride 1 (ties)", maxpool_grad, {2, 5, 6, 3},
              overlapping);
  Pool2DParams strided;
  strided.kernel = {2, 2};
  strided.strides = {2, 2};
  maxPoolCase("max pool 2x2 stride 2 (ties)", maxpool_s2_grad, {1, 4, 6, 2},
              strided);
  cnnCase();
  transformCase();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
