// Threshold boundaries: bdense -> scale -> per-channel affine (batch norm
// form) -> sign -> pack, for every accumulator value the layer can give.
// Compiled with and without the compile-time passes (bnn-fuse-threshold
// turns the float chain into bnn.threshold), both must give the same bits.
// Channels (y as a function of acc; float rounding matters):
//   0: y = acc                          tie y = 0 at acc = 0 (+1)
//   1: y = (acc - 2) * -1               decreasing: filter bits flipped
//   2: y = acc * 0.1 - 0.3              rounds near acc = 3
//   3: y = (acc * 0.7 + 0.35) / 0.7     tie near acc = -0.5
//   4: y = acc * 0 + 1                  always +1
//   5: y = acc * 0 - 1                  always -1
//   6: y = ((acc - 1/3) / sqrt(1/9 + 0)) * 3 - 1e-7   close to acc = 1/3 + ...
//   7: y = acc * 1e-30 - 1e-45          underflow territory
#id = affine_map<(d0, d1) -> (d0, d1)>
#ch = affine_map<(d0, d1) -> (d1)>

func.func @THRESHOLD_8(%x: tensor<9x1xi64>) -> tensor<9x1xi64> {
  %f = arith.constant dense<[[0], [0], [0], [0], [0], [0], [0], [0]]> : tensor<8x1xi64>
  %acc = bnn.bdense %x, %f size = 8 : tensor<9x1xi64>, tensor<8x1xi64> -> tensor<9x8xi32>
  %m = arith.constant dense<[1.0, 1.0, 0.1, 0.7, 0.0, 0.0, 1.0, 1.0e-30]> : tensor<8xf32>
  %b = arith.constant dense<[0.0, 0.0, -0.3, 0.35, 1.0, -1.0, 0.0, -1.0e-45]> : tensor<8xf32>
  %y = bnn.scale %acc, %m, %b : tensor<9x8xi32>, tensor<8xf32>, tensor<8xf32>
  %mean = arith.constant dense<[0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.33333334, 0.0]> : tensor<8xf32>
  %var = arith.constant dense<[1.0, 1.0, 1.0, 0.49, 1.0, 1.0, 0.11111111, 1.0]> : tensor<8xf32>
  %gamma = arith.constant dense<[1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0]> : tensor<8xf32>
  %beta = arith.constant dense<[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0e-7, 0.0]> : tensor<8xf32>
  %e = tensor.empty() : tensor<9x8xf32>
  %bn = linalg.generic {indexing_maps = [#id, #ch, #ch, #ch, #ch, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %mean, %var, %gamma, %beta : tensor<9x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<9x8xf32>) {
  ^bb0(%v: f32, %mu: f32, %va: f32, %g: f32, %be: f32, %o: f32):
    %d = arith.subf %v, %mu : f32
    %sd = math.sqrt %va : f32
    %n = arith.divf %d, %sd : f32
    %s = arith.mulf %n, %g : f32
    %r = arith.addf %s, %be : f32
    linalg.yield %r : f32
  } -> tensor<9x8xf32>
  %s = bnn.sign %bn : tensor<9x8xf32>
  %p = bnn.pack %s : tensor<9x8xf32> -> tensor<9x1xi64>
  return %p : tensor<9x1xi64>
}

// Odd accumulators: 7 logical bits.
func.func @THRESHOLD_7(%x: tensor<8x1xi64>) -> tensor<8x1xi64> {
  %f = arith.constant dense<[[0], [0], [0], [0], [0], [0], [0], [0]]> : tensor<8x1xi64>
  %acc = bnn.bdense %x, %f size = 7 : tensor<8x1xi64>, tensor<8x1xi64> -> tensor<8x8xi32>
  %m = arith.constant dense<[1.0, 1.0, 0.1, 0.7, 0.0, 0.0, 1.0, 1.0e-30]> : tensor<8xf32>
  %b = arith.constant dense<[0.0, 0.0, -0.3, 0.35, 1.0, -1.0, 0.0, -1.0e-45]> : tensor<8xf32>
  %y = bnn.scale %acc, %m, %b : tensor<8x8xi32>, tensor<8xf32>, tensor<8xf32>
  %mean = arith.constant dense<[1.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.33333334, 0.0]> : tensor<8xf32>
  %var = arith.constant dense<[1.0, 1.0, 1.0, 0.49, 1.0, 1.0, 0.11111111, 1.0]> : tensor<8xf32>
  %gamma = arith.constant dense<[1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0]> : tensor<8xf32>
  %beta = arith.constant dense<[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0e-7, 0.0]> : tensor<8xf32>
  %e = tensor.empty() : tensor<8x8xf32>
  %bn = linalg.generic {indexing_maps = [#id, #ch, #ch, #ch, #ch, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %mean, %var, %gamma, %beta : tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%v: f32, %mu: f32, %va: f32, %g: f32, %be: f32, %o: f32):
    %d = arith.subf %v, %mu : f32
    %sd = math.sqrt %va : f32
    %n = arith.divf %d, %sd : f32
    %s = arith.mulf %n, %g : f32
    %r = arith.addf %s, %be : f32
    linalg.yield %r : f32
  } -> tensor<8x8xf32>
  %s = bnn.sign %bn : tensor<8x8xf32>
  %p = bnn.pack %s : tensor<8x8xf32> -> tensor<8x1xi64>
  return %p : tensor<8x1xi64>
}
