// RUN: bnn-opt %s -split-input-file -bnn-fold-transforms | FileCheck %s

// A BiTAT weight expression of trained constants becomes one constant.
// Row 0 of W rotated by V is [-1, -0.5, 2, -0.25]; alpha_0 with importance
// [1, 2, 0.5, 0.5] is (1 + 1 + 1 + 0.125) / 4 = 0.78125.
// CHECK-LABEL: func @bitat_weight
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[-7.812500e-01, -7.812500e-01, 7.812500e-01, -7.812500e-01]]> : tensor<1x4xf32>
// CHECK-NOT: bnn.
// CHECK: return %[[W]]
func.func @bitat_weight() -> tensor<1x4xf32> {
  %w = arith.constant dense<[[0.5, -1.0, 0.25, 2.0]]> : tensor<1x4xf32>
  %v = arith.constant dense<[[0.0, 1.0, 0.0, 0.0], [-1.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, -1.0, 0.0]]> : tensor<4x4xf32>
  %s = arith.constant dense<[1.0, 2.0, 0.5, 0.5]> : tensor<4xf32>
  %0 = bnn.orthonormal_transform %w, %v axis = 1 : tensor<1x4xf32>, tensor<4x4xf32>
  %1 = bnn.importance_sign %0, %s : tensor<1x4xf32>, tensor<4xf32>
  return %1 : tensor<1x4xf32>
}

// -----

// An SQ weight expression of constants becomes one constant.
// CHECK-LABEL: func @sq_weight
// CHECK: arith.constant dense<{{\[}}[-1.500000e+00, 0.000000e+00, 1.500000e+00]]> : tensor<1x3xf32>
// CHECK-NOT: bnn.ternary
func.func @sq_weight() -> tensor<1x3xf32> {
  %w = arith.constant dense<[[-1.0, 0.25, 2.0]]> : tensor<1x3xf32>
  %d = arith.constant dense<[0.5]> : tensor<1xf32>
  %0 = bnn.ternary %w, %d : tensor<1x3xf32>, tensor<1xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// Transform then its transpose vanishes, also on non-constant operands.
// CHECK-LABEL: func @cancel
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>, %{{.+}}: tensor<3x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @cancel(%x: tensor<2x3xf32>, %q: tensor<3x3xf32>) -> tensor<2x3xf32> {
  %0 = bnn.orthonormal_transform %x, %q axis = 1 transpose = true : tensor<2x3xf32>, tensor<3x3xf32>
  %1 = bnn.orthonormal_transform %0, %q axis = 1 : tensor<2x3xf32>, tensor<3x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// Rotations whose product is not exact in f32 are not composed: the two
// transforms would round differently from their product.
// CHECK-LABEL: func @inexact_composition_kept
// CHECK-COUNT-2: bnn.orthonormal_transform
func.func @inexact_composition_kept(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %q1 = arith.constant dense<[[0.6, -0.8], [0.8, 0.6]]> : tensor<2x2xf32>
  %q2 = arith.constant dense<[[0.28, -0.96], [0.96, 0.28]]> : tensor<2x2xf32>
  %0 = bnn.orthonormal_transform %x, %q1 axis = 1 : tensor<2x2xf32>, tensor<2x2xf32>
  %1 = bnn.orthonormal_transform %0, %q2 axis = 1 : tensor<2x2xf32>, tensor<2x2xf32>
  return %1 : tensor<2x2xf32>
}

// -----

// Other ops of the model are untouched (no general canonicalization).
// CHECK-LABEL: func @others_untouched
// CHECK: arith.addf
// CHECK: bnn.sign
func.func @others_untouched(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = arith.constant dense<0.0> : tensor<2xf32>
  %0 = arith.addf %x, %c : tensor<2xf32>
  %1 = bnn.sign %0 : tensor<2xf32>
  return %1 : tensor<2xf32>
}
