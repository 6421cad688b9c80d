// RUN: bnn-opt %s -split-input-file -bnn-binarize -verify-diagnostics | FileCheck %s

// Splat weights of 1.6 * 10^9 elements are alpha = 0.5 on every channel: read
// as a splat, never expanded.
// CHECK-LABEL: func @huge_splat_weights
// CHECK: bnn.bdense
// CHECK: bnn.scale
func.func @huge_splat_weights(%x: tensor<1x40000xf32>) -> tensor<1x40000xf32> {
  %s = bnn.sign %x : tensor<1x40000xf32>
  %w = arith.constant dense<0.5> : tensor<40000x40000xf32>
  %init = arith.constant dense<0.0> : tensor<1x40000xf32>
  %y = linalg.matmul ins(%s, %w : tensor<1x40000xf32>, tensor<40000x40000xf32>)
                     outs(%init : tensor<1x40000xf32>) -> tensor<1x40000xf32>
  return %y : tensor<1x40000xf32>
}

// -----

// A padding beyond bnn.bconv2d's range (2^31 rows on each side): the
// convolution stays float with a remark, instead of a packed op that fails
// its verifier.
// CHECK-LABEL: func @huge_padding
// CHECK-NOT: bnn.bconv2d
// CHECK: linalg.conv_2d_nhwc_fhwc
func.func @huge_padding(%x: tensor<1x4x4x64xf32>) -> tensor<1x4294967300x4x8xf32> {
  %s = bnn.sign %x : tensor<1x4x4x64xf32>
  %z = arith.constant 0.0 : f32
  %p = tensor.pad %s low[0, 2147483648, 0, 0] high[0, 2147483648, 0, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %z : f32
  } : tensor<1x4x4x64xf32> to tensor<1x4294967300x4x64xf32>
  %w = arith.constant dense<1.0> : tensor<8x1x1x64xf32>
  %init = arith.constant dense<0.0> : tensor<1x4294967300x4x8xf32>
  // expected-remark @+1 {{not binarized: the strides, dilations, padding or channels exceed the range of bnn.bconv2d (1 to 2^31 - 1; padding from 0)}}
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%p, %w : tensor<1x4294967300x4x64xf32>, tensor<8x1x1x64xf32>)
    outs(%init : tensor<1x4294967300x4x8xf32>) -> tensor<1x4294967300x4x8xf32>
  return %y : tensor<1x4294967300x4x8xf32>
}
