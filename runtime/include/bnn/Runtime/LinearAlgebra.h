//===- LinearAlgebra.h - Small dense linear algebra for BiTAT ---*- C++ -*-===//
//
// BiTAT initializes a layer's transform from the eigenvectors of the
// correlation matrix of its inputs (C x C, C the input channels: tens to a
// few hundred) and keeps the trained transform orthonormal. Both are small
// enough for the plain algorithms here, in double precision.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_RUNTIME_LINEARALGEBRA_H
#define BNN_RUNTIME_LINEARALGEBRA_H

#include <cstdint>
#include <vector>

namespace bnn::runtime {

struct SymmetricEigen {
  /// Eigenvalues, largest first.
  std::vector<double> values;
  /// n x n row-major; column j is the unit eigenvector of values[j].
  std::vector<double> vectors;
};

/// Eigen-decomposition of the symmetric n x n row-major `matrix` by cyclic
/// Jacobi rotations (converges for every symmetric matrix; only the upper
/// triangle's symmetry is assumed, not checked).
SymmetricEigen symmetricEigen(std::vector<double> matrix, int64_t n);

/// Replaces the columns of the n x n row-major `matrix` by an orthonormal
/// basis of the same flag (modified Gram-Schmidt, left to right). A column
/// that is (numerically) dependent on the ones before it is replaced by the
/// first unit vector orthogonal to them.
void orthonormalizeColumns(float *matrix, int64_t n);

} // namespace bnn::runtime

#endif // BNN_RUNTIME_LINEARALGEBRA_H
