// RUN: bnn-opt %s -split-input-file -bnn-fuse-threshold -verify-diagnostics | FileCheck %s

// A dense layer of 5,000,000 inputs: the accumulator ranges over 10^7
// values, beyond what an exhaustive search evaluates per channel. The
// chain y = acc * m + b is provably monotone (finite, non-zero m), so the
// solver bisects:
//   ch0: acc - 0.5 >= 0 iff acc >= 1            threshold 1
//   ch1: -2 acc + 3 >= 0 iff acc <= 1           flipped: -acc >= -1
// CHECK-LABEL: func @wide_dense
// CHECK: %[[T:.+]] = arith.constant dense<[1, -1]> : tensor<2xi32>
// CHECK: bnn.threshold %{{.*}}, %[[T]] : tensor<1x2xi32>, tensor<2xi32> -> tensor<1x1xi64>
func.func @wide_dense(%x: tensor<1x78125xi64>) -> tensor<1x1xi64> {
  %f = arith.constant dense<0> : tensor<2x78125xi64>
  %acc = bnn.bdense %x, %f size = 5000000 : tensor<1x78125xi64>, tensor<2x78125xi64> -> tensor<1x2xi32>
  %m = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %b = arith.constant dense<[-0.5, 3.0]> : tensor<2xf32>
  %y = bnn.scale %acc, %m, %b : tensor<1x2xi32>, tensor<2xf32>, tensor<2xf32>
  %s = bnn.sign %y : tensor<1x2xf32>
  %p = bnn.pack %s : tensor<1x2xf32> -> tensor<1x1xi64>
  return %p : tensor<1x1xi64>
}

// -----

// The same range with a step the solver cannot prove monotone (the value
// times itself): too many values to evaluate one by one, so the chain stays
// float, with a remark.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @wide_square
// CHECK-NOT: bnn.threshold
func.func @wide_square(%x: tensor<1x78125xi64>) -> tensor<1x1xi64> {
  %f = arith.constant dense<0> : tensor<2x78125xi64>
  %acc = bnn.bdense %x, %f size = 5000000 : tensor<1x78125xi64>, tensor<2x78125xi64> -> tensor<1x2xi32>
  %m = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %b = arith.constant dense<[-0.5, 3.0]> : tensor<2xf32>
  %y = bnn.scale %acc, %m, %b : tensor<1x2xi32>, tensor<2xf32>, tensor<2xf32>
  %e = tensor.empty() : tensor<1x2xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<1x2xf32>) outs(%e : tensor<1x2xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.mulf %v, %v : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  %s = bnn.sign %sq : tensor<1x2xf32>
  // expected-remark @+1 {{not fused into a threshold: the sign of channel 0 is not provably monotone in the accumulator and its range is too large to search}}
  %p = bnn.pack %s : tensor<1x2xf32> -> tensor<1x1xi64>
  return %p : tensor<1x1xi64>
}
