// RUN: bnn-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Level 1
//===----------------------------------------------------------------------===//

func.func @sign_not_float(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = bnn.sign %x : tensor<4xi32>
  return
}

// -----

func.func @sign_result_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{all of {x, y} have same type}}
  %0 = "bnn.sign"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @sign_bad_estimator(%x: tensor<4xf32>) {
  // expected-error @+2 {{expected ::mlir::bnn::Estimator to be one of: ste, approx, swish, identity}}
  // expected-error @+1 {{failed to parse BNN_EstimatorAttr parameter 'value'}}
  %0 = bnn.sign %x estimator = fast : tensor<4xf32>
  return
}

// -----

func.func @transform_axis_too_large(%x: tensor<4x8xf32>, %q: tensor<8x8xf32>) {
  // expected-error @+1 {{expected axis in [0, 2) for x of rank 2, got 2}}
  %0 = bnn.orthonormal_transform %x, %q axis = 2 : tensor<4x8xf32>, tensor<8x8xf32>
  return
}

// -----

func.func @transform_axis_negative(%x: tensor<4x8xf32>, %q: tensor<8x8xf32>) {
  // expected-error @+1 {{expected axis in [0, 2) for x of rank 2, got -1}}
  %0 = bnn.orthonormal_transform %x, %q axis = -1 : tensor<4x8xf32>, tensor<8x8xf32>
  return
}

// -----

func.func @transform_q_not_square(%x: tensor<4x8xf32>, %q: tensor<8x4xf32>) {
  // expected-error @+1 {{expected q to be a square matrix, got 'tensor<8x4xf32>'}}
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<4x8xf32>, tensor<8x4xf32>
  return
}

// -----

func.func @transform_q_rank(%x: tensor<4x8xf32>, %q: tensor<8xf32>) {
  // expected-error @+1 {{expected q to be a square matrix, got 'tensor<8xf32>'}}
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<4x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @transform_q_size(%x: tensor<4x8xf32>, %q: tensor<4x4xf32>) {
  // expected-error @+1 {{expected q of size 8 (x dimension 1), got 4}}
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<4x8xf32>, tensor<4x4xf32>
  return
}

// -----

func.func @transform_element_types(%x: tensor<4x8xf32>, %q: tensor<8x8xf16>) {
  // expected-error @+1 {{expected x and q of one element type, got 'f32' and 'f16'}}
  %0 = bnn.orthonormal_transform %x, %q axis = 1 : tensor<4x8xf32>, tensor<8x8xf16>
  return
}

// -----

func.func @importance_sign_rank(%x: tensor<f32>, %s: tensor<f32>) {
  // expected-error @+1 {{expected x of rank >= 1 (axis 0 is the output channel), got 'tensor<f32>'}}
  %0 = bnn.importance_sign %x, %s : tensor<f32>, tensor<f32>
  return
}

// -----

func.func @importance_sign_s_shape(%x: tensor<16x3x3x8xf32>, %s: tensor<3x3xf32>) {
  // expected-error @+1 {{expected s of shape [3, 3, 8] (x.shape[1:]), got [3, 3]}}
  %0 = bnn.importance_sign %x, %s : tensor<16x3x3x8xf32>, tensor<3x3xf32>
  return
}

// -----

func.func @importance_sign_element_types(%x: tensor<16x8xf32>, %s: tensor<8xbf16>) {
  // expected-error @+1 {{expected x and s of one element type, got 'f32' and 'bf16'}}
  %0 = bnn.importance_sign %x, %s : tensor<16x8xf32>, tensor<8xbf16>
  return
}

// -----

func.func @ternary_rank(%x: tensor<f32>, %d: tensor<1xf32>) {
  // expected-error @+1 {{expected x of rank >= 1 (axis 0 is the output channel), got 'tensor<f32>'}}
  %0 = bnn.ternary %x, %d : tensor<f32>, tensor<1xf32>
  return
}

// -----

func.func @ternary_delta_shape(%x: tensor<16x8xf32>, %d: tensor<8xf32>) {
  // expected-error @+1 {{expected delta of shape [16] (x.shape[0]), got [8]}}
  %0 = bnn.ternary %x, %d : tensor<16x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @ternary_element_types(%x: tensor<16x8xf32>, %d: tensor<16xf16>) {
  // expected-error @+1 {{expected x and delta of one element type, got 'f32' and 'f16'}}
  %0 = bnn.ternary %x, %d : tensor<16x8xf32>, tensor<16xf16>
  return
}

// -----

func.func @sq_regularizer_beta_rank(%w: tensor<16x8xf32>, %beta: tensor<1xf32>) {
  // expected-error @+1 {{expected beta to be a 0-d tensor, got 'tensor<1xf32>'}}
  %0 = bnn.sq_regularizer %w, %beta : tensor<16x8xf32>, tensor<1xf32>
  return
}

// -----

func.func @sq_regularizer_element_types(%w: tensor<16x8xf32>, %beta: tensor<f16>) {
  // expected-error @+1 {{expected w and beta of one element type, got 'f32' and 'f16'}}
  %0 = bnn.sq_regularizer %w, %beta : tensor<16x8xf32>, tensor<f16>
  return
}

// -----

func.func @sq_regularizer_result(%w: tensor<16x8xf32>, %beta: tensor<f32>) {
  // expected-error @+1 {{expected result type 'tensor<f32>' (computed from operands and attributes), got 'tensor<1xf32>'}}
  %0 = "bnn.sq_regularizer"(%w, %beta) : (tensor<16x8xf32>, tensor<f32>) -> tensor<1xf32>
  return
}

//===----------------------------------------------------------------------===//
// pack / unpack
//===----------------------------------------------------------------------===//

// -----

func.func @pack_result_not_packed(%x: tensor<4x65xf32>) {
  // expected-error @+1 {{result #0 must be packed tensor of i32 or i64 words, but got 'tensor<4x2xi8>'}}
  %0 = bnn.pack %x : tensor<4x65xf32> -> tensor<4x2xi8>
  return
}

// -----

func.func @pack_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{expected input of rank >= 1, got 'tensor<f32>'}}
  %0 = bnn.pack %x : tensor<f32> -> tensor<1xi64>
  return
}

// -----

func.func @pack_rank(%x: tensor<4x65xf32>) {
  // expected-error @+1 {{expected result of rank 2 like input, got rank 1}}
  %0 = bnn.pack %x : tensor<4x65xf32> -> tensor<2xi64>
  return
}

// -----

func.func @pack_outer_dims(%x: tensor<4x65xf32>) {
  // expected-error @+1 {{expected result dimension 0 to be 4 like input, got 3}}
  %0 = bnn.pack %x : tensor<4x65xf32> -> tensor<3x2xi64>
  return
}

// -----

func.func @pack_words(%x: tensor<4x65xf32>) {
  // expected-error @+1 {{expected result words 2 (innermost size 65, i64 words), got 1}}
  %0 = bnn.pack %x : tensor<4x65xf32> -> tensor<4x1xi64>
  return
}

// -----

func.func @pack_words_i32(%x: tensor<4x65xf32>) {
  // expected-error @+1 {{expected result words 3 (innermost size 65, i32 words), got 2}}
  %0 = bnn.pack %x plane = nonzero : tensor<4x65xf32> -> tensor<4x2xi32>
  return
}

// -----

func.func @unpack_rank0(%p: tensor<i64>) {
  // expected-error @+1 {{expected a packed tensor of rank >= 1, got 'tensor<i64>'}}
  %0 = "bnn.unpack"(%p) {size = 1 : i64} : (tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @unpack_size(%p: tensor<4x2xi64>) {
  // expected-error @+1 {{expected size >= 1, got 0}}
  %0 = "bnn.unpack"(%p) {size = 0 : i64} : (tensor<4x2xi64>) -> tensor<4x0xf32>
  return
}

// -----

func.func @unpack_words(%p: tensor<4x2xi64>) {
  // expected-error @+1 {{expected input words 3 (size 129, i64 words), got 2}}
  %0 = bnn.unpack %p size = 129 : tensor<4x2xi64> -> tensor<4x129xf32>
  return
}

// -----

func.func @unpack_result(%p: tensor<4x2xi64>) {
  // expected-error @+1 {{expected result type 'tensor<4x65xf32>' (computed from operands and attributes), got 'tensor<4x64xf32>'}}
  %0 = bnn.unpack %p size = 65 : tensor<4x2xi64> -> tensor<4x64xf32>
  return
}

//===----------------------------------------------------------------------===//
// bconv2d
//===----------------------------------------------------------------------===//

// -----

func.func @bconv_input_rank(%in: tensor<8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected input of rank 4 (NHWC packed), got rank 3}}
  %0 = "bnn.bconv2d"(%in, %f) {channels_in = 65 : i64, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<8x8x2xi64>, tensor<16x3x3x2xi64>) -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_filter_rank(%in: tensor<1x8x8x2xi64>, %f: tensor<16x9x2xi64>) {
  // expected-error @+1 {{expected filter of rank 4, got rank 3}}
  %0 = "bnn.bconv2d"(%in, %f) {channels_in = 65 : i64, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x2xi64>, tensor<16x9x2xi64>) -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_word_types(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x3xi32>) {
  // expected-error @+1 {{expected input and filter to share one word type (i32 or i64), got 'i64' and 'i32'}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x3xi32> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_mask_type(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>, %m: tensor<16x3x3x2xi32>) {
  // expected-error @+1 {{expected filter_mask of the filter's type 'tensor<16x3x3x2xi64>', got 'tensor<16x3x3x2xi32>'}}
  %0 = bnn.bconv2d %in, %f mask %m channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64>, tensor<16x3x3x2xi32> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_mask_shape(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>, %m: tensor<16x1x1x2xi64>) {
  // expected-error @+1 {{expected filter_mask of the filter's type 'tensor<16x3x3x2xi64>', got 'tensor<16x1x1x2xi64>'}}
  %0 = bnn.bconv2d %in, %f mask %m channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64>, tensor<16x1x1x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_channels_in(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected channels_in in [1, 2147483647], got 0}}
  %0 = bnn.bconv2d %in, %f channels_in = 0 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_groups_range(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected groups in [1, 2147483647], got 0}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0] groups = 0
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_strides_length(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected strides to have 2 elements, got 3}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_strides_zero(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected every element of strides in [1, 2147483647], got [0, 1]}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [0, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_dilations_length(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected dilations to have 2 elements, got 1}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] dilations = [2] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_dilations_zero(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected every element of dilations in [1, 2147483647], got [1, 0]}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] dilations = [1, 0] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_padding_length(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected padding to have 4 elements, got 2}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [1, 1]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x8x8x16xi32>
  return
}

// -----

func.func @bconv_padding_negative(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected every element of padding in [0, 2147483647], got [1, -1, 1, 1]}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [1, -1, 1, 1]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x8x8x16xi32>
  return
}

// -----

func.func @bconv_padding_huge(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected every element of padding in [0, 2147483647], got [9223372036854775807, 0, 0, 0]}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [9223372036854775807, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x8x8x16xi32>
  return
}

// -----

func.func @bconv_pad_value(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected pad_value 0 or 1, got 2}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [1, 1, 1, 1] pad_value = 2
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x8x8x16xi32>
  return
}

// -----

func.func @bconv_groups_channels(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x1xi64>) {
  // expected-error @+1 {{expected groups 2 to divide channels_in 65}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2
      : tensor<1x8x8x2xi64>, tensor<16x3x3x1xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_groups_outputs(%in: tensor<1x8x8x2xi64>, %f: tensor<15x3x3x1xi64>) {
  // expected-error @+1 {{expected groups 2 to divide the output channels 15}}
  %0 = bnn.bconv2d %in, %f channels_in = 128 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2
      : tensor<1x8x8x2xi64>, tensor<15x3x3x1xi64> -> tensor<1x6x6x15xi32>
  return
}

// -----

func.func @bconv_groups_word_multiple(%in: tensor<1x8x8x1xi64>, %f: tensor<16x3x3x1xi64>) {
  // expected-error @+1 {{expected channels per group (channels_in 64 / groups 2 = 32) to be a multiple of the word width 64}}
  %0 = bnn.bconv2d %in, %f channels_in = 64 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2
      : tensor<1x8x8x1xi64>, tensor<16x3x3x1xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_input_words(%in: tensor<1x8x8x1xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected input words 2 (channels_in 65, i64 words), got 1}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x1xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_filter_words(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x1xi64>) {
  // expected-error @+1 {{expected filter words 2 (channels per group 65, i64 words), got 1}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x1xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_filter_words_groups(%in: tensor<1x8x8x4xi32>, %f: tensor<16x3x3x4xi32>) {
  // expected-error @+1 {{expected filter words 2 (channels per group 64, i32 words), got 4}}
  %0 = bnn.bconv2d %in, %f channels_in = 128 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2
      : tensor<1x8x8x4xi32>, tensor<16x3x3x4xi32> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_kernel_too_large(%in: tensor<1x2x8x1xi64>, %f: tensor<16x3x3x1xi64>) {
  // expected-error @+1 {{expected the dilated kernel [3, 3] (dilations [1, 1]) to fit in the padded input [2, 8] (padding [0, 0, 0, 0])}}
  %0 = bnn.bconv2d %in, %f channels_in = 1 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x2x8x1xi64>, tensor<16x3x3x1xi64> -> tensor<1x1x6x16xi32>
  return
}

// -----

func.func @bconv_dilated_kernel_too_large(%in: tensor<1x8x4x1xi64>, %f: tensor<16x3x3x1xi64>) {
  // expected-error @+1 {{expected the dilated kernel [3, 3] (dilations [1, 2]) to fit in the padded input [8, 4] (padding [0, 0, 0, 0])}}
  %0 = bnn.bconv2d %in, %f channels_in = 1 strides = [1, 1] dilations = [1, 2] padding = [0, 0, 0, 0]
      : tensor<1x8x4x1xi64>, tensor<16x3x3x1xi64> -> tensor<1x6x1x16xi32>
  return
}

// -----

func.func @bconv_empty_result(%in: tensor<1x8x8x1xi64>, %f: tensor<0x3x3x1xi64>) {
  // expected-error @+1 {{expected every result dimension >= 1, got shape [1, 6, 6, 0]}}
  %0 = bnn.bconv2d %in, %f channels_in = 1 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x1xi64>, tensor<0x3x3x1xi64> -> tensor<1x6x6x0xi32>
  return
}

// -----

func.func @bconv_result_shape(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{expected result type 'tensor<1x8x8x16xi32>' (computed from operands and attributes), got 'tensor<1x6x6x16xi32>'}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [1, 1, 1, 1]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi32>
  return
}

// -----

func.func @bconv_result_type(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{result #0 must be tensor of i32 accumulators, but got 'tensor<1x6x6x16xi64>'}}
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64> -> tensor<1x6x6x16xi64>
  return
}

// -----

func.func @bconv_missing_strides(%in: tensor<1x8x8x2xi64>, %f: tensor<16x3x3x2xi64>) {
  // expected-error @+1 {{requires attribute 'strides'}}
  %0 = "bnn.bconv2d"(%in, %f) {channels_in = 65 : i64, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x2xi64>, tensor<16x3x3x2xi64>) -> tensor<1x6x6x16xi32>
  return
}

//===----------------------------------------------------------------------===//
// bdense
//===----------------------------------------------------------------------===//

// -----

func.func @bdense_input_rank(%x: tensor<4xi64>, %w: tensor<10x4xi64>) {
  // expected-error @+1 {{expected input of rank 2 ([N, K] packed), got rank 1}}
  %0 = "bnn.bdense"(%x, %w) {size = 200 : i64} : (tensor<4xi64>, tensor<10x4xi64>) -> tensor<4x10xi32>
  return
}

// -----

func.func @bdense_filter_rank(%x: tensor<4x4xi64>, %w: tensor<10x4x1xi64>) {
  // expected-error @+1 {{expected filter of rank 2, got rank 3}}
  %0 = "bnn.bdense"(%x, %w) {size = 200 : i64} : (tensor<4x4xi64>, tensor<10x4x1xi64>) -> tensor<4x10xi32>
  return
}

// -----

func.func @bdense_word_types(%x: tensor<4x7xi32>, %w: tensor<10x4xi64>) {
  // expected-error @+1 {{expected input and filter to share one word type (i32 or i64), got 'i32' and 'i64'}}
  %0 = bnn.bdense %x, %w size = 200 : tensor<4x7xi32>, tensor<10x4xi64> -> tensor<4x10xi32>
  return
}

// -----

func.func @bdense_mask_type(%x: tensor<4x4xi64>, %w: tensor<10x4xi64>, %m: tensor<9x4xi64>) {
  // expected-error @+1 {{expected filter_mask of the filter's type 'tensor<10x4xi64>', got 'tensor<9x4xi64>'}}
  %0 = bnn.bdense %x, %w mask %m size = 200 : tensor<4x4xi64>, tensor<10x4xi64>, tensor<9x4xi64> -> tensor<4x10xi32>
  return
}

// -----

func.func @bdense_size(%x: tensor<4x4xi64>, %w: tensor<10x4xi64>) {
  // expected-error @+1 {{expected size >= 1, got -3}}
  %0 = bnn.bdense %x, %w size = -3 : tensor<4x4xi64>, tensor<10x4xi64> -> tensor<4x10xi32>
  return
}

// -----

func.func @bdense_input_words(%x: tensor<4x3xi64>, %w: tensor<10x4xi64>) {
  // expected-error @+1 {{expected input words 4 (size 200, i64 words), got 3}}
  %0 = bnn.bdense %x, %w size = 200 : tensor<4x3xi64>, tensor<10x4xi64> -> tensor<4x10xi32>
  return
}

// -----

func.func @bdense_filter_words(%x: tensor<4x7xi32>, %w: tensor<10x4xi32>) {
  // expected-error @+1 {{expected filter words 7 (size 200, i32 words), got 4}}
  %0 = bnn.bdense %x, %w size = 200 : tensor<4x7xi32>, tensor<10x4xi32> -> tensor<4x10xi32>
  return
}

// -----

func.func @bdense_empty_result(%x: tensor<0x4xi64>, %w: tensor<10x4xi64>) {
  // expected-error @+1 {{expected every result dimension >= 1, got shape [0, 10]}}
  %0 = bnn.bdense %x, %w size = 200 : tensor<0x4xi64>, tensor<10x4xi64> -> tensor<0x10xi32>
  return
}

// -----

func.func @bdense_result_shape(%x: tensor<4x4xi64>, %w: tensor<10x4xi64>) {
  // expected-error @+1 {{expected result type 'tensor<4x10xi32>' (computed from operands and attributes), got 'tensor<10x4xi32>'}}
  %0 = bnn.bdense %x, %w size = 200 : tensor<4x4xi64>, tensor<10x4xi64> -> tensor<10x4xi32>
  return
}

//===----------------------------------------------------------------------===//
// bmaxpool2d
//===----------------------------------------------------------------------===//

// -----

func.func @bmaxpool_rank(%x: tensor<8x8x2xi64>) {
  // expected-error @+1 {{expected input of rank 4 (NHWC packed), got 'tensor<8x8x2xi64>'}}
  %0 = "bnn.bmaxpool2d"(%x) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : (tensor<8x8x2xi64>) -> tensor<4x4x2xi64>
  return
}

// -----

func.func @bmaxpool_kernel_length(%x: tensor<1x8x8x2xi64>) {
  // expected-error @+1 {{expected kernel to have 2 elements, got 1}}
  %0 = bnn.bmaxpool2d %x kernel = [2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi64>
  return
}

// -----

func.func @bmaxpool_kernel_zero(%x: tensor<1x8x8x2xi64>) {
  // expected-error @+1 {{expected every element of kernel in [1, 2147483647], got [0, 2]}}
  %0 = bnn.bmaxpool2d %x kernel = [0, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi64>
  return
}

// -----

func.func @bmaxpool_strides(%x: tensor<1x8x8x2xi64>) {
  // expected-error @+1 {{expected every element of strides in [1, 2147483647], got [2, -2]}}
  %0 = bnn.bmaxpool2d %x kernel = [2, 2] strides = [2, -2] padding = [0, 0, 0, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi64>
  return
}

// -----

func.func @bmaxpool_padding_length(%x: tensor<1x8x8x2xi64>) {
  // expected-error @+1 {{expected padding to have 4 elements, got 5}}
  %0 = bnn.bmaxpool2d %x kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi64>
  return
}

// -----

func.func @bmaxpool_padding_kernel(%x: tensor<1x8x8x2xi64>) {
  // expected-error @+1 {{expected padding [0, 0, 2, 0] smaller than the kernel [2, 2] along each axis}}
  %0 = bnn.bmaxpool2d %x kernel = [2, 2] strides = [2, 2] padding = [0, 0, 2, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x5x2xi64>
  return
}

// -----

func.func @bmaxpool_kernel_fit(%x: tensor<1x2x8x2xi64>) {
  // expected-error @+1 {{expected the kernel [3, 3] to fit in the padded input [2, 8] (padding [0, 0, 0, 0])}}
  %0 = bnn.bmaxpool2d %x kernel = [3, 3] strides = [1, 1] padding = [0, 0, 0, 0] : tensor<1x2x8x2xi64> -> tensor<1x1x6x2xi64>
  return
}

// -----

func.func @bmaxpool_empty_result(%x: tensor<1x8x8x0xi64>) {
  // expected-error @+1 {{expected every result dimension >= 1, got shape [1, 4, 4, 0]}}
  %0 = bnn.bmaxpool2d %x kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x8x8x0xi64> -> tensor<1x4x4x0xi64>
  return
}

// -----

func.func @bmaxpool_result(%x: tensor<1x8x8x2xi64>) {
  // expected-error @+1 {{expected result type 'tensor<1x4x4x2xi64>' (computed from operands and attributes), got 'tensor<1x4x4x2xi32>'}}
  %0 = bnn.bmaxpool2d %x kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x8x8x2xi64> -> tensor<1x4x4x2xi32>
  return
}

//===----------------------------------------------------------------------===//
// scale / threshold
//===----------------------------------------------------------------------===//

// -----

func.func @scale_acc_rank(%acc: tensor<i32>, %m: tensor<1xf32>) {
  // expected-error @+1 {{expected acc of rank >= 1, got 'tensor<i32>'}}
  %0 = "bnn.scale"(%acc, %m, %m) : (tensor<i32>, tensor<1xf32>, tensor<1xf32>) -> tensor<f32>
  return
}

// -----

func.func @scale_multiplier_shape(%acc: tensor<1x8x8x16xi32>, %m: tensor<8xf32>, %b: tensor<16xf32>) {
  // expected-error @+1 {{expected multiplier of shape [16] (acc innermost size), got [8]}}
  %0 = bnn.scale %acc, %m, %b : tensor<1x8x8x16xi32>, tensor<8xf32>, tensor<16xf32>
  return
}

// -----

func.func @scale_bias_shape(%acc: tensor<1x8x8x16xi32>, %m: tensor<16xf32>, %b: tensor<1x16xf32>) {
  // expected-error @+1 {{expected bias of shape [16] (acc innermost size), got [1, 16]}}
  %0 = bnn.scale %acc, %m, %b : tensor<1x8x8x16xi32>, tensor<16xf32>, tensor<1x16xf32>
  return
}

// -----

func.func @scale_element_types(%acc: tensor<1x8x8x16xi32>, %m: tensor<16xf32>, %b: tensor<16xf16>) {
  // expected-error @+1 {{expected multiplier and bias of one element type, got 'f32' and 'f16'}}
  %0 = bnn.scale %acc, %m, %b : tensor<1x8x8x16xi32>, tensor<16xf32>, tensor<16xf16>
  return
}

// -----

func.func @scale_acc_type(%acc: tensor<1x8x8x16xi64>, %m: tensor<16xf32>) {
  // expected-error @+1 {{operand #0 must be tensor of i32 accumulators, but got 'tensor<1x8x8x16xi64>'}}
  %0 = bnn.scale %acc, %m, %m : tensor<1x8x8x16xi64>, tensor<16xf32>, tensor<16xf32>
  return
}

// -----

func.func @threshold_acc_rank(%acc: tensor<i32>, %t: tensor<1xi32>) {
  // expected-error @+1 {{expected acc of rank >= 1, got 'tensor<i32>'}}
  %0 = "bnn.threshold"(%acc, %t) : (tensor<i32>, tensor<1xi32>) -> tensor<1xi64>
  return
}

// -----

func.func @threshold_shape(%acc: tensor<1x8x8x16xi32>, %t: tensor<15xi32>) {
  // expected-error @+1 {{expected threshold of shape [16] (acc innermost size), got [15]}}
  %0 = bnn.threshold %acc, %t : tensor<1x8x8x16xi32>, tensor<15xi32> -> tensor<1x8x8x1xi64>
  return
}

// -----

func.func @threshold_result_rank(%acc: tensor<1x8x8x16xi32>, %t: tensor<16xi32>) {
  // expected-error @+1 {{expected result of rank 4 like acc, got rank 2}}
  %0 = bnn.threshold %acc, %t : tensor<1x8x8x16xi32>, tensor<16xi32> -> tensor<64x1xi64>
  return
}

// -----

func.func @threshold_result_dims(%acc: tensor<1x8x8x16xi32>, %t: tensor<16xi32>) {
  // expected-error @+1 {{expected result dimension 2 to be 8 like acc, got 4}}
  %0 = bnn.threshold %acc, %t : tensor<1x8x8x16xi32>, tensor<16xi32> -> tensor<1x8x4x1xi64>
  return
}

// -----

func.func @threshold_result_words(%acc: tensor<1x8x8x65xi32>, %t: tensor<65xi32>) {
  // expected-error @+1 {{expected result words 3 (innermost size 65, i32 words), got 2}}
  %0 = bnn.threshold %acc, %t : tensor<1x8x8x65xi32>, tensor<65xi32> -> tensor<1x8x8x2xi32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{expected x of rank >= 2 (batch and channel), got 'tensor<8xf32>'}}
  %0 = bnn.batch_norm %x, %g, %g : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_gamma_shape(%x: tensor<4x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expected gamma of shape [8] (the innermost axis of x), got [4]}}
  %0 = bnn.batch_norm %x, %g, %b : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_beta_type(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf16>) {
  // expected-error @+1 {{expected beta of the element type of x ('f32'), got 'f16'}}
  %0 = bnn.batch_norm %x, %g, %b : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf16>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<4x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{expected epsilon > 0, got 0}}
  %0 = bnn.batch_norm %x, %g, %g {epsilon = 0.0 : f64} : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

func.func @batch_norm_momentum(%x: tensor<4x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{expected momentum in [0, 1], got 1.5}}
  %0 = bnn.batch_norm %x, %g, %g {momentum = 1.5 : f64} : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>
  return
}

// -----

// Extreme sizes: the output-size arithmetic is checked (the padded height
// overflows int64 here) and reported, never wrapped.
func.func @bconv2d_overflowing_size(%x: tensor<1x9223372036854775000x4x1xi64>, %w: tensor<2x3x3x1xi64>) -> tensor<1x2x2x2xi32> {
  // expected-error @+1 {{'bnn.bconv2d' op expected the dilated kernel [3, 3] (dilations [2147483647, 1]) to fit in the padded input [9223372036854775000, 4] (padding [2147483647, 2147483647, 0, 0])}}
  %a = bnn.bconv2d %x, %w channels_in = 64 strides = [1, 1] dilations = [2147483647, 1] padding = [2147483647, 2147483647, 0, 0] : tensor<1x9223372036854775000x4x1xi64>, tensor<2x3x3x1xi64> -> tensor<1x2x2x2xi32>
  return %a : tensor<1x2x2x2xi32>
}
