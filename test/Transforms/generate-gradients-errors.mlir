// RUN: bnn-opt %s -split-input-file -bnn-generate-gradients -verify-diagnostics
// RUN: not bnn-opt %s -split-input-file -bnn-generate-gradients=loss=hinge 2>&1 | FileCheck %s --check-prefix=LOSS
// LOSS: bnn-generate-gradients: unknown loss 'hinge' (expected softmax-cross-entropy or mse)

// An op without a gradient rule (a depthwise convolution).
func.func @no_rule(%x: tensor<1x5x5x2xf32>, %w: tensor<3x3x2xf32> {bnn.param}) -> tensor<1x18xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x3x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  // expected-error @+1 {{bnn-generate-gradients: no gradient rule for 'linalg.depthwise_conv_2d_nhwc_hwc'}}
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x5x5x2xf32>, tensor<3x3x2xf32>) outs(%z : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %r = tensor.collapse_shape %c [[0], [1, 2, 3]] : tensor<1x3x3x2xf32> into tensor<1x18xf32>
  return %r : tensor<1x18xf32>
}

// -----

// A reduction that does not combine with a sum (a max).
#nk = affine_map<(n, k) -> (n, k)>
#n = affine_map<(n, k) -> (n)>
func.func @max_reduction(%w: tensor<2x3xf32> {bnn.param}) -> tensor<2x1xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  // expected-error @+1 {{cannot differentiate 'linalg.generic': a reduction must combine with a sum (out + term)}}
  %m = linalg.generic {indexing_maps = [#nk, #n], iterator_types = ["parallel", "reduction"]} ins(%w : tensor<2x3xf32>) outs(%f : tensor<2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<2xf32>
  %b = tensor.expand_shape %m [[0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  return %b : tensor<2x1xf32>
}

// -----

// An operand read through a map that is not a projected permutation.
func.func @not_projected(%w: tensor<2x2xf32> {bnn.param}) -> tensor<2x2xf32> {
  %e = tensor.empty() : tensor<2x2xf32>
  // expected-error @+1 {{cannot differentiate 'linalg.generic' with respect to operand #0: its indexing map affine_map<(d0, d1) -> (d0, 0)> is not a projected permutation}}
  %y = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, 0)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A body op without a derivative rule.
func.func @body_without_rule(%w: tensor<2x3xf32> {bnn.param}) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  // expected-error @+1 {{cannot differentiate 'math.sin' in the body of 'linalg.generic': no derivative rule for it}}
  %y = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.sin %a : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A region reading a parameter-dependent value from above.
func.func @captured(%w: tensor<2x3xf32> {bnn.param}) -> tensor<2x3xf32> {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %w[%c0, %c0] : tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<2x3xf32>) {
  ^bb0(%o: f32):
    // expected-error @+1 {{bnn-generate-gradients: 'linalg.generic' reads a value that depends on a parameter from above its region; pass it as an operand}}
    %s = arith.addf %v, %v : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// expected-error @+1 {{bnn-generate-gradients: 'bad_logits': the first result (the logits) must be a static N x K float tensor}}
func.func @bad_logits(%w: tensor<6xf32> {bnn.param}) -> tensor<6xf32> {
  return %w : tensor<6xf32>
}

// -----

// expected-error @+1 {{bnn-generate-gradients: 'bad_penalty': the second result (the penalty) must be a 0-d tensor of the logits' element type}}
func.func @bad_penalty(%w: tensor<2x3xf32> {bnn.param}) -> (tensor<2x3xf32>, tensor<1xf32>) {
  %p = tensor.extract_slice %w[0, 0] [1, 1] [1, 1] : tensor<2x3xf32> to tensor<1xf32>
  return %w, %p : tensor<2x3xf32>, tensor<1xf32>
}

// -----

// expected-error @+1 {{bnn-generate-gradients: 'int_param': parameter #0 is not a float tensor}}
func.func @int_param(%w: tensor<2x3xi32> {bnn.param}, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}

// -----

// expected-error @+1 {{bnn-generate-gradients: 'taken': a symbol 'taken_grad' exists already}}
func.func @taken(%w: tensor<2x3xf32> {bnn.param}) -> tensor<2x3xf32> {
  return %w : tensor<2x3xf32>
}
func.func private @taken_grad()

// -----

// A max pool whose init depends on a parameter.
func.func @pool_init(%x: tensor<1x4x4x1xf32> {bnn.param}, %i: tensor<1x2x2x1xf32> {bnn.param}) -> tensor<1x4xf32> {
  %k = tensor.empty() : tensor<2x2xf32>
  // expected-error @+1 {{cannot differentiate 'linalg.pooling_nhwc_max' with respect to its init (use a constant fill)}}
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %k : tensor<1x4x4x1xf32>, tensor<2x2xf32>) outs(%i : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %c = tensor.collapse_shape %p [[0], [1, 2, 3]] : tensor<1x2x2x1xf32> into tensor<1x4xf32>
  return %c : tensor<1x4xf32>
}
