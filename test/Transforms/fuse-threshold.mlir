// RUN: bnn-opt %s -split-input-file -bnn-fuse-threshold -verify-diagnostics | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#ch = affine_map<(d0, d1) -> (d1)>

// Batch norm y = (acc - mean) * gamma + beta per channel, then sign:
//   ch0: gamma 2, mean 0.5   -> +1 iff acc >= 1        threshold 1
//   ch1: gamma -3, mean 0.5  -> +1 iff acc <= 0        filter flipped, -acc >= 0
//   ch2: gamma 0, beta 1     -> always +1              INT32_MIN
//   ch3: gamma 0, beta -1    -> always -1              INT32_MAX
// Channel 1's filter word 10 = 0b1010 flips its 4 logical bits: 5.
// CHECK-LABEL: func @batch_norm_sign
// CHECK: %[[F:.+]] = arith.constant dense<{{\[}}[5], [5], [3], [12]]> : tensor<4x1xi64>
// CHECK: %[[ACC:.+]] = bnn.bdense %{{.*}}, %[[F]] size = 4
// CHECK-NOT: bnn.scale
// CHECK-NOT: linalg.generic
// CHECK-NOT: bnn.sign
// CHECK: %[[T:.+]] = arith.constant dense<[1, 0, -2147483648, 2147483647]> : tensor<4xi32>
// CHECK: %[[P:.+]] = bnn.threshold %[[ACC]], %[[T]] : tensor<2x4xi32>, tensor<4xi32> -> tensor<2x1xi64>
// CHECK: return %[[P]]
func.func @batch_norm_sign(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5], [10], [3], [12]]> : tensor<4x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<4x1xi64> -> tensor<2x4xi32>
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %y = bnn.scale %acc, %one, %zero : tensor<2x4xi32>, tensor<4xf32>, tensor<4xf32>
  %mean = arith.constant dense<[0.5, 0.5, 0.0, 0.0]> : tensor<4xf32>
  %gamma = arith.constant dense<[2.0, -3.0, 0.0, 0.0]> : tensor<4xf32>
  %beta = arith.constant dense<[0.0, 0.0, 1.0, -1.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %bn = linalg.generic {indexing_maps = [#id, #ch, #ch, #ch, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %mean, %gamma, %beta : tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%v: f32, %m: f32, %g: f32, %b: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    %s = arith.mulf %d, %g : f32
    %r = arith.addf %s, %b : f32
    linalg.yield %r : f32
  } -> tensor<2x4xf32>
  %s = bnn.sign %bn : tensor<2x4xf32>
  %p = bnn.pack %s : tensor<2x4xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

// The scale alone, without batch norm and without the sign (pack reads the
// sign plane directly): y = 0.5 acc - 1.25 >= 0 iff acc >= 3 (acc = 2.5
// impossible). Inference form with sqrt: (acc - 1) / sqrt(3 + 1) >= 0.
// CHECK-LABEL: func @scale_only
// CHECK: %[[T:.+]] = arith.constant dense<[3, 1]> : tensor<2xi32>
// CHECK: bnn.threshold %{{.*}}, %[[T]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch4 = affine_map<(d0, d1, d2, d3) -> (d3)>
func.func @scale_only(%x: tensor<1x3x3x1xi32>) -> tensor<1x3x3x1xi32> {
  %f = arith.constant dense<[[[[1]]], [[[2]]]]> : tensor<2x1x1x1xi32>
  %acc = bnn.bconv2d %x, %f channels_in = 8 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x3x3x1xi32>, tensor<2x1x1x1xi32> -> tensor<1x3x3x2xi32>
  %m = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %b = arith.constant dense<[-1.25, 0.0]> : tensor<2xf32>
  %y = bnn.scale %acc, %m, %b : tensor<1x3x3x2xi32>, tensor<2xf32>, tensor<2xf32>
  %mean = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %var = arith.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<1x3x3x2xf32>
  %bn = linalg.generic {indexing_maps = [#id4, #ch4, #ch4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y, %mean, %var : tensor<1x3x3x2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<1x3x3x2xf32>) {
  ^bb0(%v: f32, %mu: f32, %va: f32, %o: f32):
    %eps = arith.constant 1.0 : f32
    %d = arith.subf %v, %mu : f32
    %ve = arith.addf %va, %eps : f32
    %sd = math.sqrt %ve : f32
    %n = arith.divf %d, %sd : f32
    linalg.yield %n : f32
  } -> tensor<1x3x3x2xf32>
  %p = bnn.pack %bn : tensor<1x3x3x2xf32> -> tensor<1x3x3x1xi32>
  return %p : tensor<1x3x3x1xi32>
}

// -----

// Max pool of signs (init -inf) becomes an AND of packed bits, and the pack
// it exposes fuses into the threshold.
// CHECK-LABEL: func @maxpool_of_signs
// CHECK: %[[ACC:.+]] = bnn.bconv2d
// CHECK: %[[T:.+]] = bnn.threshold %[[ACC]], %{{.*}} : tensor<1x4x4x2xi32>, tensor<2xi32> -> tensor<1x4x4x1xi64>
// CHECK: %[[M:.+]] = bnn.bmaxpool2d %[[T]] kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0] : tensor<1x4x4x1xi64> -> tensor<1x2x2x1xi64>
// CHECK: return %[[M]]
func.func @maxpool_of_signs(%x: tensor<1x4x4x1xi64>) -> tensor<1x2x2x1xi64> {
  %f = arith.constant dense<[[[[1]]], [[[2]]]]> : tensor<2x1x1x1xi64>
  %acc = bnn.bconv2d %x, %f channels_in = 3 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x4x4x1xi64>, tensor<2x1x1x1xi64> -> tensor<1x4x4x2xi32>
  %m = arith.constant dense<1.0> : tensor<2xf32>
  %b = arith.constant dense<0.5> : tensor<2xf32>
  %y = bnn.scale %acc, %m, %b : tensor<1x4x4x2xi32>, tensor<2xf32>, tensor<2xf32>
  %s = bnn.sign %y : tensor<1x4x4x2xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%s, %win : tensor<1x4x4x2xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %p = bnn.pack %pool : tensor<1x2x2x2xf32> -> tensor<1x2x2x1xi64>
  return %p : tensor<1x2x2x1xi64>
}

// -----

// A pool whose init is 0 would turn -1 into 0 (+1): not an AND of signs.
func.func @maxpool_zero_init(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x1xi64> {
  %s = bnn.sign %x : tensor<1x4x4x2xf32>
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %init = linalg.fill ins(%c0 : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%s, %win : tensor<1x4x4x2xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  // expected-remark @+1 {{max pool not packed: the pool's init is not a fill with a value <= -1}}
  %p = bnn.pack %pool : tensor<1x2x2x2xf32> -> tensor<1x2x2x1xi64>
  return %p : tensor<1x2x2x1xi64>
}

// -----

// The scale's result has another user: fusing would leave it computed twice.
func.func @multi_use(%x: tensor<2x1xi64>) -> (tensor<2x1xi64>, tensor<2x4xf32>) {
  %f = arith.constant dense<[[5], [10], [3], [12]]> : tensor<4x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<4x1xi64> -> tensor<2x4xi32>
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %y = bnn.scale %acc, %one, %one : tensor<2x4xi32>, tensor<4xf32>, tensor<4xf32>
  %s = bnn.sign %y : tensor<2x4xf32>
  // expected-remark @+1 {{not fused into a threshold: an intermediate float value has other users}}
  %p = bnn.pack %s : tensor<2x4xf32> -> tensor<2x1xi64>
  return %p, %y : tensor<2x1xi64>, tensor<2x4xf32>
}

// -----

// A channel that must be flipped when the accumulator has other users.
func.func @flip_multi_use_acc(%x: tensor<2x1xi64>) -> (tensor<2x1xi64>, tensor<2x1xi32>) {
  %f = arith.constant dense<[[5]]> : tensor<1x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<1x1xi64> -> tensor<2x1xi32>
  %m = arith.constant dense<-1.0> : tensor<1xf32>
  %b = arith.constant dense<0.5> : tensor<1xf32>
  %y = bnn.scale %acc, %m, %b : tensor<2x1xi32>, tensor<1xf32>, tensor<1xf32>
  // expected-remark @+1 {{not fused into a threshold: a channel needs flipped filter bits but the accumulator has other users}}
  %p = bnn.pack %y : tensor<2x1xf32> -> tensor<2x1xi64>
  return %p, %acc : tensor<2x1xi64>, tensor<2x1xi32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// y = acc * acc - 2 is positive at both ends: no single threshold.
func.func @not_monotone(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5]]> : tensor<1x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<1x1xi64> -> tensor<2x1xi32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %y = bnn.scale %acc, %one, %zero : tensor<2x1xi32>, tensor<1xf32>, tensor<1xf32>
  %e = tensor.empty() : tensor<2x1xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<2x1xf32>) outs(%e : tensor<2x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %p = arith.mulf %v, %v : f32
    %r = arith.subf %p, %two : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  // expected-remark @+1 {{not fused into a threshold: the sign of channel 0 is not monotone in the accumulator}}
  %p = bnn.pack %sq : tensor<2x1xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// An exponential between the layers is not a step the solver evaluates.
func.func @unsupported_step(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5]]> : tensor<1x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<1x1xi64> -> tensor<2x1xi32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %y = bnn.scale %acc, %one, %one : tensor<2x1xi32>, tensor<1xf32>, tensor<1xf32>
  %e = tensor.empty() : tensor<2x1xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<2x1xf32>) outs(%e : tensor<2x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  // expected-remark @+1 {{not fused into a threshold: a step between the layers uses 'math.exp' (supported: addf, subf, mulf, divf, negf, sqrt, maximumf, minimumf, cmpf and select, without fast-math flags)}}
  %p = bnn.pack %relu : tensor<2x1xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

// A float layer's pack (no bnn.scale behind it) is left alone silently.
// CHECK-LABEL: func @float_layer_pack
// CHECK: bnn.pack
// CHECK-NOT: bnn.threshold
func.func @float_layer_pack(%x: tensor<2x4xf32>) -> tensor<2x1xi64> {
  %s = bnn.sign %x : tensor<2x4xf32>
  %p = bnn.pack %s : tensor<2x4xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

// A flatten whose rows are not whole words (3 channels in i64 words), after
// a max pool of the signs: the accumulators are max-pooled as integers
// (padding and init INT32_MIN), flattened, and compared with thresholds
// tiled over the pixels (channel = k mod 3):
//   ch0: acc - 0.5 >= 0    iff acc >= 1
//   ch1: -acc - 1.5 >= 0   iff acc <= -2: filter bits flip, -acc >= 2
//   ch2: acc + 1.5 >= 0    iff acc >= -1
// CHECK-LABEL: func @flatten_after_pool
// CHECK: %[[ACC:.+]] = bnn.bconv2d
// CHECK: %[[MIN:.+]] = arith.constant -2147483648 : i32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[MIN]] : i32)
// CHECK: %[[POOL:.+]] = linalg.pooling_nhwc_max {{.*}} ins(%[[ACC]], %{{.*}} : tensor<1x4x4x3xi32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2x2x3xi32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[POOL]] {{\[}}[0], [1, 2, 3]] : tensor<1x2x2x3xi32> into tensor<1x12xi32>
// CHECK: %[[T:.+]] = arith.constant dense<[1, 2, -1, 1, 2, -1, 1, 2, -1, 1, 2, -1]> : tensor<12xi32>
// CHECK: %[[P:.+]] = bnn.threshold %[[FLAT]], %[[T]] : tensor<1x12xi32>, tensor<12xi32> -> tensor<1x1xi64>
// CHECK: return %[[P]]
func.func @flatten_after_pool(%x: tensor<1x4x4x1xi64>) -> tensor<1x1xi64> {
  %f = arith.constant dense<[[[[1]]], [[[2]]], [[[4]]]]> : tensor<3x1x1x1xi64>
  %acc = bnn.bconv2d %x, %f channels_in = 3 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x4x4x1xi64>, tensor<3x1x1x1xi64> -> tensor<1x4x4x3xi32>
  %m = arith.constant dense<[1.0, -1.0, 1.0]> : tensor<3xf32>
  %b = arith.constant dense<[-0.5, -1.5, 1.5]> : tensor<3xf32>
  %y = bnn.scale %acc, %m, %b : tensor<1x4x4x3xi32>, tensor<3xf32>, tensor<3xf32>
  %s = bnn.sign %y : tensor<1x4x4x3xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x2x3xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %pool = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%s, %win : tensor<1x4x4x3xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %flat = tensor.collapse_shape %pool [[0], [1, 2, 3]] : tensor<1x2x2x3xf32> into tensor<1x12xf32>
  %p = bnn.pack %flat : tensor<1x12xf32> -> tensor<1x1xi64>
  return %p : tensor<1x1xi64>
}

// -----

// A body that reads a constant defined outside it (canonicalize hoists body
// constants to the function): y = acc - 2.5, +1 iff acc >= 3.
// CHECK-LABEL: func @outside_constant
// CHECK: %[[T:.+]] = arith.constant dense<3> : tensor<1xi32>
// CHECK: bnn.threshold %{{.*}}, %[[T]]
func.func @outside_constant(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %shift = arith.constant 2.5 : f32
  %f = arith.constant dense<[[5]]> : tensor<1x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<1x1xi64> -> tensor<2x1xi32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %y = bnn.scale %acc, %one, %zero : tensor<2x1xi32>, tensor<1xf32>, tensor<1xf32>
  %e = tensor.empty() : tensor<2x1xf32>
  %bn = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<2x1xf32>) outs(%e : tensor<2x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.subf %v, %shift : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %s = bnn.sign %bn : tensor<2x1xf32>
  %p = bnn.pack %s : tensor<2x1xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

// A body that reads a value from outside that is not a constant.
func.func @outside_value(%x: tensor<2x1xi64>, %shift: f32) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5]]> : tensor<1x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<1x1xi64> -> tensor<2x1xi32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %y = bnn.scale %acc, %one, %zero : tensor<2x1xi32>, tensor<1xf32>, tensor<1xf32>
  %e = tensor.empty() : tensor<2x1xf32>
  %bn = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<2x1xf32>) outs(%e : tensor<2x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.subf %v, %shift : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %s = bnn.sign %bn : tensor<2x1xf32>
  // expected-remark @+1 {{not fused into a threshold: a step between the layers reads a value from outside that is not an f32 constant}}
  %p = bnn.pack %s : tensor<2x1xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

// Hardtanh and PReLU between the layer and the sign (maximumf, minimumf,
// cmpf + select): evaluated exactly per accumulator value.
//   ch0: t = acc - 0.5, hardtanh, PReLU slope 0.25: +1 iff acc >= 1
//   ch1: t = acc + 1.5, hardtanh, PReLU slope 2:    +1 iff acc >= -1
#idp = affine_map<(d0, d1) -> (d0, d1)>
#chp = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @hardtanh_prelu
// CHECK: %[[T:.+]] = arith.constant dense<[1, -1]> : tensor<2xi32>
// CHECK: bnn.threshold %{{.*}}, %[[T]]
// CHECK-NOT: linalg.generic
func.func @hardtanh_prelu(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5], [10]]> : tensor<2x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<2x1xi64> -> tensor<2x2xi32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %y = bnn.scale %acc, %one, %zero : tensor<2x2xi32>, tensor<2xf32>, tensor<2xf32>
  %b = arith.constant dense<[-0.5, 1.5]> : tensor<2xf32>
  %sl = arith.constant dense<[0.25, 2.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %a = linalg.generic {indexing_maps = [#idp, #chp, #chp, #idp], iterator_types = ["parallel", "parallel"]}
      ins(%y, %b, %sl : tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%e : tensor<2x2xf32>) {
  ^bb0(%v: f32, %bb: f32, %slope: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m1 = arith.constant -1.0 : f32
    %p1 = arith.constant 1.0 : f32
    %t = arith.addf %v, %bb : f32
    %h = arith.maximumf %t, %m1 : f32
    %h2 = arith.minimumf %h, %p1 : f32
    %neg = arith.cmpf olt, %h2, %z : f32
    %sc = arith.mulf %h2, %slope : f32
    %r = arith.select %neg, %sc, %h2 : f32
    linalg.yield %r : f32
  } -> tensor<2x2xf32>
  %s = bnn.sign %a : tensor<2x2xf32>
  %p = bnn.pack %s : tensor<2x2xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}

// -----

// A PReLU with a negative slope, then a shift, is not monotone: the sign is
// +1 for acc <= -1, -1 at 0, +1 from 1 on. Not fused, with a remark.
#idq = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @prelu_not_monotone
// CHECK: linalg.generic
// CHECK-NOT: bnn.threshold
func.func @prelu_not_monotone(%x: tensor<2x1xi64>) -> tensor<2x1xi64> {
  %f = arith.constant dense<[[5]]> : tensor<1x1xi64>
  %acc = bnn.bdense %x, %f size = 4 : tensor<2x1xi64>, tensor<1x1xi64> -> tensor<2x1xi32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %y = bnn.scale %acc, %one, %zero : tensor<2x1xi32>, tensor<1xf32>, tensor<1xf32>
  %e = tensor.empty() : tensor<2x1xf32>
  %a = linalg.generic {indexing_maps = [#idq, #idq], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<2x1xf32>) outs(%e : tensor<2x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %slope = arith.constant -2.0 : f32
    %shift = arith.constant -0.5 : f32
    %neg = arith.cmpf olt, %v, %z : f32
    %sc = arith.mulf %v, %slope : f32
    %pr = arith.select %neg, %sc, %v : f32
    %r = arith.addf %pr, %shift : f32
    linalg.yield %r : f32
  } -> tensor<2x1xf32>
  %s = bnn.sign %a : tensor<2x1xf32>
  // expected-remark @+1 {{not fused into a threshold: the sign of channel 0 is not monotone in the accumulator}}
  %p = bnn.pack %s : tensor<2x1xf32> -> tensor<2x1xi64>
  return %p : tensor<2x1xi64>
}
