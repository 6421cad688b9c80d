// RUN: bnn-opt %s -split-input-file | FileCheck %s
// Round trip: the printed form parses back to the same output.
// RUN: bnn-opt %s -split-input-file | bnn-opt -split-input-file | FileCheck %s
// The generic form parses and prints back to the custom form.
// RUN: bnn-opt %s -split-input-file -mlir-print-op-generic | bnn-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @level1
func.func @level1(%x: tensor<16x3x3x8xf32>, %q: tensor<8x8xf32>,
                  %s: tensor<3x3x8xf32>, %delta: tensor<16xf32>,
                  %beta: tensor<f32>, %q0: tensor<8xf32>) -> tensor<f32> {
  // CHECK: bnn.sign %{{.*}} : tensor<16x3x3x8xf32>
  %0 = bnn.sign %x : tensor<16x3x3x8xf32>
  // CHECK: bnn.sign %{{.*}} estimator = approx : tensor<16x3x3x8xf32>
  %1 = bnn.sign %x estimator = approx : tensor<16x3x3x8xf32>
  // CHECK: bnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} : tensor<16x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>
  %bn = bnn.batch_norm %x, %q0, %q0 : tensor<16x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: bnn.batch_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : tensor<16x3x3x8xf32>
  %bn2 = bnn.batch_norm %x, %q0, %q0 {epsilon = 1.0e-3 : f64} : tensor<16x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>
  // CHECK: bnn.sign %{{.*}} estimator = swish : tensor<16x3x3x8xf32>
  %2 = bnn.sign %x estimator = swish : tensor<16x3x3x8xf32>
  // CHECK: bnn.sign %{{.*}} estimator = identity : tensor<16x3x3x8xf32>
  %3 = bnn.sign %x estimator = identity : tensor<16x3x3x8xf32>
  // The default estimator is not printed.
  // CHECK: bnn.sign %{{.*}} : tensor<16x3x3x8xf32>
  %4 = bnn.sign %x estimator = ste : tensor<16x3x3x8xf32>
  // CHECK: bnn.orthonormal_transform %{{.*}}, %{{.*}} axis = 3 : tensor<16x3x3x8xf32>, tensor<8x8xf32>
  %5 = bnn.orthonormal_transform %x, %q axis = 3 : tensor<16x3x3x8xf32>, tensor<8x8xf32>
  // CHECK: bnn.orthonormal_transform %{{.*}}, %{{.*}} axis = 3 transpose = true : tensor<16x3x3x8xf32>, tensor<8x8xf32>
  %6 = bnn.orthonormal_transform %x, %q axis = 3 transpose = true : tensor<16x3x3x8xf32>, tensor<8x8xf32>
  // CHECK: bnn.importance_sign %{{.*}}, %{{.*}} : tensor<16x3x3x8xf32>, tensor<3x3x8xf32>
  %7 = bnn.importance_sign %x, %s : tensor<16x3x3x8xf32>, tensor<3x3x8xf32>
  // CHECK: bnn.importance_sign %{{.*}}, %{{.*}} estimator = approx : tensor<16x3x3x8xf32>, tensor<3x3x8xf32>
  %8 = bnn.importance_sign %x, %s estimator = approx : tensor<16x3x3x8xf32>, tensor<3x3x8xf32>
  // CHECK: bnn.ternary %{{.*}}, %{{.*}} : tensor<16x3x3x8xf32>, tensor<16xf32>
  %9 = bnn.ternary %x, %delta : tensor<16x3x3x8xf32>, tensor<16xf32>
  // CHECK: bnn.sq_regularizer %{{.*}}, %{{.*}} : tensor<16x3x3x8xf32>, tensor<f32>
  %10 = bnn.sq_regularizer %x, %beta : tensor<16x3x3x8xf32>, tensor<f32>
  return %10 : tensor<f32>
}

// -----

// CHECK-LABEL: func @level1_other_floats
func.func @level1_other_floats(%x: tensor<4x2xf16>, %d: tensor<4xf16>,
                               %q: tensor<2x2xbf16>, %y: tensor<3x2xbf16>)
    -> (tensor<4x2xf16>, tensor<3x2xbf16>) {
  // CHECK: bnn.ternary %{{.*}}, %{{.*}} : tensor<4x2xf16>, tensor<4xf16>
  %0 = bnn.ternary %x, %d : tensor<4x2xf16>, tensor<4xf16>
  // CHECK: bnn.orthonormal_transform %{{.*}}, %{{.*}} axis = 1 : tensor<3x2xbf16>, tensor<2x2xbf16>
  %1 = bnn.orthonormal_transform %y, %q axis = 1 : tensor<3x2xbf16>, tensor<2x2xbf16>
  return %0, %1 : tensor<4x2xf16>, tensor<3x2xbf16>
}

// -----

// CHECK-LABEL: func @pack_unpack
func.func @pack_unpack(%x: tensor<1x5x7x65xf32>, %w: tensor<10x33xf32>)
    -> (tensor<1x5x7x65xf32>, tensor<10x2xi32>) {
  // CHECK: %[[P:.+]] = bnn.pack %{{.*}} : tensor<1x5x7x65xf32> -> tensor<1x5x7x2xi64>
  %p = bnn.pack %x : tensor<1x5x7x65xf32> -> tensor<1x5x7x2xi64>
  // CHECK: bnn.pack %{{.*}} plane = nonzero : tensor<10x33xf32> -> tensor<10x2xi32>
  %m = bnn.pack %w plane = nonzero : tensor<10x33xf32> -> tensor<10x2xi32>
  // CHECK: bnn.unpack %[[P]] size = 65 : tensor<1x5x7x2xi64> -> tensor<1x5x7x65xf32>
  %u = bnn.unpack %p size = 65 : tensor<1x5x7x2xi64> -> tensor<1x5x7x65xf32>
  return %u, %m : tensor<1x5x7x65xf32>, tensor<10x2xi32>
}

// -----

// CHECK-LABEL: func @bconv2d
func.func @bconv2d(%in: tensor<2x5x7x2xi64>, %f: tensor<16x3x3x2xi64>,
                   %in32: tensor<1x8x8x4xi32>, %g: tensor<8x1x1x2xi32>)
    -> (tensor<2x5x7x16xi32>, tensor<2x1x3x16xi32>, tensor<1x8x8x8xi32>) {
  // CHECK: bnn.bconv2d %{{.*}}, %{{.*}} channels_in = 65 strides = [1, 1] padding = [1, 1, 1, 1] pad_value = 1 : tensor<2x5x7x2xi64>, tensor<16x3x3x2xi64> -> tensor<2x5x7x16xi32>
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [1, 1, 1, 1] pad_value = 1
      : tensor<2x5x7x2xi64>, tensor<16x3x3x2xi64> -> tensor<2x5x7x16xi32>
  // Ternary weights, stride 2, dilation 2, asymmetric padding.
  // CHECK: bnn.bconv2d %{{.*}}, %{{.*}} mask %{{.*}} channels_in = 65 strides = [2, 2] dilations = [2, 2] padding = [0, 1, 2, 0] : tensor<2x5x7x2xi64>, tensor<16x3x3x2xi64>, tensor<16x3x3x2xi64> -> tensor<2x1x3x16xi32>
  %1 = bnn.bconv2d %in, %f mask %f channels_in = 65 strides = [2, 2] dilations = [2, 2] padding = [0, 1, 2, 0]
      : tensor<2x5x7x2xi64>, tensor<16x3x3x2xi64>, tensor<16x3x3x2xi64> -> tensor<2x1x3x16xi32>
  // Two groups of 64 channels in i32 words.
  // CHECK: bnn.bconv2d %{{.*}}, %{{.*}} channels_in = 128 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2 : tensor<1x8x8x4xi32>, tensor<8x1x1x2xi32> -> tensor<1x8x8x8xi32>
  %2 = bnn.bconv2d %in32, %g channels_in = 128 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2
      : tensor<1x8x8x4xi32>, tensor<8x1x1x2xi32> -> tensor<1x8x8x8xi32>
  return %0, %1, %2 : tensor<2x5x7x16xi32>, tensor<2x1x3x16xi32>, tensor<1x8x8x8xi32>
}

// -----

// CHECK-LABEL: func @bconv2d_dynamic_batch
func.func @bconv2d_dynamic_batch(%in: tensor<?x5x7x1xi32>, %f: tensor<4x3x3x1xi32>)
    -> tensor<?x3x5x4xi32> {
  // CHECK: bnn.bconv2d {{.*}} -> tensor<?x3x5x4xi32>
  %0 = bnn.bconv2d %in, %f channels_in = 1 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<?x5x7x1xi32>, tensor<4x3x3x1xi32> -> tensor<?x3x5x4xi32>
  return %0 : tensor<?x3x5x4xi32>
}

// -----

// CHECK-LABEL: func @bdense_pool_scale_threshold
func.func @bdense_pool_scale_threshold(
    %x: tensor<4x4xi64>, %w: tensor<10x4xi64>, %p: tensor<1x8x8x2xi64>,
    %acc: tensor<1x8x8x16xi32>, %mul: tensor<16xf32>, %bias: tensor<16xf32>,
    %t: tensor<16xi32>)
    -> (tensor<4x10xi32>, tensor<4x10xi32>, tensor<1x4x4x2xi64>,
        tensor<1x8x8x16xf32>, tensor<1x8x8x1xi64>) {
  // CHECK: bnn.bdense %{{.*}}, %{{.*}} size = 200 : tensor<4x4xi64>, tensor<10x4xi64> -> tensor<4x10xi32>
  %0 = bnn.bdense %x, %w size = 200 : tensor<4x4xi64>, tensor<10x4xi64> -> tensor<4x10xi32>
  // CHECK: bnn.bdense %{{.*}}, %{{.*}} mask %{{.*}} size = 200 : tensor<4x4xi64>, tensor<10x4xi64>, tensor<10x4xi64> -> tensor<4x10xi32>
  %1 = bnn.bdense %x, %w mask %w size = 200 : tensor<4x4xi64>, tensor<10x4xi64>, tensor<10x4xi64> -> tensor<4x10xi32>
  // CHECK: bnn.bmaxpool2d %{{.*}} kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi64>
  %2 = bnn.bmaxpool2d %p kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi64>
  // CHECK: bnn.scale %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x8x8x16xi32>, tensor<16xf32>, tensor<16xf32>
  %3 = bnn.scale %acc, %mul, %bias : tensor<1x8x8x16xi32>, tensor<16xf32>, tensor<16xf32>
  // CHECK: bnn.threshold %{{.*}}, %{{.*}} : tensor<1x8x8x16xi32>, tensor<16xi32> -> tensor<1x8x8x1xi64>
  %4 = bnn.threshold %acc, %t : tensor<1x8x8x16xi32>, tensor<16xi32> -> tensor<1x8x8x1xi64>
  return %0, %1, %2, %3, %4 : tensor<4x10xi32>, tensor<4x10xi32>, tensor<1x4x4x2xi64>,
                              tensor<1x8x8x16xf32>, tensor<1x8x8x1xi64>
}
