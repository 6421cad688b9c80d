//===- harness.cpp - Generated gradients against the oracles --------------===//
//
// Runs the @NAME_grad functions that bnn-generate-gradients wrote for
// nonsmooth.mlir (loss = mse) and smooth.mlir (softmax cross-entropy),
// compiled by bnn-compile:
//  - non-smooth rules: the gradients equal lib/Reference's backward applied
//    to dy = 2 (y - T) / n, y the reference forward (to f32 rounding);
//  - smooth rules: the gradients equal central finite differences of the
//    compiled loss.
//  - a whole training model (model.mlir): the loss and every gradient equal
//    a reference forward and backward composed from lib/Reference, and
//    plain SGD steps on its gradients lower the loss.
// Prints one line per case and "<passed> passed, <failed> failed".
//
//===----------------------------------------------------------------------===//

#include "bnn/Reference/Reference.h"
#include "model.h"
#include "nonsmooth.h"
#include "smooth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
      detail = std::string(what) + "[" + std::to_string(i) +
               "] = " + std::to_string(got[i]) + ", expected " +
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
  double loss = mse(sign(x).value().data, t, dy);
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
  double loss = mse(importanceSign(x, s).value().data, t, dy);
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
  double loss = mse(ternary(x, delta).value().data, t, dy);
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
  double loss = mse(w.data, t, dy) + sqRegularizer(w, beta).value();
  SqRegularizerGradients want = sqRegularizerBackward(w, beta, 1.0f).value();
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
  Tensor x{shape, levels(numElements(shape).value())};
  Tensor y = maxPool2d(x, params).value();
  std::vector<float> t = uniform(y.data.size(), -1.0f, 1.0f);
  Tensor dy{y.shape, {}};
  double loss = mse(y.data, t, dy);
  std::vector<float> dx(x.data.size());
  float gotLoss;
  fn(t.data(), x.data.data(), &gotLoss, dx.data());
  std::string detail = "loss " + std::to_string(gotLoss);
  bool ok =
      close(gotLoss, loss, 1e-5, 1e-6) &&
      matches(dx, maxPool2dBackward(x, params, dy).value().data, detail, "dx");
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

/// Batch norm on batch statistics over (n, h, w) of an NHWC tensor, in
/// double: forward and backward, written out (the oracle of the linalg
/// form in model.mlir).
struct BatchNorm {
  std::vector<double> mean, invStd, xhat;
  int64_t rows = 0, channels = 0;

  Tensor forward(const Tensor &x, const std::vector<float> &gamma,
                 const std::vector<float> &beta) {
    channels = x.shape.back();
    rows = static_cast<int64_t>(x.data.size()) / channels;
    mean.assign(channels, 0.0);
    invStd.assign(channels, 0.0);
    xhat.assign(x.data.size(), 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < channels; ++c)
        mean[c] += x.data[r * channels + c];
    for (double &m : mean)
      m /= rows;
    std::vector<double> var(channels, 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < channels; ++c) {
        double d = x.data[r * channels + c] - mean[c];
        var[c] += d * d;
      }
    for (int64_t c = 0; c < channels; ++c)
      invStd[c] = 1.0 / std::sqrt(var[c] / rows + 1e-5);
    Tensor y{x.shape, std::vector<float>(x.data.size())};
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < channels; ++c) {
        int64_t i = r * channels + c;
        xhat[i] = (x.data[i] - mean[c]) * invStd[c];
        y.data[i] = static_cast<float>(xhat[i] * gamma[c] + beta[c]);
      }
    return y;
  }

  /// dx, and dgamma/dbeta into `dGamma`, `dBeta`.
  Tensor backward(const Tensor &dy, const std::vector<float> &gamma,
                  std::vector<float> &dGamma, std::vector<float> &dBeta) {
    std::vector<double> sumDxhat(channels, 0.0), sumDxhatXhat(channels, 0.0),
        dg(channels, 0.0), db(channels, 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < channels; ++c) {
        int64_t i = r * channels + c;
        double dxhat = dy.data[i] * gamma[c];
        sumDxhat[c] += dxhat;
        sumDxhatXhat[c] += dxhat * xhat[i];
        dg[c] += dy.data[i] * xhat[i];
        db[c] += dy.data[i];
      }
    Tensor dx{dy.shape, std::vector<float>(dy.data.size())};
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < channels; ++c) {
        int64_t i = r * channels + c;
        double dxhat = dy.data[i] * gamma[c];
        dx.data[i] = static_cast<float>(
            invStd[c] / rows *
            (rows * dxhat - sumDxhat[c] - xhat[i] * sumDxhatXhat[c]));
      }
    dGamma.assign(dg.begin(), dg.end());
    dBeta.assign(db.begin(), db.end());
    return dx;
  }
};

/// The parameters of model.mlir, in argument order.
struct ModelParams {
  std::vector<std::vector<float>> values;
  ModelParams() {
    auto add = [&](std::vector<float> v) { values.push_back(std::move(v)); };
    add(uniform(4 * 9, -0.6f, 0.6f));     // w1
    add(uniform(4, -0.2f, 0.2f));         // b1
    add(uniform(4, 0.5f, 1.5f));          // g1
    add(uniform(4, -0.2f, 0.2f));         // be1
    add(uniform(6 * 9 * 4, -1.0f, 1.0f)); // w2
    add(uniform(16, -0.6f, 0.6f));        // v2
    add(uniform(9 * 4, 0.0f, 1.0f));      // s2
    add(uniform(6, 0.5f, 1.5f));          // g2
    add(uniform(6, -0.2f, 0.2f));         // be2
    add(uniform(5 * 54, -1.0f, 1.0f));    // w3
    add({1.0f});                          // beta3
    add(uniform(5 * 3, -0.6f, 0.6f));     // w4
    add(uniform(3, -0.2f, 0.2f));         // b4
  }
};

/// The compiled @model_grad: loss and the 13 gradients.
float compiledStep(const std::vector<float> &x, const std::vector<float> &delta,
                   const int32_t *labels, const ModelParams &p,
                   std::vector<std::vector<float>> &grads) {
  grads.clear();
  for (const auto &v : p.values)
    grads.emplace_back(v.size());
  const auto &v = p.values;
  float loss;
  model_grad(x.data(), delta.data(), labels, v[0].data(), v[1].data(),
             v[2].data(), v[3].data(), v[4].data(), v[5].data(), v[6].data(),
             v[7].data(), v[8].data(), v[9].data(), v[10].data(), v[11].data(),
             v[12].data(), &loss, grads[0].data(), grads[1].data(),
             grads[2].data(), grads[3].data(), grads[4].data(), grads[5].data(),
             grads[6].data(), grads[7].data(), grads[8].data(), grads[9].data(),
             grads[10].data(), grads[11].data(), grads[12].data());
  return loss;
}

/// The reference forward and backward of model.mlir.
double referenceStep(const std::vector<float> &xData,
                     const std::vector<float> &delta, const int32_t *labels,
                     const ModelParams &p,
                     std::vector<std::vector<float>> &grads) {
  const auto &v = p.values;
  grads.assign(v.size(), {});
  Conv2DParams pad1;
  pad1.padding = {1, 1, 1, 1};
  Tensor x{{2, 6, 6, 1}, xData};
  Tensor w1{{4, 3, 3, 1}, v[0]};
  pad1.channelsIn = 1;
  Tensor h1 = conv2d(x, w1, pad1, 0.0f).value();
  for (size_t i = 0; i < h1.data.size(); ++i)
    h1.data[i] += v[1][i % 4];
  BatchNorm bn1;
  Tensor n1 = bn1.forward(h1, v[2], v[3]);
  Tensor a1 = sign(n1).value();
  Tensor w2{{6, 3, 3, 4}, v[4]}, v2{{4, 4}, v[5]}, s2{{3, 3, 4}, v[6]};
  Tensor t2 = orthonormalTransform(w2, v2, 3, false).value();
  Tensor wb2 = importanceSign(t2, s2).value();
  Conv2DParams pad1c4 = pad1;
  pad1c4.channelsIn = 4;
  Tensor c2 = conv2d(a1, wb2, pad1c4, 1.0f).value();
  Pool2DParams pool;
  pool.kernel = {2, 2};
  pool.strides = {2, 2};
  BatchNorm bn2;
  Tensor n2 = bn2.forward(c2, v[7], v[8]);
  Tensor a2 = sign(n2).value();
  Tensor p2 = maxPool2d(a2, pool).value();
  Tensor f2{{2, 54}, p2.data};
  Tensor w3{{5, 54}, v[9]};
  Tensor wt3 = ternary(w3, delta).value();
  Tensor d3 = dense(f2, wt3).value();
  // logits = d3 w4 + b4, w4 [5, 3].
  std::vector<double> logits(6);
  for (int n = 0; n < 2; ++n)
    for (int o = 0; o < 3; ++o) {
      double acc = v[12][o];
      for (int k = 0; k < 5; ++k)
        acc += static_cast<double>(d3.data[n * 5 + k]) * v[11][k * 3 + o];
      logits[n * 3 + o] = acc;
    }
  double loss = 0.0;
  std::vector<float> dLogits(6);
  for (int n = 0; n < 2; ++n) {
    double m = std::max({logits[n * 3], logits[n * 3 + 1], logits[n * 3 + 2]});
    double sum = 0.0;
    for (int o = 0; o < 3; ++o)
      sum += std::exp(logits[n * 3 + o] - m);
    loss += (m + std::log(sum) - logits[n * 3 + labels[n]]) / 2.0;
    for (int o = 0; o < 3; ++o)
      dLogits[n * 3 + o] = static_cast<float>(
          (std::exp(logits[n * 3 + o] - m) / sum - (o == labels[n])) / 2.0);
  }
  loss += 0.1 * sqRegularizer(w3, v[10][0]).value();

  // Backward.
  grads[12].assign(3, 0.0f);
  grads[11].assign(15, 0.0f);
  Tensor dd3{{2, 5}, std::vector<float>(10, 0.0f)};
  for (int n = 0; n < 2; ++n)
    for (int o = 0; o < 3; ++o) {
      float g = dLogits[n * 3 + o];
      grads[12][o] += g;
      for (int k = 0; k < 5; ++k) {
        grads[11][k * 3 + o] += d3.data[n * 5 + k] * g;
        dd3.data[n * 5 + k] += g * v[11][k * 3 + o];
      }
    }
  Tensor df2{{2, 54}, std::vector<float>(108, 0.0f)};
  Tensor dwt3{{5, 54}, std::vector<float>(270, 0.0f)};
  for (int n = 0; n < 2; ++n)
    for (int o = 0; o < 5; ++o)
      for (int k = 0; k < 54; ++k) {
        df2.data[n * 54 + k] += dd3.data[n * 5 + o] * wt3.data[o * 54 + k];
        dwt3.data[o * 54 + k] += dd3.data[n * 5 + o] * f2.data[n * 54 + k];
      }
  Tensor dw3 = ternaryBackward(w3, delta, dwt3);
  SqRegularizerGradients sq = sqRegularizerBackward(w3, v[10][0], 0.1f).value();
  for (size_t i = 0; i < dw3.data.size(); ++i)
    dw3.data[i] += sq.dw.data[i];
  grads[9] = dw3.data;
  grads[10] = {sq.dbeta};
  Tensor dp2{p2.shape, df2.data};
  Tensor da2 = maxPool2dBackward(a2, pool, dp2).value();
  Tensor dn2 = signBackward(n2, da2, Estimator::Ste);
  Tensor dc2 = bn2.backward(dn2, v[7], grads[7], grads[8]);
  Conv2DGradients conv2 = conv2dBackward(a1, wb2, pad1c4, 1.0f, dc2).value();
  ImportanceSignGradients is =
      importanceSignBackward(t2, s2, conv2.dFilter, Estimator::Ste);
  grads[6] = is.ds.data;
  // t2[.., i] = sum_j v2[i, j] w2[.., j].
  grads[4].assign(w2.data.size(), 0.0f);
  grads[5].assign(16, 0.0f);
  for (size_t r = 0; r < w2.data.size() / 4; ++r)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        grads[4][r * 4 + j] += v[5][i * 4 + j] * is.dx.data[r * 4 + i];
        grads[5][i * 4 + j] += is.dx.data[r * 4 + i] * w2.data[r * 4 + j];
      }
  Tensor dn1 = signBackward(n1, conv2.dInput, Estimator::Ste);
  Tensor dh1 = bn1.backward(dn1, v[2], grads[2], grads[3]);
  grads[1].assign(4, 0.0f);
  for (size_t i = 0; i < dh1.data.size(); ++i)
    grads[1][i % 4] += dh1.data[i];
  grads[0] = conv2dBackward(x, w1, pad1, 0.0f, dh1).value().dFilter.data;
  return loss;
}

void modelCase() {
  std::vector<float> x = uniform(2 * 36, 0.0f, 1.0f);
  std::vector<float> delta = uniform(5, 0.2f, 0.5f);
  int32_t labels[2] = {2, 0};
  ModelParams params;
  std::vector<std::vector<float>> got, want;
  float loss = compiledStep(x, delta, labels, params, got);
  double wantLoss = referenceStep(x, delta, labels, params, want);
  const char *names[] = {"w1", "b1",  "g1", "be1",   "w2", "v2", "s2",
                         "g2", "be2", "w3", "beta3", "w4", "b4"};
  std::string detail =
      "loss " + std::to_string(loss) + ", expected " + std::to_string(wantLoss);
  bool ok = close(loss, wantLoss, 1e-4, 1e-6);
  for (size_t i = 0; i < got.size() && ok; ++i)
    for (size_t j = 0; j < got[i].size() && ok; ++j)
      if (!close(got[i][j], want[i][j], 2e-3, 2e-5)) {
        ok = false;
        detail = std::string(names[i]) + "[" + std::to_string(j) +
                 "] = " + std::to_string(got[i][j]) + ", expected " +
                 std::to_string(want[i][j]);
      }
  if (getenv("HARNESS_VERBOSE"))
    for (size_t i = 0; i < got.size(); ++i) {
      double worst = 0;
      for (size_t j = 0; j < got[i].size(); ++j)
        worst = std::max(
            worst, static_cast<double>(std::fabs(got[i][j] - want[i][j])));
      std::printf("  %s: max |got - want| %g\n", names[i], worst);
    }
  report("training model: loss and 13 gradients against the reference", ok,
         detail);

  // Plain SGD on the generated gradients lowers the loss.
  const float lr = 0.05f;
  float first = loss, last = loss;
  for (int step = 0; step < 20; ++step) {
    for (size_t i = 0; i < got.size(); ++i)
      for (size_t j = 0; j < got[i].size(); ++j)
        params.values[i][j] -= lr * got[i][j];
    last = compiledStep(x, delta, labels, params, got);
  }
  report("training model: 20 SGD steps lower the loss", last < 0.8f * first,
         "loss " + std::to_string(first) + " -> " + std::to_string(last));
}

/// Softmax cross-entropy, mean over the rows, in double.
double crossEntropy(const std::vector<float> &logits, int64_t classes,
                    const int32_t *labels) {
  int64_t rows = static_cast<int64_t>(logits.size()) / classes;
  double loss = 0.0;
  for (int64_t n = 0; n < rows; ++n) {
    const float *row = &logits[n * classes];
    double m = *std::max_element(row, row + classes), sum = 0.0;
    for (int64_t k = 0; k < classes; ++k)
      sum += std::exp(row[k] - m);
    loss += m + std::log(sum) - row[labels[n]];
  }
  return loss / static_cast<double>(rows);
}

void batchNormCase() {
  std::vector<float> x = uniform(2 * 3 * 3 * 4, -1.0f, 1.0f);
  std::vector<float> g = uniform(4, 0.5f, 1.5f), b = uniform(4, -0.3f, 0.3f);
  int32_t labels[2] = {5, 30};
  std::vector<float> dx(x.size()), dg(4), db(4), mean(4), var(4);
  float loss;
  bn_grad(labels, x.data(), g.data(), b.data(), &loss, dx.data(), dg.data(),
          db.data(), mean.data(), var.data());
  std::vector<float> wantMean, wantVar;
  Tensor y =
      batchNorm({{2, 3, 3, 4}, x}, g, b, 1e-5f, &wantMean, &wantVar).value();
  std::string detail = "loss " + std::to_string(loss);
  bool ok = close(loss, crossEntropy(y.data, 36, labels), 1e-4, 1e-6) &&
            matches(mean, wantMean, detail, "mean") &&
            matches(var, wantVar, detail, "var");
  report("batch_norm: loss and batch statistics against the reference", ok,
         detail);
  auto lossOnly = [&] {
    std::vector<float> gx(x.size()), gg(4), gb(4), m(4), v(4);
    float l;
    bn_grad(labels, x.data(), g.data(), b.data(), &l, gx.data(), gg.data(),
            gb.data(), m.data(), v.data());
    return l;
  };
  finiteDifferences("batch_norm dx (through the batch statistics)", x, dx,
                    lossOnly, 1);
  finiteDifferences("batch_norm dgamma", g, dg, lossOnly, 1);
  finiteDifferences("batch_norm dbeta", b, db, lossOnly, 1);
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
  modelCase();
  batchNormCase();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
