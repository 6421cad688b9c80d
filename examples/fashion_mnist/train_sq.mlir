// An SQ training model for Fashion-MNIST (docs/Training.md): the
// architecture of train_bitat.mlir with SQ layers. Each SQ layer's weight
// is ternary(W, delta) with delta = mean|W| / (1 + sqrt(tan(beta))), the
// point where the regularizer's zero basin meets its +-1 basins
// (docs/Formulation.md), and the penalty is the sum of the layers'
// bnn.sq_regularizer plus a depth cost, the SQ layers' average bits per
// weight, that pulls each beta towards binary in proportion to its layer's
// size: bnn-train --method=sq weights the penalty by --sq-lambda,
// trains each beta in [pi/4, pi/2) and reports each layer's depth.
//
//   conv1  float 3x3 1->16, zero pad 1, batch norm, sign        28x28x16
//   conv2  SQ 3x3 16->32, pad 1 (+1), batch norm, sign,
//          max pool 2x2                                         14x14x32
//   conv3  SQ 3x3 32->64, pad 1 (+1), batch norm, sign,
//          max pool 2x2                                          7x7x64
//   flatten                                                       3136
//   dense4 SQ 3136->128, batch norm, sign                          128
//   dense5 float 128->10 + bias                               10 logits

#all4 = affine_map<(o, h, w, c) -> (o, h, w, c)>
#none4 = affine_map<(o, h, w, c) -> ()>
#all2 = affine_map<(o, k) -> (o, k)>
#none2 = affine_map<(o, k) -> ()>
#vec = affine_map<(o) -> (o)>
#vec_scalar = affine_map<(o) -> ()>
#scalar = affine_map<() -> ()>

func.func @fashion_sq(
    %image: tensor<64x28x28x1xf32>,
    %w1: tensor<16x3x3x1xf32> {bnn.param},
    %g1: tensor<16xf32> {bnn.param}, %b1: tensor<16xf32> {bnn.param},
    %w2: tensor<32x3x3x16xf32> {bnn.param}, %beta2: tensor<f32> {bnn.param},
    %g2: tensor<32xf32> {bnn.param}, %b2: tensor<32xf32> {bnn.param},
    %w3: tensor<64x3x3x32xf32> {bnn.param}, %beta3: tensor<f32> {bnn.param},
    %g3: tensor<64xf32> {bnn.param}, %b3: tensor<64xf32> {bnn.param},
    %w4: tensor<128x3136xf32> {bnn.param}, %beta4: tensor<f32> {bnn.param},
    %g4: tensor<128xf32> {bnn.param}, %b4: tensor<128xf32> {bnn.param},
    %w5: tensor<128x10xf32> {bnn.param}, %bias5: tensor<10xf32> {bnn.param})
    -> (tensor<64x10xf32>, tensor<f32>) {
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

  // conv2: SQ.
  // delta2 = mean|W2| / (1 + sqrt(tan(beta2))), one per output channel.
  %sum2_init = tensor.empty() : tensor<f32>
  %sum2_zero = linalg.fill ins(%zero : f32) outs(%sum2_init : tensor<f32>) -> tensor<f32>
  %sum2 = linalg.generic {indexing_maps = [#all4, #none4], iterator_types = ["reduction", "reduction", "reduction", "reduction"]}
      ins(%w2 : tensor<32x3x3x16xf32>) outs(%sum2_zero : tensor<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %a = math.absf %x : f32
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %delta2_init = tensor.empty() : tensor<32xf32>
  %delta2 = linalg.generic {indexing_maps = [#vec_scalar, #vec_scalar, #vec], iterator_types = ["parallel"]}
      ins(%sum2, %beta2 : tensor<f32>, tensor<f32>) outs(%delta2_init : tensor<32xf32>) {
  ^bb0(%s: f32, %b: f32, %o: f32):
    %inv_n = arith.constant 2.170138889e-04 : f32
    %mean = arith.mulf %s, %inv_n : f32
    %t = math.tan %b : f32
    %r = math.sqrt %t : f32
    %d = arith.addf %r, %one : f32
    %delta = arith.divf %mean, %d : f32
    linalg.yield %delta : f32
  } -> tensor<32xf32>
  %q2 = bnn.ternary %w2, %delta2 : tensor<32x3x3x16xf32>, tensor<32xf32>
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

  // conv3: SQ.
  // delta3 = mean|W3| / (1 + sqrt(tan(beta3))), one per output channel.
  %sum3_init = tensor.empty() : tensor<f32>
  %sum3_zero = linalg.fill ins(%zero : f32) outs(%sum3_init : tensor<f32>) -> tensor<f32>
  %sum3 = linalg.generic {indexing_maps = [#all4, #none4], iterator_types = ["reduction", "reduction", "reduction", "reduction"]}
      ins(%w3 : tensor<64x3x3x32xf32>) outs(%sum3_zero : tensor<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %a = math.absf %x : f32
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %delta3_init = tensor.empty() : tensor<64xf32>
  %delta3 = linalg.generic {indexing_maps = [#vec_scalar, #vec_scalar, #vec], iterator_types = ["parallel"]}
      ins(%sum3, %beta3 : tensor<f32>, tensor<f32>) outs(%delta3_init : tensor<64xf32>) {
  ^bb0(%s: f32, %b: f32, %o: f32):
    %inv_n = arith.constant 5.425347222e-05 : f32
    %mean = arith.mulf %s, %inv_n : f32
    %t = math.tan %b : f32
    %r = math.sqrt %t : f32
    %d = arith.addf %r, %one : f32
    %delta = arith.divf %mean, %d : f32
    linalg.yield %delta : f32
  } -> tensor<64xf32>
  %q3 = bnn.ternary %w3, %delta3 : tensor<64x3x3x32xf32>, tensor<64xf32>
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

  // dense4: SQ, weight [O, K].
  // delta4 = mean|W4| / (1 + sqrt(tan(beta4))), one per output channel.
  %sum4_init = tensor.empty() : tensor<f32>
  %sum4_zero = linalg.fill ins(%zero : f32) outs(%sum4_init : tensor<f32>) -> tensor<f32>
  %sum4 = linalg.generic {indexing_maps = [#all2, #none2], iterator_types = ["reduction", "reduction"]}
      ins(%w4 : tensor<128x3136xf32>) outs(%sum4_zero : tensor<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %a = math.absf %x : f32
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %delta4_init = tensor.empty() : tensor<128xf32>
  %delta4 = linalg.generic {indexing_maps = [#vec_scalar, #vec_scalar, #vec], iterator_types = ["parallel"]}
      ins(%sum4, %beta4 : tensor<f32>, tensor<f32>) outs(%delta4_init : tensor<128xf32>) {
  ^bb0(%s: f32, %b: f32, %o: f32):
    %inv_n = arith.constant 2.491230867e-06 : f32
    %mean = arith.mulf %s, %inv_n : f32
    %t = math.tan %b : f32
    %r = math.sqrt %t : f32
    %d = arith.addf %r, %one : f32
    %delta = arith.divf %mean, %d : f32
    linalg.yield %delta : f32
  } -> tensor<128xf32>
  %q4 = bnn.ternary %w4, %delta4 : tensor<128x3136xf32>, tensor<128xf32>
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

  // The penalty: each layer's regularizer, plus a depth cost of
  // 0.05 * (the SQ layers' average bits per weight), with
  // bits(beta) = 2 - (beta - pi/4) / (pi/4) per layer (2 at pi/4, ternary;
  // 1 at pi/2, binary) weighted by the layer's share of the weights
  // (conv2 4608, conv3 18432, dense4 401408 of 424448). Its pull on each
  // beta, which the regularizer resists where the layer's weights sit at
  // zero, is proportional to what the layer's depth costs in memory.
  %r2 = bnn.sq_regularizer %w2, %beta2 : tensor<32x3x3x16xf32>, tensor<f32>
  %r3 = bnn.sq_regularizer %w3, %beta3 : tensor<64x3x3x32xf32>, tensor<f32>
  %r4 = bnn.sq_regularizer %w4, %beta4 : tensor<128x3136xf32>, tensor<f32>
  %pen_init = tensor.empty() : tensor<f32>
  %penalty = linalg.generic {indexing_maps = [#scalar, #scalar, #scalar, #scalar, #scalar, #scalar, #scalar], iterator_types = []}
      ins(%r2, %r3, %r4, %beta2, %beta3, %beta4 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
      outs(%pen_init : tensor<f32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %x: f32, %y: f32, %z: f32, %o: f32):
    %rho = arith.constant 0.05 : f32
    %four_over_pi = arith.constant 1.27323954 : f32
    %three = arith.constant 3.0 : f32
    %share2 = arith.constant 0.0108564 : f32
    %share3 = arith.constant 0.0434258 : f32
    %share4 = arith.constant 0.9457178 : f32
    %r23 = arith.addf %a, %b : f32
    %r = arith.addf %r23, %c : f32
    // bits(beta) = 3 - (4 / pi) beta
    %sx = arith.mulf %x, %four_over_pi : f32
    %sy = arith.mulf %y, %four_over_pi : f32
    %sz = arith.mulf %z, %four_over_pi : f32
    %bx = arith.subf %three, %sx : f32
    %by = arith.subf %three, %sy : f32
    %bz = arith.subf %three, %sz : f32
    %wx = arith.mulf %bx, %share2 : f32
    %wy = arith.mulf %by, %share3 : f32
    %wz = arith.mulf %bz, %share4 : f32
    %wxy = arith.addf %wx, %wy : f32
    %bits = arith.addf %wxy, %wz : f32
    %cost = arith.mulf %bits, %rho : f32
    %p = arith.addf %r, %cost : f32
    linalg.yield %p : f32
  } -> tensor<f32>
  return %logits, %penalty : tensor<64x10xf32>, tensor<f32>
}
