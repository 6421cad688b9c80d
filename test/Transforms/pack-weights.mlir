// RUN: bnn-opt %s -split-input-file -bnn-pack-weights | FileCheck %s

// Constant filters are packed at compile time; the float constant is gone.
// CHECK-LABEL: func @packed_filter
// CHECK-NOT: f32
// CHECK: %[[F:.+]] = arith.constant dense<{{\[}}[5], [10]]> : tensor<2x1xi64>
// CHECK: bnn.bdense %{{.*}}, %[[F]] size = 4
func.func @packed_filter(%x: tensor<1x1xi64>) -> tensor<1x2xi32> {
  %w = arith.constant dense<[[-1.0, 1.0, -1.0, 1.0], [1.0, -1.0, 1.0, -1.0]]> : tensor<2x4xf32>
  %f = bnn.pack %w : tensor<2x4xf32> -> tensor<2x1xi64>
  %0 = bnn.bdense %x, %f size = 4 : tensor<1x1xi64>, tensor<2x1xi64> -> tensor<1x2xi32>
  return %0 : tensor<1x2xi32>
}

// -----

// Activations are not constants: their pack stays.
// CHECK-LABEL: func @activation_kept
// CHECK: bnn.pack
func.func @activation_kept(%x: tensor<1x4xf32>) -> tensor<1x1xi64> {
  %p = bnn.pack %x : tensor<1x4xf32> -> tensor<1x1xi64>
  return %p : tensor<1x1xi64>
}
