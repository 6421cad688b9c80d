// RUN: bnn-opt %s -split-input-file -bnn-normalize | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @sign_olt
// CHECK-NEXT:    %[[S:.*]] = bnn.sign %arg0 : tensor<2x8xf32>
// CHECK-NEXT:    return %[[S]]
func.func @sign_olt(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.constant -1.0 : f32
    %p = arith.constant 1.0 : f32
    %c = arith.cmpf olt, %a, %z : f32
    %s = arith.select %c, %m, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// Zero on the left, -0.0, unordered >=: the contract's sign at NaN too.
// CHECK-LABEL: func.func @sign_zero_left_ule
// CHECK-NEXT:    bnn.sign %arg0
func.func @sign_zero_left_ule(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %z = arith.constant -0.0 : f32
  %m = arith.constant -1.0 : f32
  %p = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.cmpf ule, %z, %a : f32
    %s = arith.select %c, %p, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// x >= 0 ? 1 : -1 (ordered) differs only at NaN (-1 there): a sign
// (docs/Decisions.md).
// CHECK-LABEL: func.func @sign_oge
// CHECK-NEXT:    bnn.sign %arg0
func.func @sign_oge(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %z = arith.constant 0.0 : f32
  %m = arith.constant -1.0 : f32
  %p = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.cmpf oge, %a, %z : f32
    %s = arith.select %c, %p, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// x > 0 ? 1 : -1 gives -1 at 0.
// CHECK-LABEL: func.func @sign_ogt_stays
// CHECK-NOT:     bnn.sign
// CHECK:         arith.cmpf ogt
func.func @sign_ogt_stays(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %z = arith.constant 0.0 : f32
  %m = arith.constant -1.0 : f32
  %p = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.cmpf ogt, %a, %z : f32
    %s = arith.select %c, %p, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// A select of other values than -1 and +1 is not a sign.
// CHECK-LABEL: func.func @select_two_stays
// CHECK-NOT:     bnn.sign
func.func @select_two_stays(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %z = arith.constant 0.0 : f32
  %m = arith.constant -2.0 : f32
  %p = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.cmpf olt, %a, %z : f32
    %s = arith.select %c, %m, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// math.copysign(1, x) gives -1 at -0.0: it stays.
// CHECK-LABEL: func.func @copysign_stays
// CHECK-NOT:     bnn.sign
// CHECK:         math.copysign
func.func @copysign_stays(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %p = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.copysign %p, %a : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// TOSA's greater_equal + select, lowered: a comparison generic, then a
// select generic.
// CHECK-LABEL: func.func @sign_two_generics
// CHECK-NEXT:    bnn.sign %arg0
// CHECK-NEXT:    return
func.func @sign_two_generics(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %ce = tensor.empty() : tensor<2x8xi1>
  %c = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%ce : tensor<2x8xi1>) {
  ^bb0(%a: f32, %o: i1):
    %z = arith.constant 0.0 : f32
    %v = arith.cmpf uge, %a, %z : f32
    linalg.yield %v : i1
  } -> tensor<2x8xi1>
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%c : tensor<2x8xi1>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: i1, %o: f32):
    %m = arith.constant -1.0 : f32
    %p = arith.constant 1.0 : f32
    %v = arith.select %a, %p, %m : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// TOSA lowering's form: the zero and the +-1 are 1x1 constant inputs read
// through broadcast maps.
// CHECK-LABEL: func.func @sign_broadcast_constants
// CHECK-NEXT:    bnn.sign %arg0
// CHECK-NEXT:    return
func.func @sign_broadcast_constants(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %zero = arith.constant dense<0.0> : tensor<1x1xf32>
  %one = arith.constant dense<1.0> : tensor<1x1xf32>
  %mone = arith.constant dense<-1.0> : tensor<1x1xf32>
  %ce = tensor.empty() : tensor<2x8xi1>
  %c = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (0, 0)>, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %zero : tensor<2x8xf32>, tensor<1x1xf32>) outs(%ce : tensor<2x8xi1>) {
  ^bb0(%a: f32, %b: f32, %o: i1):
    %v = arith.cmpf oge, %a, %b : f32
    linalg.yield %v : i1
  } -> tensor<2x8xi1>
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (0, 0)>, affine_map<(d0, d1) -> (0, 0)>, #id], iterator_types = ["parallel", "parallel"]} ins(%c, %one, %mone : tensor<2x8xi1>, tensor<1x1xf32>, tensor<1x1xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: i1, %p: f32, %m: f32, %o: f32):
    %v = arith.select %a, %p, %m : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK: #[[MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK: #[[NK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK: #[[MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @generic_matmul_nk
// CHECK:         linalg.matmul indexing_maps = [#[[MK]], #[[NK]], #[[MN]]] ins(%arg0, %arg1 : tensor<2x16xf32>, tensor<4x16xf32>)
// CHECK-NOT:     linalg.generic
func.func @generic_matmul_nk(%a: tensor<2x16xf32>, %b: tensor<4x16xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<2x16xf32>, tensor<4x16xf32>) outs(%c : tensor<2x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %q = arith.addf %o, %p : f32
    linalg.yield %q : f32
  } -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @generic_matmul_kn
// CHECK:         linalg.matmul ins(%arg0, %arg1 : tensor<2x16xf32>, tensor<16x4xf32>)
func.func @generic_matmul_kn(%a: tensor<2x16xf32>, %b: tensor<16x4xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<2x16xf32>, tensor<16x4xf32>) outs(%c : tensor<2x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %y, %x : f32
    %q = arith.addf %p, %o : f32
    linalg.yield %q : f32
  } -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// A max-plus "matmul" is not a matmul.
// CHECK-LABEL: func.func @generic_maxplus_stays
// CHECK-NOT:     linalg.matmul
// CHECK:         linalg.generic
func.func @generic_maxplus_stays(%a: tensor<2x16xf32>, %b: tensor<4x16xf32>, %c: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<2x16xf32>, tensor<4x16xf32>) outs(%c : tensor<2x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.addf %x, %y : f32
    %q = arith.maximumf %o, %p : f32
    linalg.yield %q : f32
  } -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @matvec_constant
// CHECK:         %[[X:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1]] output_shape [1, 16]
// CHECK:         %[[M:.*]] = linalg.matmul indexing_maps = [#[[MK]], #[[NK]], #[[MN]]] ins(%[[X]], %{{.*}} : tensor<1x16xf32>, tensor<4x16xf32>)
// CHECK:         tensor.collapse_shape %[[M]] {{\[\[}}0, 1]] : tensor<1x4xf32> into tensor<4xf32>
func.func @matvec_constant(%x: tensor<16xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x16xf32>
  %r = linalg.matvec ins(%w, %x : tensor<4x16xf32>, tensor<16xf32>) outs(%c : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @matvec_variable_stays
// CHECK:         linalg.matvec
func.func @matvec_variable_stays(%w: tensor<4x16xf32>, %x: tensor<16xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.matvec ins(%w, %x : tensor<4x16xf32>, tensor<16xf32>) outs(%c : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @transpose_constant
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT:    return %[[C]]
func.func @transpose_constant() -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) permutation = [1, 0]
  return %t : tensor<2x2xf32>
}

// CHECK-LABEL: func.func @transpose_argument_stays
// CHECK:         linalg.transpose
func.func @transpose_argument_stays(%w: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%w : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// -----

// A matmul into a broadcast bias: zeros, then the bias added after.
// CHECK-LABEL: func.func @matmul_bias_init
// CHECK:         %[[B:.*]] = linalg.broadcast
// CHECK:         %[[Z:.*]] = linalg.fill
// CHECK:         %[[M:.*]] = linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[Z]] :
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[B]] :
// CHECK:           arith.addf
// CHECK:         return %[[R]]
func.func @matmul_bias_init(%x: tensor<2x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %i = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e : tensor<2x4xf32>) dimensions = [0]
  %r = linalg.matmul ins(%x, %w : tensor<2x16xf32>, tensor<16x4xf32>) outs(%i : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// A zero init, and an init that is a function argument (an accumulator
// the caller passes), stay.
// CHECK-LABEL: func.func @matmul_zero_init_stays
// CHECK:         linalg.matmul
// CHECK-NOT:     linalg.generic
func.func @matmul_zero_init_stays(%x: tensor<2x16xf32>, %w: tensor<16x4xf32>) -> tensor<2x4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %r = linalg.matmul ins(%x, %w : tensor<2x16xf32>, tensor<16x4xf32>) outs(%i : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

// conv_2d_nhwc_hwcf: the filter transposed to FHWC (and folded).
// CHECK-LABEL: func.func @conv_hwcf
// CHECK:         %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<4x3x3x2xf32>
// CHECK:         linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%arg0, %[[W]] :
func.func @conv_hwcf(%x: tensor<1x7x7x2xf32>, %i: tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32> {
  %w = arith.constant dense<0.5> : tensor<3x3x2x4xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) outs(%i : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32>
  return %r : tensor<1x3x3x4xf32>
}

// NCHW: transposes around an NHWC convolution; the input transpose moves
// before the sign and the padding, the init's into the fill.
// CHECK-LABEL: func.func @conv_nchw_on_sign
// CHECK:         %[[T:.*]] = linalg.transpose ins(%arg0 : tensor<1x2x5x5xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:         %[[S:.*]] = bnn.sign %[[T]] : tensor<1x5x5x2xf32>
// CHECK:         %[[P:.*]] = tensor.pad %[[S]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:         %[[I:.*]] = linalg.fill
// CHECK:         %[[C:.*]] = linalg.conv_2d_nhwc_fhwc {{.*}} ins(%[[P]], %{{.*}} : tensor<1x7x7x2xf32>, tensor<4x3x3x2xf32>) outs(%[[I]] :
// CHECK:         linalg.transpose ins(%[[C]] : tensor<1x5x5x4xf32>) {{.*}} permutation = [0, 3, 1, 2]
func.func @conv_nchw_on_sign(%x: tensor<1x2x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %z = arith.constant 0.0 : f32
  %s = bnn.sign %x : tensor<1x2x5x5xf32>
  %p = tensor.pad %s low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a0: index, %a1: index, %a2: index, %a3: index):
    tensor.yield %z : f32
  } : tensor<1x2x5x5xf32> to tensor<1x2x7x7xf32>
  %w = arith.constant dense<0.5> : tensor<4x2x3x3xf32>
  %e = tensor.empty() : tensor<1x4x5x5xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>) outs(%i : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  return %r : tensor<1x4x5x5xf32>
}

// Between two NCHW layers, an elementwise layer on channel dimension 1
// becomes an NHWC one on dimension 3, and the transposes cancel.
// CHECK-LABEL: func.func @nchw_chain
// CHECK:         %[[C1:.*]] = linalg.conv_2d_nhwc_fhwc
// CHECK:         %[[G:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[CH:.*]], #{{.*}}]{{.*}} ins(%[[C1]], %{{.*}} : tensor<1x5x5x4xf32>, tensor<4xf32>)
// CHECK:         %[[S:.*]] = bnn.sign %[[G]] : tensor<1x5x5x4xf32>
// CHECK:         linalg.conv_2d_nhwc_fhwc {{.*}} ins(%[[S]],
// CHECK-COUNT-1: linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
func.func @nchw_chain(%x: tensor<1x2x7x7xf32>) -> tensor<1x4x3x3xf32> {
  %z = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.5> : tensor<4x2x3x3xf32>
  %e1 = tensor.empty() : tensor<1x4x5x5xf32>
  %i1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1 : tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>) outs(%i1 : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %m = arith.constant dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32>
  %eb = tensor.empty() : tensor<1x4x5x5xf32>
  %bn = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1, %m : tensor<1x4x5x5xf32>, tensor<4xf32>) outs(%eb : tensor<1x4x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<1x4x5x5xf32>
  %s = bnn.sign %bn : tensor<1x4x5x5xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x4x3x3xf32>
  %e2 = tensor.empty() : tensor<1x4x3x3xf32>
  %i2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%s, %w2 : tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) outs(%i2 : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %c2 : tensor<1x4x3x3xf32>
}

// -----

// An NCHW flatten before a dense layer with constant weights: the weight
// columns are permuted to NHWC order instead of transposing.
// CHECK-LABEL: func.func @flatten_nchw
// CHECK:         %[[W:.*]] = arith.constant dense<{{\[\[}}0.000000e+00, 2.000000e+00, 1.000000e+00, 3.000000e+00]]> : tensor<1x4xf32>
// CHECK:         %[[F:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0], [1, 2, 3]] : tensor<1x1x2x2xf32> into tensor<1x4xf32>
// CHECK:         linalg.matmul indexing_maps = {{.*}} ins(%[[F]], %[[W]] :
func.func @flatten_nchw(%x: tensor<1x1x2x2xf32>) -> tensor<1x1xf32> {
  // x is NHWC [1, H=1, W=2, C=2]; NCHW element c*2 + w is NHWC w*2 + c.
  %e = tensor.empty() : tensor<1x2x1x2xf32>
  %t = linalg.transpose ins(%x : tensor<1x1x2x2xf32>) outs(%e : tensor<1x2x1x2xf32>) permutation = [0, 3, 1, 2]
  %f = tensor.collapse_shape %t [[0], [1, 2, 3]] : tensor<1x2x1x2xf32> into tensor<1x4xf32>
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0]]> : tensor<1x4xf32>
  %z = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<1x1xf32>
  %i = linalg.fill ins(%z : f32) outs(%eo : tensor<1x1xf32>) -> tensor<1x1xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%f, %w : tensor<1x4xf32>, tensor<1x4xf32>) outs(%i : tensor<1x1xf32>) -> tensor<1x1xf32>
  return %r : tensor<1x1xf32>
}

// -----

// Elementwise generics on constants fold (rsqrt(var + eps)).
// CHECK-LABEL: func.func @fold_constant_generic
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<{{.*}}> : tensor<2xf32>
// CHECK-NEXT:    return %[[C]]
func.func @fold_constant_generic() -> tensor<2xf32> {
  %v = arith.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %e = tensor.empty() : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%v : tensor<2xf32>) outs(%e : tensor<2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.sqrt %a : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

// A convolution written as a generic becomes the named op upstream's
// specialization finds.
// CHECK-LABEL: func.func @generic_conv
// CHECK:         linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%arg0, %arg1 :
// CHECK-NOT:     linalg.generic
func.func @generic_conv(%x: tensor<1x9x9x8xf32>, %w: tensor<16x3x3x8xf32>, %i: tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(n, h, w, f, kh, kw, c) -> (n, h * 2 + kh, w * 2 + kw, c)>, affine_map<(n, h, w, f, kh, kw, c) -> (f, kh, kw, c)>, affine_map<(n, h, w, f, kh, kw, c) -> (n, h, w, f)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x9x9x8xf32>, tensor<16x3x3x8xf32>) outs(%i : tensor<1x4x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %q = arith.addf %o, %p : f32
    linalg.yield %q : f32
  } -> tensor<1x4x4x16xf32>
  return %r : tensor<1x4x4x16xf32>
}

// A batch matmul with the same constant matrix in every batch: one matmul
// on the rows of all batches.
// CHECK-LABEL: func.func @batch_matmul_shared
// CHECK:         %[[A:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x3x16xf32> into tensor<6x16xf32>
// CHECK:         %[[M:.*]] = linalg.matmul ins(%[[A]], %{{.*}} : tensor<6x16xf32>, tensor<16x4xf32>)
// CHECK:         tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 4]
func.func @batch_matmul_shared(%x: tensor<2x3x16xf32>, %i: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x16x4xf32>
  %r = linalg.batch_matmul ins(%x, %w : tensor<2x3x16xf32>, tensor<2x16x4xf32>) outs(%i : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %r : tensor<2x3x4xf32>
}

// Different matrices per batch: a real batch matmul, left alone.
// CHECK-LABEL: func.func @batch_matmul_distinct
// CHECK:         linalg.batch_matmul
func.func @batch_matmul_distinct(%x: tensor<2x3x2xf32>, %i: tensor<2x3x1xf32>) -> tensor<2x3x1xf32> {
  %w = arith.constant dense<[[[1.0], [2.0]], [[3.0], [4.0]]]> : tensor<2x2x1xf32>
  %r = linalg.batch_matmul ins(%x, %w : tensor<2x3x2xf32>, tensor<2x2x1xf32>) outs(%i : tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  return %r : tensor<2x3x1xf32>
}
