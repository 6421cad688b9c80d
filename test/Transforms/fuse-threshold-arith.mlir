// RUN: bnn-opt %s -split-input-file -convert-elementwise-to-linalg -bnn-fuse-threshold -canonicalize -verify-diagnostics | FileCheck %s

// Batch norm written with arith ops on whole tensors (as the pipeline
// converts them to linalg first): per-channel constants broadcast over the
// batch, a splat shift.
//   ch0: 2 * acc - 1 >= 0   iff acc >= 1
//   ch1: -3 * acc - 1 >= 0  iff acc <= -1   (flipped: -acc >= 1)
// CHECK-LABEL: func @arith_batch_norm
// CHECK-DAG: %[[F:.+]] = arith.constant dense<5> : tensor<2x1xi64>
// CHECK-DAG: %[[T:.+]] = arith.constant dense<1> : tensor<2xi32>
// CHECK: %[[ACC:.+]] = bnn.bdense %{{.*}}, %[[F]] size = 4
// CHECK: bnn.threshold %[[ACC]], %[[T]]
// CHECK-NOT: linalg.generic
func.func @arith_batch_norm(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5], [10]]> : tensor<2x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<2x1xi64> -> tensor<2x2xi32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %y = bnn.scale %acc, %one, %zero : tensor<2x2xi32>, tensor<2xf32>, tensor<2xf32>
  %gamma = arith.constant dense<[[2.0, -3.0], [2.0, -3.0]]> : tensor<2x2xf32>
  %shift = arith.constant dense<-1.0> : tensor<2x2xf32>
  %0 = arith.mulf %y, %gamma : tensor<2x2xf32>
  %1 = arith.addf %0, %shift : tensor<2x2xf32>
  %s = bnn.sign %1 : tensor<2x2xf32>
  %p = bnn.pack %s : tensor<2x2xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

// A constant that varies along the batch is not a per-channel affine map.
// CHECK-LABEL: func @not_per_channel
// CHECK: bnn.pack
func.func @not_per_channel(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5], [10]]> : tensor<2x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<2x1xi64> -> tensor<2x2xi32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %y = bnn.scale %acc, %one, %one : tensor<2x2xi32>, tensor<2xf32>, tensor<2xf32>
  %g = arith.constant dense<[[2.0, -3.0], [1.0, -3.0]]> : tensor<2x2xf32>
  %0 = arith.mulf %y, %g : tensor<2x2xf32>
  // expected-remark @+1 {{not fused into a threshold: a constant of a step is neither per channel nor a scalar}}
  %p = bnn.pack %0 : tensor<2x2xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}
