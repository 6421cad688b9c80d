//===- LinearAlgebra.cpp - Small dense linear algebra for BiTAT ----------===//

#include "bnn/Runtime/LinearAlgebra.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bnn::runtime {

SymmetricEigen symmetricEigen(std::vector<double> a, int64_t n) {
  std::vector<double> v(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    v[i * n + i] = 1.0;
  auto offDiagonal = [&] {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = i + 1; j < n; ++j)
        sum += a[i * n + j] * a[i * n + j];
    return sum;
  };
  double total = 0;
  for (double x : a)
    total += x * x;
  for (int sweep = 0; sweep < 100 && offDiagonal() > 1e-30 * total; ++sweep) {
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        double apq = a[p * n + q];
        if (apq == 0.0)
          continue;
        // The rotation that zeroes a[p][q] (Golub & Van Loan, 8.5.2).
        double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) /
                   (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int64_t k = 0; k < n; ++k) {
          double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {
          double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (int64_t k = 0; k < n; ++k) {
          double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    return a[x * n + x] > a[y * n + y];
  });
  SymmetricEigen result;
  result.vectors.assign(n * n, 0.0);
  for (int64_t j = 0; j < n; ++j) {
    result.values.push_back(a[order[j] * n + order[j]]);
    for (int64_t i = 0; i < n; ++i)
      result.vectors[i * n + j] = v[i * n + order[j]];
  }
  return result;
}

void orthonormalizeColumns(float *m, int64_t n) {
  std::vector<double> q(n * n);
  for (int64_t i = 0; i < n * n; ++i)
    q[i] = m[i];
  auto column = [&](int64_t j, int64_t i) -> double & { return q[i * n + j]; };
  for (int64_t j = 0; j < n; ++j) {
    for (int attempt = 0;; ++attempt) {
      for (int64_t k = 0; k < j; ++k) {
        double dot = 0;
        for (int64_t i = 0; i < n; ++i)
          dot += column(k, i) * column(j, i);
        for (int64_t i = 0; i < n; ++i)
          column(j, i) -= dot * column(k, i);
      }
      double norm = 0;
      for (int64_t i = 0; i < n; ++i)
        norm += column(j, i) * column(j, i);
      norm = std::sqrt(norm);
      if (norm > 1e-6) {
        for (int64_t i = 0; i < n; ++i)
          column(j, i) /= norm;
        break;
      }
      // Dependent: try the unit vectors e_0, e_1, ... in turn.
      for (int64_t i = 0; i < n; ++i)
        column(j, i) = i == attempt ? 1.0 : 0.0;
    }
  }
  for (int64_t i = 0; i < n * n; ++i)
    m[i] = static_cast<float>(q[i]);
}

} // namespace bnn::runtime
