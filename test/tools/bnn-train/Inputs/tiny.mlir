// A small training model with every kind of layer bnn-train handles, for
// quick tests (a few seconds per run on --limit images): a float first
// convolution, a BiTAT convolution, an SQ dense layer with its regularizer
// as the penalty (delta computed from beta, as examples/fashion_mnist/
// train_sq.mlir does), batch norms, signs, a max pool and a float
// classifier with bias.

#all2 = affine_map<(o, k) -> (o, k)>
#none2 = affine_map<(o, k) -> ()>
#vec = affine_map<(o) -> (o)>
#vec_scalar = affine_map<(o) -> ()>
#scalar = affine_map<() -> ()>

func.func @tiny(%image: tensor<16x28x28x1xf32>,
                %w1: tensor<4x3x3x1xf32> {bnn.param},
                %g1: tensor<4xf32> {bnn.param}, %b1: tensor<4xf32> {bnn.param},
                %w2: tensor<8x3x3x4xf32> {bnn.param}, %v2: tensor<4x4xf32> {bnn.param},
                %s2: tensor<3x3x4xf32> {bnn.param},
                %g2: tensor<8xf32> {bnn.param}, %b2: tensor<8xf32> {bnn.param},
                %w3: tensor<16x288xf32> {bnn.param}, %beta3: tensor<f32> {bnn.param},
                %g3: tensor<16xf32> {bnn.param}, %b3: tensor<16xf32> {bnn.param},
                %w4: tensor<16x10xf32> {bnn.param}, %bias4: tensor<10xf32> {bnn.param})
    -> (tensor<16x10xf32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %ninf = arith.constant 0xFF800000 : f32

  // conv1: float, stride 2, no padding.
  %c1_init = tensor.empty() : tensor<16x13x13x4xf32>
  %c1_zero = linalg.fill ins(%zero : f32) outs(%c1_init : tensor<16x13x13x4xf32>) -> tensor<16x13x13x4xf32>
  %c1 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%image, %w1 : tensor<16x28x28x1xf32>, tensor<4x3x3x1xf32>) outs(%c1_zero : tensor<16x13x13x4xf32>) -> tensor<16x13x13x4xf32>
  %n1 = bnn.batch_norm %c1, %g1, %b1 : tensor<16x13x13x4xf32>, tensor<4xf32>, tensor<4xf32>
  %a1 = bnn.sign %n1 : tensor<16x13x13x4xf32>

  // conv2: BiTAT, padding +1.
  %t2 = bnn.orthonormal_transform %w2, %v2 axis = 3 : tensor<8x3x3x4xf32>, tensor<4x4xf32>
  %q2 = bnn.importance_sign %t2, %s2 : tensor<8x3x3x4xf32>, tensor<3x3x4xf32>
  %x1 = tensor.pad %a1 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<16x13x13x4xf32> to tensor<16x15x15x4xf32>
  %c2_init = tensor.empty() : tensor<16x13x13x8xf32>
  %c2_zero = linalg.fill ins(%zero : f32) outs(%c2_init : tensor<16x13x13x8xf32>) -> tensor<16x13x13x8xf32>
  %c2 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x1, %q2 : tensor<16x15x15x4xf32>, tensor<8x3x3x4xf32>) outs(%c2_zero : tensor<16x13x13x8xf32>) -> tensor<16x13x13x8xf32>
  %n2 = bnn.batch_norm %c2, %g2, %b2 : tensor<16x13x13x8xf32>, tensor<8xf32>, tensor<8xf32>
  %a2 = bnn.sign %n2 : tensor<16x13x13x8xf32>
  %window = tensor.empty() : tensor<2x2xf32>
  %p2_init = tensor.empty() : tensor<16x6x6x8xf32>
  %p2_ninf = linalg.fill ins(%ninf : f32) outs(%p2_init : tensor<16x6x6x8xf32>) -> tensor<16x6x6x8xf32>
  %p2 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%a2, %window : tensor<16x13x13x8xf32>, tensor<2x2xf32>) outs(%p2_ninf : tensor<16x6x6x8xf32>) -> tensor<16x6x6x8xf32>
  %f2 = tensor.collapse_shape %p2 [[0], [1, 2, 3]] : tensor<16x6x6x8xf32> into tensor<16x288xf32>

  // dense3: SQ, delta = mean|W| / (1 + sqrt(tan(beta))).
  %sum3_init = tensor.empty() : tensor<f32>
  %sum3_zero = linalg.fill ins(%zero : f32) outs(%sum3_init : tensor<f32>) -> tensor<f32>
  %sum3 = linalg.generic {indexing_maps = [#all2, #none2], iterator_types = ["reduction", "reduction"]}
      ins(%w3 : tensor<16x288xf32>) outs(%sum3_zero : tensor<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %a = math.absf %x : f32
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %delta3_init = tensor.empty() : tensor<16xf32>
  %delta3 = linalg.generic {indexing_maps = [#vec_scalar, #vec_scalar, #vec], iterator_types = ["parallel"]}
      ins(%sum3, %beta3 : tensor<f32>, tensor<f32>) outs(%delta3_init : tensor<16xf32>) {
  ^bb0(%s: f32, %b: f32, %o: f32):
    %inv_n = arith.constant 2.17013889e-04 : f32
    %mean = arith.mulf %s, %inv_n : f32
    %t = math.tan %b : f32
    %r = math.sqrt %t : f32
    %d = arith.addf %r, %one : f32
    %delta = arith.divf %mean, %d : f32
    linalg.yield %delta : f32
  } -> tensor<16xf32>
  %q3 = bnn.ternary %w3, %delta3 : tensor<16x288xf32>, tensor<16xf32>
  %d3_init = tensor.empty() : tensor<16x16xf32>
  %d3_zero = linalg.fill ins(%zero : f32) outs(%d3_init : tensor<16x16xf32>) -> tensor<16x16xf32>
  %d3 = linalg.matmul indexing_maps = [affine_map<(n, o, k) -> (n, k)>, affine_map<(n, o, k) -> (o, k)>, affine_map<(n, o, k) -> (n, o)>]
      ins(%f2, %q3 : tensor<16x288xf32>, tensor<16x288xf32>) outs(%d3_zero : tensor<16x16xf32>) -> tensor<16x16xf32>
  %n3 = bnn.batch_norm %d3, %g3, %b3 : tensor<16x16xf32>, tensor<16xf32>, tensor<16xf32>
  %a3 = bnn.sign %n3 : tensor<16x16xf32>

  // dense4: float classifier with bias.
  %d4_init = tensor.empty() : tensor<16x10xf32>
  %d4_zero = linalg.fill ins(%zero : f32) outs(%d4_init : tensor<16x10xf32>) -> tensor<16x10xf32>
  %d4 = linalg.matmul ins(%a3, %w4 : tensor<16x16xf32>, tensor<16x10xf32>) outs(%d4_zero : tensor<16x10xf32>) -> tensor<16x10xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (k)>, affine_map<(n, k) -> (n, k)>],
                            iterator_types = ["parallel", "parallel"]}
      ins(%d4, %bias4 : tensor<16x10xf32>, tensor<10xf32>) outs(%d4_init : tensor<16x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x10xf32>

  %penalty = bnn.sq_regularizer %w3, %beta3 : tensor<16x288xf32>, tensor<f32>
  return %logits, %penalty : tensor<16x10xf32>, tensor<f32>
}
