// Non-smooth gradient rules, checked against lib/Reference's backward
// functions by harness.cpp (loss = mse: the harness forms dy = 2 (y - T) / n
// from the compiled forward and applies the reference backward to it).

func.func @sign_ste(%x: tensor<4x6xf32> {bnn.param}) -> tensor<4x6xf32> {
  %y = bnn.sign %x : tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}
func.func @sign_approx(%x: tensor<4x6xf32> {bnn.param}) -> tensor<4x6xf32> {
  %y = bnn.sign %x estimator = approx : tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}
func.func @sign_swish(%x: tensor<4x6xf32> {bnn.param}) -> tensor<4x6xf32> {
  %y = bnn.sign %x estimator = swish : tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}
func.func @sign_identity(%x: tensor<4x6xf32> {bnn.param}) -> tensor<4x6xf32> {
  %y = bnn.sign %x estimator = identity : tensor<4x6xf32>
  return %y : tensor<4x6xf32>
}

// BiTAT's binarization: importance-weighted sign of a 3-D weight.
func.func @importance(%x: tensor<5x2x3xf32> {bnn.param}, %s: tensor<2x3xf32> {bnn.param}) -> tensor<5x6xf32> {
  %y = bnn.importance_sign %x, %s estimator = approx : tensor<5x2x3xf32>, tensor<2x3xf32>
  %c = tensor.collapse_shape %y [[0], [1, 2]] : tensor<5x2x3xf32> into tensor<5x6xf32>
  return %c : tensor<5x6xf32>
}

// SQ's ternarization; delta is a data input (no gradient).
func.func @ternary(%delta: tensor<4xf32>, %x: tensor<4x7xf32> {bnn.param}) -> tensor<4x7xf32> {
  %y = bnn.ternary %x, %delta : tensor<4x7xf32>, tensor<4xf32>
  return %y : tensor<4x7xf32>
}

// SQ's regularizer as the penalty: gradients for w (through the logits and
// the penalty) and beta.
func.func @sq(%w: tensor<3x5xf32> {bnn.param}, %beta: tensor<f32> {bnn.param}) -> (tensor<3x5xf32>, tensor<f32>) {
  %r = bnn.sq_regularizer %w, %beta : tensor<3x5xf32>, tensor<f32>
  return %w, %r : tensor<3x5xf32>, tensor<f32>
}

// Max pool with ties (inputs of few distinct values), overlapping 3x3
// windows of stride 1 and 2x2 windows of stride 2.
func.func @maxpool(%x: tensor<2x5x6x3xf32> {bnn.param}) -> tensor<2x36xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %k = tensor.empty() : tensor<3x3xf32>
  %e = tensor.empty() : tensor<2x3x4x3xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<2x3x4x3xf32>) -> tensor<2x3x4x3xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %k : tensor<2x5x6x3xf32>, tensor<3x3xf32>) outs(%f : tensor<2x3x4x3xf32>) -> tensor<2x3x4x3xf32>
  %c = tensor.collapse_shape %p [[0], [1, 2, 3]] : tensor<2x3x4x3xf32> into tensor<2x36xf32>
  return %c : tensor<2x36xf32>
}
func.func @maxpool_s2(%x: tensor<1x4x6x2xf32> {bnn.param}) -> tensor<1x12xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %k = tensor.empty() : tensor<2x2xf32>
  %e = tensor.empty() : tensor<1x2x3x2xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %k : tensor<1x4x6x2xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2x3x2xf32>) -> tensor<1x2x3x2xf32>
  %c = tensor.collapse_shape %p [[0], [1, 2, 3]] : tensor<1x2x3x2xf32> into tensor<1x12xf32>
  return %c : tensor<1x12xf32>
}
