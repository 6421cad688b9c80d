// RUN: bnn-opt %s | FileCheck %s
// Every op in the generic form, attributes in {...} (DESIGN.md section 3):
// defaults may be omitted, enums are #bnn<...> attributes.

// CHECK-LABEL: func @generic
func.func @generic(%x: tensor<16x3x3x8xf32>, %q: tensor<8x8xf32>,
                   %s: tensor<3x3x8xf32>, %delta: tensor<16xf32>,
                   %beta: tensor<f32>, %in: tensor<1x5x5x1xi64>,
                   %f: tensor<16x3x3x1xi64>, %v: tensor<2x200xf32>,
                   %t: tensor<16xi32>, %s8: tensor<8xf32>) {
  // CHECK: bnn.sign %{{.*}} estimator = approx
  %0 = "bnn.sign"(%x) {estimator = #bnn<estimator approx>} : (tensor<16x3x3x8xf32>) -> tensor<16x3x3x8xf32>
  // CHECK: bnn.sign %{{.*}} : tensor<16x3x3x8xf32>
  %1 = "bnn.sign"(%x) : (tensor<16x3x3x8xf32>) -> tensor<16x3x3x8xf32>
  // CHECK: bnn.orthonormal_transform %{{.*}}, %{{.*}} axis = 2 transpose = true
  %2 = "bnn.orthonormal_transform"(%s, %q) {axis = 2 : i64, transpose = true} : (tensor<3x3x8xf32>, tensor<8x8xf32>) -> tensor<3x3x8xf32>
  // CHECK: bnn.importance_sign %{{.*}}, %{{.*}} estimator = swish
  %3 = "bnn.importance_sign"(%x, %s) {estimator = #bnn<estimator swish>} : (tensor<16x3x3x8xf32>, tensor<3x3x8xf32>) -> tensor<16x3x3x8xf32>
  // CHECK: bnn.ternary
  %4 = "bnn.ternary"(%x, %delta) : (tensor<16x3x3x8xf32>, tensor<16xf32>) -> tensor<16x3x3x8xf32>
  // Without attributes: epsilon and momentum take their defaults.
  // CHECK: bnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} : tensor<16x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>
  %bn = "bnn.batch_norm"(%x, %s8, %s8) : (tensor<16x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<16x3x3x8xf32>
  // CHECK: bnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64, momentum = 2.000000e-01 : f64}
  %bn2 = "bnn.batch_norm"(%x, %s8, %s8) {epsilon = 1.0e-3 : f64, momentum = 0.2 : f64} : (tensor<16x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<16x3x3x8xf32>
  // CHECK: bnn.sq_regularizer
  %5 = "bnn.sq_regularizer"(%x, %beta) : (tensor<16x3x3x8xf32>, tensor<f32>) -> tensor<f32>
  // CHECK: bnn.pack %{{.*}} plane = nonzero : tensor<2x200xf32> -> tensor<2x4xi64>
  %6 = "bnn.pack"(%v) {plane = #bnn<plane nonzero>} : (tensor<2x200xf32>) -> tensor<2x4xi64>
  // CHECK: bnn.unpack %{{.*}} size = 200 : tensor<2x4xi64> -> tensor<2x200xf32>
  %7 = "bnn.unpack"(%6) {size = 200 : i64} : (tensor<2x4xi64>) -> tensor<2x200xf32>
  // CHECK: bnn.bconv2d %{{.*}}, %{{.*}} mask %{{.*}} channels_in = 1 strides = [2, 2] dilations = [1, 2] padding = [1, 0, 0, 1] pad_value = 1 : tensor<1x5x5x1xi64>, tensor<16x3x3x1xi64>, tensor<16x3x3x1xi64> -> tensor<1x2x1x16xi32>
  %8 = "bnn.bconv2d"(%in, %f, %f) {channels_in = 1 : i64, strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>, padding = array<i64: 1, 0, 0, 1>, pad_value = 1 : i64, groups = 1 : i64} : (tensor<1x5x5x1xi64>, tensor<16x3x3x1xi64>, tensor<16x3x3x1xi64>) -> tensor<1x2x1x16xi32>
  // CHECK: bnn.bdense %{{.*}}, %{{.*}} size = 200
  %9 = "bnn.bdense"(%6, %6) {size = 200 : i64} : (tensor<2x4xi64>, tensor<2x4xi64>) -> tensor<2x2xi32>
  // CHECK: bnn.bmaxpool2d %{{.*}} kernel = [3, 3] strides = [2, 2] padding = [1, 1, 1, 1] : tensor<1x5x5x1xi64> -> tensor<1x3x3x1xi64>
  %10 = "bnn.bmaxpool2d"(%in) {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x5x5x1xi64>) -> tensor<1x3x3x1xi64>
  // CHECK: bnn.scale
  %11 = "bnn.scale"(%8, %delta, %delta) : (tensor<1x2x1x16xi32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x2x1x16xf32>
  // CHECK: bnn.threshold %{{.*}}, %{{.*}} : tensor<1x2x1x16xi32>, tensor<16xi32> -> tensor<1x2x1x1xi32>
  %12 = "bnn.threshold"(%8, %t) : (tensor<1x2x1x16xi32>, tensor<16xi32>) -> tensor<1x2x1x1xi32>
  return
}
