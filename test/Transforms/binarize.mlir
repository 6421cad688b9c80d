// RUN: bnn-opt %s -split-input-file -bnn-binarize -verify-diagnostics | FileCheck %s
// RUN: bnn-opt %s -split-input-file -bnn-binarize="word-bits=32" -verify-diagnostics | FileCheck %s --check-prefix=W32
// An unsupported word width is one error that prints the number.
// RUN: not bnn-opt %s -split-input-file -bnn-binarize="word-bits=7" 2>&1 | FileCheck %s --check-prefix=BADWIDTH
// BADWIDTH: error: bnn-binarize: word-bits must be 0 (per layer), 32 or 64, got 7{{$}}

// Zero padding of the sign output, binary weights +-0.5 and +-2.
// CHECK-LABEL: func @conv_zero_pad
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x4x3xf32>)
// CHECK: %[[S:.+]] = bnn.sign %[[X]]
// CHECK: %[[P:.+]] = bnn.pack %[[S]] : tensor<1x4x4x3xf32> -> tensor<1x4x4x1xi64>
// CHECK: %[[F:.+]] = bnn.pack %{{.*}} : tensor<2x3x3x3xf32> -> tensor<2x3x3x1xi64>
// CHECK-NOT: plane = nonzero
// CHECK: %[[ACC:.+]] = bnn.bconv2d %[[P]], %[[F]] channels_in = 3 strides = [1, 1] padding = [1, 1, 1, 1] : tensor<1x4x4x1xi64>, tensor<2x3x3x1xi64> -> tensor<1x4x4x2xi32>
// CHECK-DAG: %[[ALPHA:.+]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: %[[Y:.+]] = bnn.scale %[[ACC]], %[[ALPHA]], %[[ZERO]]
// CHECK-NOT: linalg.conv_2d_nhwc_fhwc
// CHECK: return %[[Y]]
// W32-LABEL: func @conv_zero_pad
// W32: bnn.bconv2d {{.*}} : tensor<1x4x4x1xi32>, tensor<2x3x3x1xi32> -> tensor<1x4x4x2xi32>
func.func @conv_zero_pad(%x: tensor<1x4x4x3xf32>) -> tensor<1x4x4x2xf32> {
  %s = bnn.sign %x : tensor<1x4x4x3xf32>
  %c0 = arith.constant 0.0 : f32
  %pad = tensor.pad %s low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %c0 : f32
  } : tensor<1x4x4x3xf32> to tensor<1x6x6x3xf32>
  %w = arith.constant dense<[[[[0.5, -0.5, 0.5], [0.5, 0.5, -0.5], [-0.5, 0.5, 0.5]], [[0.5, -0.5, 0.5], [0.5, 0.5, 0.5], [-0.5, 0.5, 0.5]], [[0.5, -0.5, -0.5], [0.5, 0.5, 0.5], [-0.5, 0.5, 0.5]]],
                             [[[-2.0, 2.0, 2.0], [2.0, 2.0, 2.0], [-2.0, -2.0, 2.0]], [[2.0, -2.0, 2.0], [2.0, 2.0, 2.0], [-2.0, 2.0, 2.0]], [[2.0, -2.0, 2.0], [2.0, 2.0, 2.0], [-2.0, 2.0, -2.0]]]]> : tensor<2x3x3x3xf32>
  %e = tensor.empty() : tensor<1x4x4x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%pad, %w : tensor<1x6x6x3xf32>, tensor<2x3x3x3xf32>) outs(%z : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// Padding with 1.0 (+1), stride 2, dilation 2, asymmetric padding; ternary
// weights with zeros get a mask.
// CHECK-LABEL: func @conv_one_pad_ternary
// CHECK: %[[M:.+]] = bnn.pack %{{.*}} plane = nonzero : tensor<1x2x2x2xf32> -> tensor<1x2x2x1xi64>
// CHECK: bnn.bconv2d %{{.*}}, %{{.*}} mask %[[M]] channels_in = 2 strides = [2, 2] dilations = [2, 2] padding = [0, 1, 1, 0] pad_value = 1
// CHECK: bnn.scale
func.func @conv_one_pad_ternary(%x: tensor<1x6x6x2xf32>) -> tensor<1x3x3x1xf32> {
  %s = bnn.sign %x : tensor<1x6x6x2xf32>
  %one = arith.constant 1.0 : f32
  %pad = tensor.pad %s low[0, 0, 1, 0] high[0, 1, 0, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %one : f32
  } : tensor<1x6x6x2xf32> to tensor<1x7x7x2xf32>
  %w = arith.constant dense<[[[[0.25, 0.0], [-0.25, 0.25]], [[0.0, -0.25], [0.25, 0.25]]]]> : tensor<1x2x2x2xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x3x1xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<1x3x3x1xf32>) -> tensor<1x3x3x1xf32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
     ins(%pad, %w : tensor<1x7x7x2xf32>, tensor<1x2x2x2xf32>) outs(%z : tensor<1x3x3x1xf32>) -> tensor<1x3x3x1xf32>
  return %y : tensor<1x3x3x1xf32>
}

// -----

// SQ's depth: ternary-trained weights with no zero left are binary.
// CHECK-LABEL: func @sq_layer_without_zeros_is_binary
// CHECK-NOT: plane = nonzero
// CHECK: bnn.bdense %{{.*}}, %{{.*}} size = 3 :
// CHECK-NOT: mask
func.func @sq_layer_without_zeros_is_binary(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[-1.0, 0.25, 2.0], [1.0, -2.0, 3.0]]> : tensor<2x3xf32>
  %d = arith.constant dense<[0.1, 0.1]> : tensor<2xf32>
  %t = bnn.ternary %w, %d : tensor<2x3xf32>, tensor<2xf32>
  %wt = arith.constant dense<[[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]> : tensor<3x2xf32>
  %s = bnn.sign %x : tensor<2x3xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%s, %wt : tensor<2x3xf32>, tensor<3x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A dense layer with [O, K] weights through transposed indexing maps; the
// scale is alpha per output channel.
// CHECK-LABEL: func @matmul_transposed_b
// CHECK: %[[S:.+]] = bnn.sign
// CHECK: %[[P:.+]] = bnn.pack %[[S]]
// CHECK: %[[F:.+]] = bnn.pack %{{.*}} : tensor<2x3xf32> -> tensor<2x1xi64>
// CHECK: bnn.pack %{{.*}} plane = nonzero : tensor<2x3xf32> -> tensor<2x1xi64>
// CHECK: %[[ACC:.+]] = bnn.bdense %[[P]], %[[F]] mask %{{.*}} size = 3
// CHECK: %[[ALPHA:.+]] = arith.constant dense<[1.500000e+00, 3.000000e+00]>
// CHECK: bnn.scale %[[ACC]], %[[ALPHA]]
func.func @matmul_transposed_b(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.5, 0.0, -1.5], [3.0, -3.0, 3.0]]> : tensor<2x3xf32>
  %s = bnn.sign %x : tensor<2x3xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
     ins(%s, %w : tensor<2x3xf32>, tensor<2x3xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Negative cases: each stays float with a remark saying why.

func.func @not_constant(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %s = bnn.sign %x : tensor<2x3xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @+1 {{not binarized: weights are not constant}}
  %y = linalg.matmul ins(%s, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @mixed_magnitudes(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 1.0], [-1.0, 1.0], [1.0, -0.5]]> : tensor<3x2xf32>
  %s = bnn.sign %x : tensor<2x3xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  // expected-remark @+1 {{not binarized: weights of output channel 1 are not +-alpha: |w| is 1 and 0.5}}
  %y = linalg.matmul ins(%s, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @nonzero_init(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]> : tensor<3x2xf32>
  %s = bnn.sign %x : tensor<2x3xf32>
  %bias = arith.constant dense<0.5> : tensor<2x2xf32>
  // expected-remark @+1 {{not binarized: the matmul accumulates into a non-zero init}}
  %y = linalg.matmul ins(%s, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%bias : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @pad_half(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32> {
  %s = bnn.sign %x : tensor<1x4x4x1xf32>
  %h = arith.constant 0.5 : f32
  %pad = tensor.pad %s low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %h : f32
  } : tensor<1x4x4x1xf32> to tensor<1x6x6x1xf32>
  %w = arith.constant dense<1.0> : tensor<1x3x3x1xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x1xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  // expected-remark @+1 {{not binarized: the sign output is padded with a value other than 0 and 1}}
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%pad, %w : tensor<1x6x6x1xf32>, tensor<1x3x3x1xf32>) outs(%z : tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  return %y : tensor<1x4x4x1xf32>
}

// -----

// A convolution that reads only part of its padded input.
func.func @partial_conv(%x: tensor<1x4x4x1xf32>) -> tensor<1x1x1x1xf32> {
  %s = bnn.sign %x : tensor<1x4x4x1xf32>
  %w = arith.constant dense<1.0> : tensor<1x3x3x1xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x1x1xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  // expected-remark @+1 {{not binarized: the convolution does not cover its whole padded input}}
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%s, %w : tensor<1x4x4x1xf32>, tensor<1x3x3x1xf32>) outs(%z : tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// -----

// A float layer on values that are not signs is a float layer by design: no
// rewrite and no remark.
// CHECK-LABEL: func @float_input
// CHECK: linalg.conv_2d_nhwc_fhwc
func.func @float_input(%x: tensor<1x3x3x1xf32>) -> tensor<1x1x1x1xf32> {
  %w = arith.constant dense<1.0> : tensor<1x3x3x1xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x1x1xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%x, %w : tensor<1x3x3x1xf32>, tensor<1x3x3x1xf32>) outs(%z : tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}

// -----

// The sign output has another user: it stays, the layer is still binarized.
// CHECK-LABEL: func @sign_multi_use
// CHECK: %[[S:.+]] = bnn.sign
// CHECK: bnn.pack %[[S]]
// CHECK: bnn.bdense
// CHECK: return %{{.*}}, %[[S]]
func.func @sign_multi_use(%x: tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<2x3xf32>) {
  %w = arith.constant dense<[[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]> : tensor<3x2xf32>
  %s = bnn.sign %x : tensor<2x3xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul ins(%s, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%z : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y, %s : tensor<2x2xf32>, tensor<2x3xf32>
}

// -----

// Other layers on signs stay float with one remark that names the packed
// forms: a depthwise convolution, a batch matmul.
// CHECK-LABEL: func.func @depthwise_on_signs
// CHECK:         linalg.depthwise_conv_2d_nhwc_hwc
func.func @depthwise_on_signs(%x: tensor<1x6x6x8xf32>) -> tensor<1x4x4x8xf32> {
  %s = bnn.sign %x : tensor<1x6x6x8xf32>
  %w = arith.constant dense<1.0> : tensor<3x3x8xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  // expected-remark @below {{not binarized: linalg.depthwise_conv_2d_nhwc_hwc is not a form bnn-binarize packs: it packs linalg.conv_2d_nhwc_fhwc and linalg.matmul on signs}}
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%s, %w : tensor<1x6x6x8xf32>, tensor<3x3x8xf32>) outs(%i : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %r : tensor<1x4x4x8xf32>
}

// CHECK-LABEL: func.func @batch_matmul_on_signs
// CHECK:         linalg.batch_matmul
func.func @batch_matmul_on_signs(%x: tensor<2x3x16xf32>, %w: tensor<2x16x4xf32>, %i: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %s = bnn.sign %x : tensor<2x3x16xf32>
  // expected-remark @below {{not binarized: linalg.batch_matmul is not a form bnn-binarize packs}}
  %r = linalg.batch_matmul ins(%s, %w : tensor<2x3x16xf32>, tensor<2x16x4xf32>) outs(%i : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %r : tensor<2x3x4xf32>
}

// The same layer on float input is float by design: no remark.
// CHECK-LABEL: func.func @depthwise_on_floats
func.func @depthwise_on_floats(%x: tensor<1x6x6x8xf32>) -> tensor<1x4x4x8xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3x8xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %r = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x6x8xf32>, tensor<3x3x8xf32>) outs(%i : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %r : tensor<1x4x4x8xf32>
}

// A slice of signs is signs: each group of a grouped convolution written
// as slices (bnn-import's form) is packed.
// CHECK-LABEL: func.func @slice_of_signs
// CHECK:         bnn.bconv2d
func.func @slice_of_signs(%x: tensor<1x4x4x128xf32>) -> tensor<1x4x4x8xf32> {
  %s = bnn.sign %x : tensor<1x4x4x128xf32>
  %g = tensor.extract_slice %s[0, 0, 0, 64] [1, 4, 4, 64] [1, 1, 1, 1] : tensor<1x4x4x128xf32> to tensor<1x4x4x64xf32>
  %w = arith.constant dense<0.5> : tensor<8x1x1x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x8xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %r = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%g, %w : tensor<1x4x4x64xf32>, tensor<8x1x1x64xf32>) outs(%i : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %r : tensor<1x4x4x8xf32>
}
