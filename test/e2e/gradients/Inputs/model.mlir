// A small training model of the kind bnn-train trains, checked whole by
// harness.cpp against a reference forward and backward composed from
// lib/Reference: a float first convolution (zero padding) with bias and
// batch norm on batch statistics (linalg), sign, a BiTAT convolution
// (importance_sign of an orthonormally transformed weight, padding with
// +1), batch norm, sign, max pool of the signs (exact ties), flatten, an SQ dense layer (ternary
// weights, sq_regularizer penalty) and a float classifier.

#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>
#c4 = affine_map<(n, h, w, c) -> (c)>
#c1 = affine_map<(c) -> (c)>
#s1 = affine_map<(c) -> ()>
#nk = affine_map<(n, k) -> (n, k)>
#k2 = affine_map<(n, k) -> (k)>
#mm_x = affine_map<(n, o, k) -> (n, k)>
#mm_wt = affine_map<(n, o, k) -> (o, k)>
#mm_y = affine_map<(n, o, k) -> (n, o)>
#scalar0 = affine_map<() -> ()>

func.func @model(%x: tensor<2x6x6x1xf32>, %delta3: tensor<5xf32>,
                 %w1: tensor<4x3x3x1xf32> {bnn.param}, %b1: tensor<4xf32> {bnn.param},
                 %g1: tensor<4xf32> {bnn.param}, %be1: tensor<4xf32> {bnn.param},
                 %w2: tensor<6x3x3x4xf32> {bnn.param}, %v2: tensor<4x4xf32> {bnn.param},
                 %s2: tensor<3x3x4xf32> {bnn.param},
                 %g2: tensor<6xf32> {bnn.param}, %be2: tensor<6xf32> {bnn.param},
                 %w3: tensor<5x54xf32> {bnn.param}, %beta3: tensor<f32> {bnn.param},
                 %w4: tensor<5x3xf32> {bnn.param}, %b4: tensor<3xf32> {bnn.param})
    -> (tensor<2x3xf32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %ninf = arith.constant 0xFF800000 : f32

  // conv1: float, zero padding, bias.
  %xp = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x6x6x1xf32> to tensor<2x8x8x1xf32>
  %c1e = tensor.empty() : tensor<2x6x6x4xf32>
  %c1z = linalg.fill ins(%zero : f32) outs(%c1e : tensor<2x6x6x4xf32>) -> tensor<2x6x6x4xf32>
  %c1 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xp, %w1 : tensor<2x8x8x1xf32>, tensor<4x3x3x1xf32>) outs(%c1z : tensor<2x6x6x4xf32>) -> tensor<2x6x6x4xf32>
  %h1 = linalg.generic {indexing_maps = [#nhwc, #c4, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1, %b1 : tensor<2x6x6x4xf32>, tensor<4xf32>) outs(%c1e : tensor<2x6x6x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x6x6x4xf32>
  // Batch norm on batch statistics over (n, h, w): n1.
  %n1_ce = tensor.empty() : tensor<4xf32>
  %n1_cz = linalg.fill ins(%zero : f32) outs(%n1_ce : tensor<4xf32>) -> tensor<4xf32>
  %n1_sum = linalg.generic {indexing_maps = [#nhwc, #c4], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%h1 : tensor<2x6x6x4xf32>) outs(%n1_cz : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %n1_mean = linalg.generic {indexing_maps = [#c1, #c1], iterator_types = ["parallel"]}
      ins(%n1_sum : tensor<4xf32>) outs(%n1_ce : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %inv = arith.constant 1.3888888889e-02 : f32
    %s = arith.mulf %a, %inv : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %n1_sq = linalg.generic {indexing_maps = [#nhwc, #c4, #c4], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%h1, %n1_mean : tensor<2x6x6x4xf32>, tensor<4xf32>) outs(%n1_cz : tensor<4xf32>) {
  ^bb0(%a: f32, %mu: f32, %o: f32):
    %d = arith.subf %a, %mu : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %o, %d2 : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %n1_e = tensor.empty() : tensor<2x6x6x4xf32>
  %n1 = linalg.generic {indexing_maps = [#nhwc, #c4, #c4, #c4, #c4, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h1, %n1_mean, %n1_sq, %g1, %be1 : tensor<2x6x6x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%n1_e : tensor<2x6x6x4xf32>) {
  ^bb0(%a: f32, %mu: f32, %sq: f32, %g: f32, %b: f32, %o: f32):
    %inv = arith.constant 1.3888888889e-02 : f32
    %eps = arith.constant 1.0e-05 : f32
    %var = arith.mulf %sq, %inv : f32
    %ve = arith.addf %var, %eps : f32
    %r = math.rsqrt %ve : f32
    %d = arith.subf %a, %mu : f32
    %xh = arith.mulf %d, %r : f32
    %sc = arith.mulf %xh, %g : f32
    %y = arith.addf %sc, %b : f32
    linalg.yield %y : f32
  } -> tensor<2x6x6x4xf32>
  %a1 = bnn.sign %n1 : tensor<2x6x6x4xf32>

  // conv2: BiTAT weight, padding with +1.
  %t2 = bnn.orthonormal_transform %w2, %v2 axis = 3 : tensor<6x3x3x4xf32>, tensor<4x4xf32>
  %wb2 = bnn.importance_sign %t2, %s2 : tensor<6x3x3x4xf32>, tensor<3x3x4xf32>
  %a1p = tensor.pad %a1 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<2x6x6x4xf32> to tensor<2x8x8x4xf32>
  %c2e = tensor.empty() : tensor<2x6x6x6xf32>
  %c2z = linalg.fill ins(%zero : f32) outs(%c2e : tensor<2x6x6x6xf32>) -> tensor<2x6x6x6xf32>
  %c2 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%a1p, %wb2 : tensor<2x8x8x4xf32>, tensor<6x3x3x4xf32>) outs(%c2z : tensor<2x6x6x6xf32>) -> tensor<2x6x6x6xf32>
  // Batch norm on batch statistics over (n, h, w): n2.
  %n2_ce = tensor.empty() : tensor<6xf32>
  %n2_cz = linalg.fill ins(%zero : f32) outs(%n2_ce : tensor<6xf32>) -> tensor<6xf32>
  %n2_sum = linalg.generic {indexing_maps = [#nhwc, #c4], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%c2 : tensor<2x6x6x6xf32>) outs(%n2_cz : tensor<6xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %n2_mean = linalg.generic {indexing_maps = [#c1, #c1], iterator_types = ["parallel"]}
      ins(%n2_sum : tensor<6xf32>) outs(%n2_ce : tensor<6xf32>) {
  ^bb0(%a: f32, %o: f32):
    %inv = arith.constant 1.3888888889e-02 : f32
    %s = arith.mulf %a, %inv : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %n2_sq = linalg.generic {indexing_maps = [#nhwc, #c4, #c4], iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%c2, %n2_mean : tensor<2x6x6x6xf32>, tensor<6xf32>) outs(%n2_cz : tensor<6xf32>) {
  ^bb0(%a: f32, %mu: f32, %o: f32):
    %d = arith.subf %a, %mu : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %o, %d2 : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %n2_e = tensor.empty() : tensor<2x6x6x6xf32>
  %n2 = linalg.generic {indexing_maps = [#nhwc, #c4, #c4, #c4, #c4, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c2, %n2_mean, %n2_sq, %g2, %be2 : tensor<2x6x6x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) outs(%n2_e : tensor<2x6x6x6xf32>) {
  ^bb0(%a: f32, %mu: f32, %sq: f32, %g: f32, %b: f32, %o: f32):
    %inv = arith.constant 1.3888888889e-02 : f32
    %eps = arith.constant 1.0e-05 : f32
    %var = arith.mulf %sq, %inv : f32
    %ve = arith.addf %var, %eps : f32
    %r = math.rsqrt %ve : f32
    %d = arith.subf %a, %mu : f32
    %xh = arith.mulf %d, %r : f32
    %sc = arith.mulf %xh, %g : f32
    %y = arith.addf %sc, %b : f32
    linalg.yield %y : f32
  } -> tensor<2x6x6x6xf32>
  %a2 = bnn.sign %n2 : tensor<2x6x6x6xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %pe = tensor.empty() : tensor<2x3x3x6xf32>
  %pz = linalg.fill ins(%ninf : f32) outs(%pe : tensor<2x3x3x6xf32>) -> tensor<2x3x3x6xf32>
  %p2 = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%a2, %k : tensor<2x6x6x6xf32>, tensor<2x2xf32>) outs(%pz : tensor<2x3x3x6xf32>) -> tensor<2x3x3x6xf32>
  %f2 = tensor.collapse_shape %p2 [[0], [1, 2, 3]] : tensor<2x3x3x6xf32> into tensor<2x54xf32>

  // dense3: SQ ternary weight [O, K].
  %wt3 = bnn.ternary %w3, %delta3 : tensor<5x54xf32>, tensor<5xf32>
  %d3e = tensor.empty() : tensor<2x5xf32>
  %d3z = linalg.fill ins(%zero : f32) outs(%d3e : tensor<2x5xf32>) -> tensor<2x5xf32>
  %d3 = linalg.generic {indexing_maps = [#mm_x, #mm_wt, #mm_y], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%f2, %wt3 : tensor<2x54xf32>, tensor<5x54xf32>) outs(%d3z : tensor<2x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x5xf32>

  // classifier: float dense with bias.
  %l4e = tensor.empty() : tensor<2x3xf32>
  %l4z = linalg.fill ins(%zero : f32) outs(%l4e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %l4 = linalg.matmul ins(%d3, %w4 : tensor<2x5xf32>, tensor<5x3xf32>) outs(%l4z : tensor<2x3xf32>) -> tensor<2x3xf32>
  %logits = linalg.generic {indexing_maps = [#nk, #k2, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%l4, %b4 : tensor<2x3xf32>, tensor<3xf32>) outs(%l4e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>

  // penalty: 0.1 * sq_regularizer(w3, beta3).
  %r = bnn.sq_regularizer %w3, %beta3 : tensor<5x54xf32>, tensor<f32>
  %pen_e = tensor.empty() : tensor<f32>
  %pen = linalg.generic {indexing_maps = [#scalar0, #scalar0], iterator_types = []}
      ins(%r : tensor<f32>) outs(%pen_e : tensor<f32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 0.1 : f32
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %logits, %pen : tensor<2x3xf32>, tensor<f32>
}
