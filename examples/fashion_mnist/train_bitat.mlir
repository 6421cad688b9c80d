// A BiTAT training model for Fashion-MNIST (docs/Training.md): bnn-train
// initializes and trains every bnn.param argument and writes the trained
// inference model, which bnn-compile turns into packed binary kernels.
//
//   conv1  float 3x3 1->16, zero pad 1, batch norm, sign        28x28x16
//   conv2  BiTAT 3x3 16->32, pad 1 (+1), batch norm, sign,
//          max pool 2x2                                         14x14x32
//   conv3  BiTAT 3x3 32->64, pad 1 (+1), batch norm, sign,
//          max pool 2x2                                          7x7x64
//   flatten                                                       3136
//   dense4 binary 3136->128 (importance sign), batch norm, sign    128
//   dense5 float 128->10 + bias                               10 logits
//
// A BiTAT weight is importance_sign(orthonormal_transform(W, V, axis = in),
// S): V (C x C) starts from the eigenvectors of the layer's inputs and S
// from their spectrum (bnn-train --method=bitat). dense4 reads 3136 inputs:
// a 3136 x 3136 transform would cost more than the layer, so its weight is
// the importance sign alone. The batch (64) is the leading dimension.

func.func @fashion_bitat(
    %image: tensor<64x28x28x1xf32>,
    %w1: tensor<16x3x3x1xf32> {bnn.param},
    %g1: tensor<16xf32> {bnn.param}, %b1: tensor<16xf32> {bnn.param},
    %w2: tensor<32x3x3x16xf32> {bnn.param}, %v2: tensor<16x16xf32> {bnn.param},
    %s2: tensor<3x3x16xf32> {bnn.param},
    %g2: tensor<32xf32> {bnn.param}, %b2: tensor<32xf32> {bnn.param},
    %w3: tensor<64x3x3x32xf32> {bnn.param}, %v3: tensor<32x32xf32> {bnn.param},
    %s3: tensor<3x3x32xf32> {bnn.param},
    %g3: tensor<64xf32> {bnn.param}, %b3: tensor<64xf32> {bnn.param},
    %w4: tensor<128x3136xf32> {bnn.param}, %s4: tensor<3136xf32> {bnn.param},
    %g4: tensor<128xf32> {bnn.param}, %b4: tensor<128xf32> {bnn.param},
    %w5: tensor<128x10xf32> {bnn.param}, %bias5: tensor<10xf32> {bnn.param})
    -> tensor<64x10xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %ninf = arith.constant 0xFF800000 : f32

  // conv1: float.
  %x0 = tensor.pad %image low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<64x28x28x1xf32> to tensor<64x30x30x1xf32>
  %c1_init = tensor.empty() : tensor<64x28x28x16xf32>
  %c1_zero = linalg.fill ins(%zero : f32) outs(%c1_init : tensor<64x28x28x16xf32>) -> tensor<64x28x28x16xf32>
  %c1 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x0, %w1 : tensor<64x30x30x1xf32>, tensor<16x3x3x1xf32>) outs(%c1_zero : tensor<64x28x28x16xf32>) -> tensor<64x28x28x16xf32>
  %n1 = bnn.batch_norm %c1, %g1, %b1 : tensor<64x28x28x16xf32>, tensor<16xf32>, tensor<16xf32>
  %a1 = bnn.sign %n1 : tensor<64x28x28x16xf32>

  // conv2: BiTAT.
  %t2 = bnn.orthonormal_transform %w2, %v2 axis = 3 : tensor<32x3x3x16xf32>, tensor<16x16xf32>
  %q2 = bnn.importance_sign %t2, %s2 : tensor<32x3x3x16xf32>, tensor<3x3x16xf32>
  %x1 = tensor.pad %a1 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<64x28x28x16xf32> to tensor<64x30x30x16xf32>
  %c2_init = tensor.empty() : tensor<64x28x28x32xf32>
  %c2_zero = linalg.fill ins(%zero : f32) outs(%c2_init : tensor<64x28x28x32xf32>) -> tensor<64x28x28x32xf32>
  %c2 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x1, %q2 : tensor<64x30x30x16xf32>, tensor<32x3x3x16xf32>) outs(%c2_zero : tensor<64x28x28x32xf32>) -> tensor<64x28x28x32xf32>
  %n2 = bnn.batch_norm %c2, %g2, %b2 : tensor<64x28x28x32xf32>, tensor<32xf32>, tensor<32xf32>
  %a2 = bnn.sign %n2 : tensor<64x28x28x32xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %p2_init = tensor.empty() : tensor<64x14x14x32xf32>
  %p2_ninf = linalg.fill ins(%ninf : f32) outs(%p2_init : tensor<64x14x14x32xf32>) -> tensor<64x14x14x32xf32>
  %p2 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%a2, %window : tensor<64x28x28x32xf32>, tensor<2x2xf32>) outs(%p2_ninf : tensor<64x14x14x32xf32>) -> tensor<64x14x14x32xf32>

  // conv3: BiTAT.
  %t3 = bnn.orthonormal_transform %w3, %v3 axis = 3 : tensor<64x3x3x32xf32>, tensor<32x32xf32>
  %q3 = bnn.importance_sign %t3, %s3 : tensor<64x3x3x32xf32>, tensor<3x3x32xf32>
  %x2 = tensor.pad %p2 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<64x14x14x32xf32> to tensor<64x16x16x32xf32>
  %c3_init = tensor.empty() : tensor<64x14x14x64xf32>
  %c3_zero = linalg.fill ins(%zero : f32) outs(%c3_init : tensor<64x14x14x64xf32>) -> tensor<64x14x14x64xf32>
  %c3 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x2, %q3 : tensor<64x16x16x32xf32>, tensor<64x3x3x32xf32>) outs(%c3_zero : tensor<64x14x14x64xf32>) -> tensor<64x14x14x64xf32>
  %n3 = bnn.batch_norm %c3, %g3, %b3 : tensor<64x14x14x64xf32>, tensor<64xf32>, tensor<64xf32>
  %a3 = bnn.sign %n3 : tensor<64x14x14x64xf32>
  %p3_init = tensor.empty() : tensor<64x7x7x64xf32>
  %p3_ninf = linalg.fill ins(%ninf : f32) outs(%p3_init : tensor<64x7x7x64xf32>) -> tensor<64x7x7x64xf32>
  %p3 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%a3, %window : tensor<64x14x14x64xf32>, tensor<2x2xf32>) outs(%p3_ninf : tensor<64x7x7x64xf32>) -> tensor<64x7x7x64xf32>
  %f3 = tensor.collapse_shape %p3 [[0], [1, 2, 3]] : tensor<64x7x7x64xf32> into tensor<64x3136xf32>

  // dense4: binary weight [O, K] with an importance per input.
  %q4 = bnn.importance_sign %w4, %s4 : tensor<128x3136xf32>, tensor<3136xf32>
  %d4_init = tensor.empty() : tensor<64x128xf32>
  %d4_zero = linalg.fill ins(%zero : f32) outs(%d4_init : tensor<64x128xf32>) -> tensor<64x128xf32>
  %d4 = linalg.matmul indexing_maps = [affine_map<(n, o, k) -> (n, k)>, affine_map<(n, o, k) -> (o, k)>, affine_map<(n, o, k) -> (n, o)>]
      ins(%f3, %q4 : tensor<64x3136xf32>, tensor<128x3136xf32>) outs(%d4_zero : tensor<64x128xf32>) -> tensor<64x128xf32>
  %n4 = bnn.batch_norm %d4, %g4, %b4 : tensor<64x128xf32>, tensor<128xf32>, tensor<128xf32>
  %a4 = bnn.sign %n4 : tensor<64x128xf32>

  // dense5: float classifier with bias.
  %d5_init = tensor.empty() : tensor<64x10xf32>
  %d5_zero = linalg.fill ins(%zero : f32) outs(%d5_init : tensor<64x10xf32>) -> tensor<64x10xf32>
  %d5 = linalg.matmul ins(%a4, %w5 : tensor<64x128xf32>, tensor<128x10xf32>) outs(%d5_zero : tensor<64x10xf32>) -> tensor<64x10xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (k)>, affine_map<(n, k) -> (n, k)>],
                            iterator_types = ["parallel", "parallel"]}
      ins(%d5, %bias5 : tensor<64x10xf32>, tensor<10xf32>) outs(%d5_init : tensor<64x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<64x10xf32>
  return %logits : tensor<64x10xf32>
}
