// RUN: bnn-opt %s -split-input-file -canonicalize="test-convergence" | FileCheck %s

// CHECK-LABEL: func @sign_of_sign
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK: %[[S:.+]] = bnn.sign %[[X]] estimator = approx
// CHECK-NOT: bnn.sign
// CHECK: return %[[S]]
func.func @sign_of_sign(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = bnn.sign %x estimator = approx : tensor<4xf32>
  %1 = bnn.sign %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @sign_of_sign_identity
// CHECK: bnn.sign
// CHECK-NOT: bnn.sign
func.func @sign_of_sign_identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = bnn.sign %x : tensor<4xf32>
  %1 = bnn.sign %0 estimator = identity : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// The outer approx estimator has gradient 0 at +-1: folding would change the
// gradient, so the outer sign stays.
// CHECK-LABEL: func @sign_of_sign_approx_kept
// CHECK: %[[A:.+]] = bnn.sign %{{.*}} : tensor<4xf32>
// CHECK: bnn.sign %[[A]] estimator = approx
func.func @sign_of_sign_approx_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = bnn.sign %x : tensor<4xf32>
  %1 = bnn.sign %0 estimator = approx : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// sign(0), sign(-0.0) and sign(NaN) are +1.
// CHECK-LABEL: func @sign_constant
// CHECK: %[[C:.+]] = arith.constant dense<[1.000000e+00, -1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, -1.000000e+00]> : tensor<6xf32>
// CHECK-NOT: bnn.sign
// CHECK: return %[[C]]
func.func @sign_constant() -> tensor<6xf32> {
  %c = arith.constant dense<[2.5, -0.5, 0.0, -0.0, 0x7FC00000, -3.0e+38]> : tensor<6xf32>
  %0 = bnn.sign %c : tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// CHECK-LABEL: func @sign_constant_f16
// CHECK: arith.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf16>
func.func @sign_constant_f16() -> tensor<2xf16> {
  %c = arith.constant dense<[-1.0e-3, 6.0e4]> : tensor<2xf16>
  %0 = bnn.sign %c : tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// CHECK-LABEL: func @sign_not_constant
// CHECK: bnn.sign
func.func @sign_not_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = bnn.sign %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @transform_identity
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>)
// CHECK-NOT: bnn.orthonormal_transform
// CHECK: return %[[X]]
func.func @transform_identity(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q = arith.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<3x2xf32>, tensor<2x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A permutation is orthonormal but not the identity: kept.
// CHECK-LABEL: func @transform_not_identity
// CHECK: bnn.orthonormal_transform
func.func @transform_not_identity(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q = arith.constant dense<[[0.0, 1.0], [1.0, 0.0]]> : tensor<2x2xf32>
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<3x2xf32>, tensor<2x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @transform_then_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>, %[[Q:.+]]: tensor<2x2xf32>)
// CHECK-NOT: bnn.orthonormal_transform
// CHECK: return %[[X]]
func.func @transform_then_transpose(%x: tensor<3x2xf32>, %q: tensor<2x2xf32>) -> tensor<3x2xf32> {
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<3x2xf32>, tensor<2x2xf32>
  %1 = bnn.orthonormal_transform %0, %q axis = 1 transpose = true : tensor<3x2xf32>, tensor<2x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// Same q twice without a transpose does not cancel; different axes neither.
// CHECK-LABEL: func @transform_twice_kept
// CHECK-COUNT-4: bnn.orthonormal_transform
func.func @transform_twice_kept(%x: tensor<2x2xf32>, %q: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<2x2xf32>, tensor<2x2xf32>
  %1 = bnn.orthonormal_transform %0, %q axis = 1 : tensor<2x2xf32>, tensor<2x2xf32>
  %2 = bnn.orthonormal_transform %x, %q axis = 0 : tensor<2x2xf32>, tensor<2x2xf32>
  %3 = bnn.orthonormal_transform %2, %q axis = 1 transpose = true : tensor<2x2xf32>, tensor<2x2xf32>
  return %1, %3 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// Two constant rotations on one axis compose into one: q2 * q1^T with
// q1 = [[0, -1], [1, 0]] (transposed: [[0, 1], [-1, 0]]) and
// q2 = [[0, 1], [-1, 0]] gives [[-1, 0], [0, -1]].
// CHECK-LABEL: func @transform_compose
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>)
// CHECK: %[[Q:.+]] = arith.constant dense<{{\[}}[-1.000000e+00, 0.000000e+00], [0.000000e+00, -1.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[Y:.+]] = bnn.orthonormal_transform %[[X]], %[[Q]] axis = 1 : tensor<3x2xf32>, tensor<2x2xf32>
// CHECK-NOT: bnn.orthonormal_transform
// CHECK: return %[[Y]]
func.func @transform_compose(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q1 = arith.constant dense<[[0.0, -1.0], [1.0, 0.0]]> : tensor<2x2xf32>
  %q2 = arith.constant dense<[[0.0, 1.0], [-1.0, 0.0]]> : tensor<2x2xf32>
  %0 = bnn.orthonormal_transform %x, %q1 axis = 1 transpose = true : tensor<3x2xf32>, tensor<2x2xf32>
  %1 = bnn.orthonormal_transform %0, %q2 axis = 1 : tensor<3x2xf32>, tensor<2x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// y[i, :] = q x[i, :] with q = [[0, 1], [1, 0]]: swaps the two columns.
// CHECK-LABEL: func @transform_constants
// CHECK: %[[C:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 1.000000e+00], [4.000000e+00, 3.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: bnn.orthonormal_transform
// CHECK: return %[[C]]
func.func @transform_constants() -> tensor<2x2xf32> {
  %x = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %q = arith.constant dense<[[0.0, 1.0], [1.0, 0.0]]> : tensor<2x2xf32>
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<2x2xf32>, tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// alpha_0 = (1*1 + 3*2) / (1 + 3) = 1.75; alpha_1 = (1*4 + 3*0.5) / 4 = 1.375.
// CHECK-LABEL: func @importance_sign_constants
// CHECK: %[[C:.+]] = arith.constant dense<{{\[}}[-1.750000e+00, 1.750000e+00], [1.375000e+00, -1.375000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: bnn.importance_sign
// CHECK: return %[[C]]
func.func @importance_sign_constants() -> tensor<2x2xf32> {
  %w = arith.constant dense<[[-1.0, 2.0], [4.0, -0.5]]> : tensor<2x2xf32>
  %s = arith.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = bnn.importance_sign %w, %s : tensor<2x2xf32>, tensor<2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func @importance_sign_not_constant
// CHECK: bnn.importance_sign
func.func @importance_sign_not_constant(%w: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %s = arith.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = bnn.importance_sign %w, %s : tensor<2x2xf32>, tensor<2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Row 0, delta 0.5: t = [-1, 0, 1], alpha = (1 + 2) / 2 = 1.5.
// Row 1, delta 5: all zero.
// CHECK-LABEL: func @ternary_constants
// CHECK: %[[C:.+]] = arith.constant dense<{{\[}}[-1.500000e+00, 0.000000e+00, 1.500000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<2x3xf32>
// CHECK-NOT: bnn.ternary
// CHECK: return %[[C]]
func.func @ternary_constants() -> tensor<2x3xf32> {
  %w = arith.constant dense<[[-1.0, 0.25, 2.0], [1.0, -2.0, 3.0]]> : tensor<2x3xf32>
  %d = arith.constant dense<[0.5, 5.0]> : tensor<2xf32>
  %0 = bnn.ternary %w, %d : tensor<2x3xf32>, tensor<2xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Folding uses the f32 reference: other float types are left alone.
// CHECK-LABEL: func @ternary_f64_not_folded
// CHECK: bnn.ternary
func.func @ternary_f64_not_folded() -> tensor<1x2xf64> {
  %w = arith.constant dense<[[-1.0, 2.0]]> : tensor<1x2xf64>
  %d = arith.constant dense<[0.5]> : tensor<1xf64>
  %0 = bnn.ternary %w, %d : tensor<1x2xf64>, tensor<1xf64>
  return %0 : tensor<1x2xf64>
}

// -----

// 33 channels in i32 words: channels 0 and 32 negative, 31 is -0.0 (+1).
// Word 0 = bit 0 = 1; word 1 = bit 0 (channel 32) = 1.
// CHECK-LABEL: func @pack_constant
// CHECK: %[[C:.+]] = arith.constant dense<1> : tensor<1x2xi32>
// CHECK-NOT: bnn.pack
// CHECK: return %[[C]]
func.func @pack_constant() -> tensor<1x2xi32> {
  %x = arith.constant dense<[[-1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                              1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                              1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                              1.0, -0.0, -2.0]]> : tensor<1x33xf32>
  %0 = bnn.pack %x : tensor<1x33xf32> -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

// Sign plane of [-1, 0, 2, -3] = 0b1001 = 9; nonzero plane = 0b1101 = 13.
// CHECK-LABEL: func @pack_planes
// CHECK-DAG: %[[S:.+]] = arith.constant dense<9> : tensor<1xi64>
// CHECK-DAG: %[[N:.+]] = arith.constant dense<13> : tensor<1xi64>
// CHECK: return %[[S]], %[[N]]
func.func @pack_planes() -> (tensor<1xi64>, tensor<1xi64>) {
  %x = arith.constant dense<[-1.0, 0.0, 2.0, -3.0]> : tensor<4xf32>
  %0 = bnn.pack %x : tensor<4xf32> -> tensor<1xi64>
  %1 = bnn.pack %x plane = nonzero : tensor<4xf32> -> tensor<1xi64>
  return %0, %1 : tensor<1xi64>, tensor<1xi64>
}

// -----

// The top bit of an i64 word: channel 63 negative.
// CHECK-LABEL: func @pack_splat_top_bit
// CHECK: arith.constant dense<-1> : tensor<2x1xi64>
func.func @pack_splat_top_bit() -> tensor<2x1xi64> {
  %x = arith.constant dense<-1.0> : tensor<2x64xf32>
  %0 = bnn.pack %x : tensor<2x64xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// CHECK-LABEL: func @pack_not_constant
// CHECK: bnn.pack
func.func @pack_not_constant(%x: tensor<4xf32>) -> tensor<1xi64> {
  %0 = bnn.pack %x : tensor<4xf32> -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

// 9 = 0b1001: elements 0 and 3 are -1.
// CHECK-LABEL: func @unpack_constant
// CHECK: arith.constant dense<[-1.000000e+00, 1.000000e+00, 1.000000e+00, -1.000000e+00, 1.000000e+00]> : tensor<5xf32>
// CHECK-NOT: bnn.unpack
func.func @unpack_constant() -> tensor<5xf32> {
  %p = arith.constant dense<9> : tensor<1xi32>
  %0 = bnn.unpack %p size = 5 : tensor<1xi32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// The sign plane of sign(x) is the sign plane of x.
// CHECK-LABEL: func @pack_of_sign
// CHECK-SAME: (%[[X:.+]]: tensor<2x5xf32>)
// CHECK-NEXT: %[[P:.+]] = bnn.pack %[[X]] : tensor<2x5xf32> -> tensor<2x1xi64>
// CHECK-NEXT: return %[[P]]
func.func @pack_of_sign(%x: tensor<2x5xf32>) -> tensor<2x1xi64> {
  %0 = bnn.sign %x : tensor<2x5xf32>
  %1 = bnn.pack %0 : tensor<2x5xf32> -> tensor<2x1xi64>
  return %1 : tensor<2x1xi64>
}

// -----

// The nonzero plane of sign(x) is all ones, not the nonzero plane of x.
// CHECK-LABEL: func @nonzero_pack_of_sign_kept
// CHECK: bnn.sign
// CHECK: bnn.pack
func.func @nonzero_pack_of_sign_kept(%x: tensor<2x5xf32>) -> tensor<2x1xi64> {
  %0 = bnn.sign %x : tensor<2x5xf32>
  %1 = bnn.pack %0 plane = nonzero : tensor<2x5xf32> -> tensor<2x1xi64>
  return %1 : tensor<2x1xi64>
}

// -----

// Rows of 32 channels are whole i32 words: flattening commutes with packing.
// CHECK-LABEL: func @pack_of_collapse
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x3x32xf32>)
// CHECK: %[[P:.+]] = bnn.pack %[[X]] : tensor<1x3x3x32xf32> -> tensor<1x3x3x1xi32>
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[P]] {{\[}}[0], [1, 2, 3]] : tensor<1x3x3x1xi32> into tensor<1x9xi32>
// CHECK: return %[[C]]
func.func @pack_of_collapse(%x: tensor<1x3x3x32xf32>) -> tensor<1x9xi32> {
  %0 = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<1x3x3x32xf32> into tensor<1x288xf32>
  %1 = bnn.pack %0 : tensor<1x288xf32> -> tensor<1x9xi32>
  return %1 : tensor<1x9xi32>
}

// -----

// 32 channels in i64 words: rows are half words, packing must see all 288.
// CHECK-LABEL: func @pack_of_collapse_partial_words_kept
// CHECK: tensor.collapse_shape
// CHECK: bnn.pack %{{.*}} : tensor<1x288xf32> -> tensor<1x5xi64>
func.func @pack_of_collapse_partial_words_kept(%x: tensor<1x3x3x32xf32>) -> tensor<1x5xi64> {
  %0 = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<1x3x3x32xf32> into tensor<1x288xf32>
  %1 = bnn.pack %0 : tensor<1x288xf32> -> tensor<1x5xi64>
  return %1 : tensor<1x5xi64>
}
