// Smooth gradient rules, checked by harness.cpp against central finite
// differences of the compiled loss (softmax cross-entropy).

#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>
#c4 = affine_map<(n, h, w, c) -> (c)>
#nk = affine_map<(n, k) -> (n, k)>

// A strided, dilated convolution on a padded input, a bias, tanh, a sum
// pool, flatten and a dense layer: the CNN skeleton of a training model.
func.func @cnn(%x: tensor<2x9x8x3xf32>, %w: tensor<5x3x3x3xf32> {bnn.param}, %b: tensor<5xf32> {bnn.param}, %d: tensor<20x4xf32> {bnn.param}) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %xp = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x9x8x3xf32> to tensor<2x11x9x3xf32>
  %ce = tensor.empty() : tensor<2x4x3x5xf32>
  %cz = linalg.fill ins(%zero : f32) outs(%ce : tensor<2x4x3x5xf32>) -> tensor<2x4x3x5xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[2, 3]> : tensor<2xi64>}
      ins(%xp, %w : tensor<2x11x9x3xf32>, tensor<5x3x3x3xf32>) outs(%cz : tensor<2x4x3x5xf32>) -> tensor<2x4x3x5xf32>
  %ae = tensor.empty() : tensor<2x4x3x5xf32>
  %a = linalg.generic {indexing_maps = [#nhwc, #c4, #nhwc], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c, %b : tensor<2x4x3x5xf32>, tensor<5xf32>) outs(%ae : tensor<2x4x3x5xf32>) {
  ^bb0(%v: f32, %bias: f32, %o: f32):
    %s = arith.addf %v, %bias : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<2x4x3x5xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %pe = tensor.empty() : tensor<2x2x2x5xf32>
  %pz = linalg.fill ins(%zero : f32) outs(%pe : tensor<2x2x2x5xf32>) -> tensor<2x2x2x5xf32>
  %p = linalg.pooling_nhwc_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
      ins(%a, %k : tensor<2x4x3x5xf32>, tensor<2x2xf32>) outs(%pz : tensor<2x2x2x5xf32>) -> tensor<2x2x2x5xf32>
  %flat = tensor.collapse_shape %p [[0], [1, 2, 3]] : tensor<2x2x2x5xf32> into tensor<2x20xf32>
  %ye = tensor.empty() : tensor<2x4xf32>
  %yz = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = linalg.matmul ins(%flat, %d : tensor<2x20xf32>, tensor<20x4xf32>) outs(%yz : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// A BiTAT weight expression on its smooth path (the transform), elementwise
// ops with exp, log, div, sqrt and a matrix product of two parameters.
func.func @transform(%x: tensor<3x4xf32>, %v: tensor<6x4xf32> {bnn.param}, %q: tensor<4x4xf32> {bnn.param}) -> tensor<3x6xf32> {
  %zero = arith.constant 0.0 : f32
  %t = bnn.orthonormal_transform %v, %q axis = 1 transpose = true : tensor<6x4xf32>, tensor<4x4xf32>
  %e = tensor.empty() : tensor<6x4xf32>
  %g = linalg.generic {indexing_maps = [#nk, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<6x4xf32>) outs(%e : tensor<6x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %two = arith.constant 2.0 : f32
    %sq = arith.mulf %a, %a : f32
    %den = arith.addf %sq, %two : f32
    %ex = math.exp %a : f32
    %lg = math.log %den : f32
    %r = math.sqrt %den : f32
    %q1 = arith.divf %ex, %r : f32
    %s = arith.subf %q1, %lg : f32
    %n = arith.negf %s : f32
    %res = arith.addf %n, %one : f32
    linalg.yield %res : f32
  } -> tensor<6x4xf32>
  %te = tensor.empty() : tensor<4x6xf32>
  %tt = linalg.transpose ins(%g : tensor<6x4xf32>) outs(%te : tensor<4x6xf32>) permutation = [1, 0]
  %ye = tensor.empty() : tensor<3x6xf32>
  %yz = linalg.fill ins(%zero : f32) outs(%ye : tensor<3x6xf32>) -> tensor<3x6xf32>
  %y = linalg.matmul ins(%x, %tt : tensor<3x4xf32>, tensor<4x6xf32>) outs(%yz : tensor<3x6xf32>) -> tensor<3x6xf32>
  return %y : tensor<3x6xf32>
}

// bnn.batch_norm on batch statistics: gradients for x, gamma and beta, and
// the batch statistics the gradient function returns after them.
func.func @bn(%x: tensor<2x3x3x4xf32> {bnn.param}, %g: tensor<4xf32> {bnn.param}, %b: tensor<4xf32> {bnn.param}) -> tensor<2x36xf32> {
  %y = bnn.batch_norm %x, %g, %b : tensor<2x3x3x4xf32>, tensor<4xf32>, tensor<4xf32>
  %c = tensor.collapse_shape %y [[0], [1, 2, 3]] : tensor<2x3x3x4xf32> into tensor<2x36xf32>
  return %c : tensor<2x36xf32>
}
