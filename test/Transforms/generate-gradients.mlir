// RUN: bnn-opt %s -split-input-file -bnn-generate-gradients -canonicalize | FileCheck %s

// A two-layer model: @NAME stays, @NAME_grad takes (data, labels, params)
// and returns (loss, one gradient per parameter, in order).
// CHECK-LABEL: func.func @mlp(
// CHECK-LABEL: func.func @mlp_grad(
// CHECK-SAME: %[[X:.+]]: tensor<4x8xf32>, %[[LABELS:.+]]: tensor<4xi32>, %[[W1:.+]]: tensor<8x16xf32>, %[[B1:.+]]: tensor<16xf32>, %[[W2:.+]]: tensor<16x3xf32>)
// CHECK-SAME: -> (tensor<f32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16x3xf32>)
// The forward ops, then the loss: row max, sum of exp, picked logit.
// CHECK: %[[H:.+]] = linalg.matmul ins(%[[X]], %[[W1]]
// CHECK: %[[ACT:.+]] = linalg.generic {{.*}} ins(%[[H]], %[[B1]]
// CHECK: %[[SIGN:.+]] = bnn.sign %[[ACT]]
// CHECK: %[[LOGITS:.+]] = linalg.matmul ins(%[[SIGN]], %[[W2]]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// The adjoint of the logits: (softmax - onehot) / N.
// CHECK: %[[DLOGITS:.+]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: arith.mulf %{{.*}}, %cst{{.*}}
// The second matmul: dSign = dLogits W2^T (reduction over the 3 logits),
// dW2 = Sign^T dLogits (reduction over the batch).
// CHECK: %[[DSIGN:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[SIGN]], %[[W2]], %[[DLOGITS]]
// CHECK: %[[DW2:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[SIGN]], %[[W2]], %[[DLOGITS]]
// bnn.sign (ste): dx = dy where |x| <= 1.
// CHECK: %[[DACT:.+]] = linalg.generic {{.*}} ins(%[[ACT]], %[[DSIGN]]
// CHECK: math.absf
// CHECK: arith.cmpf ole
// CHECK: arith.select
// The bias and tanh: d(x + b) = dy (1 - tanh^2); the bias sums over the batch.
// CHECK: %[[DH:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[H]], %[[B1]], %[[DACT]]
// CHECK: math.tanh
// CHECK: %[[DB1:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[H]], %[[B1]], %[[DACT]]
// CHECK: %[[DW1:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[X]], %[[W1]], %[[DH]]
// CHECK: return %{{.*}}, %[[DW1]], %[[DB1]], %[[DW2]]
#nk = affine_map<(n, k) -> (n, k)>
#k = affine_map<(n, k) -> (k)>
func.func @mlp(%x: tensor<4x8xf32>, %w1: tensor<8x16xf32> {bnn.param}, %b1: tensor<16xf32> {bnn.param}, %w2: tensor<16x3xf32> {bnn.param}) -> tensor<4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z : tensor<4x16xf32>) -> tensor<4x16xf32>
  %hb = linalg.generic {indexing_maps = [#nk, #k, #nk], iterator_types = ["parallel", "parallel"]} ins(%h, %b1 : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<4x16xf32>
  %sg = bnn.sign %hb : tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x3xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = linalg.matmul ins(%sg, %w2 : tensor<4x16xf32>, tensor<16x3xf32>) outs(%z2 : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// Each estimator of bnn.sign: approx (2 - 2|x| inside [-1, 1]), swish (the
// SignSwish derivative, through exp), identity (dy itself, no generic).
// CHECK-LABEL: func.func @estimators_grad(
// CHECK-SAME: %[[W:[^:]+]]: tensor<2x3xf32>)
// CHECK: %[[A:.+]] = bnn.sign %[[W]] estimator = approx
// CHECK: %[[DLOGITS:.+]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: %[[DA:.+]] = linalg.generic {{.*}} ins(%[[A]], %[[DLOGITS]] :
// CHECK: arith.negf
// CHECK-NEXT: math.exp
// CHECK: %[[DW:.+]] = linalg.generic {{.*}} ins(%[[W]], %[[DA]] :
// CHECK: math.absf
// CHECK-NEXT: arith.cmpf ole
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.subf
// CHECK: return %{{.*}}, %[[DW]]
func.func @estimators(%w: tensor<2x3xf32> {bnn.param}) -> tensor<2x3xf32> {
  %a = bnn.sign %w estimator = approx : tensor<2x3xf32>
  %s = bnn.sign %a estimator = swish : tensor<2x3xf32>
  %i = bnn.sign %s estimator = identity : tensor<2x3xf32>
  return %i : tensor<2x3xf32>
}

// -----

// A penalty (second result) adds to the loss; its adjoint is 1. A
// parameter that reaches nothing gets a zero gradient. Reshapes, slices and
// padding move the adjoint back.
// CHECK-LABEL: func.func @penalty_grad(
// CHECK-SAME: %{{.*}}: tensor<2xi32>, %[[W:.+]]: tensor<2x2x2xf32>, %[[UNUSED:.+]]: tensor<3xf32>)
// CHECK: %[[COLLAPSED:.+]] = tensor.collapse_shape %[[W]]
// CHECK: %[[PADDED:.+]] = tensor.pad %[[COLLAPSED]] low[0, 1] high[0, 1]
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[PADDED]][0, 0] [2, 3] [1, 1]
// CHECK: %[[LOSS:.+]] = linalg.generic
// The padding's adjoint: the slice of the inner elements.
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 3] [1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 4] [1, 1]
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]]
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: return %{{.*}}, %{{.*}}, %[[ZERO]]
#pk = affine_map<(n, k) -> (n, k)>
#ps = affine_map<(n, k) -> ()>
func.func @penalty(%w: tensor<2x2x2xf32> {bnn.param}, %unused: tensor<3xf32> {bnn.param}) -> (tensor<2x3xf32>, tensor<f32>) {
  %zero = arith.constant 0.0 : f32
  %c = tensor.collapse_shape %w [[0], [1, 2]] : tensor<2x2x2xf32> into tensor<2x4xf32>
  %p = tensor.pad %c low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x4xf32> to tensor<2x6xf32>
  %s = tensor.extract_slice %p[0, 0] [2, 3] [1, 1] : tensor<2x6xf32> to tensor<2x3xf32>
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %pen = linalg.generic {indexing_maps = [#pk, #ps], iterator_types = ["reduction", "reduction"]} ins(%c : tensor<2x4xf32>) outs(%f : tensor<f32>) {
  ^bb0(%a: f32, %o: f32):
    %sq = arith.mulf %a, %a : f32
    %r = arith.addf %o, %sq : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %s, %pen : tensor<2x3xf32>, tensor<f32>
}

// -----

// A strided convolution: both adjoints tap by tap, as matrix products on
// M = N * OH * OW rows: dx[tap] += dy[M, F] * w[:, kh, kw, :], added into the
// strided slice of dx the tap read; dW[:, kh, kw, :] = dy^T * x[tap].
// CHECK-LABEL: func.func @conv_grad(
// CHECK-SAME: %{{.*}}: tensor<1xi32>, %[[X:.+]]: tensor<1x5x5x2xf32>, %[[W:.+]]: tensor<3x2x2x2xf32>)
// CHECK: %[[DY:.+]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3]] : tensor<1x2x2x3xf32> into tensor<4x3xf32>
// CHECK: %[[DYT:.+]] = linalg.transpose ins(%[[DY]] : tensor<4x3xf32>)
// CHECK: %[[W00:.+]] = tensor.extract_slice %[[W]][0, 0, 0, 0] [3, 1, 1, 2] [1, 1, 1, 1] : tensor<3x2x2x2xf32> to tensor<3x2xf32>
// CHECK: linalg.matmul ins(%[[DY]], %[[W00]] : tensor<4x3xf32>, tensor<3x2xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [1, 2, 2, 2] [1, 2, 2, 1] : tensor<1x2x2x2xf32> into tensor<1x5x5x2xf32>
// CHECK: %[[X00:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 2, 2] [1, 2, 2, 1]
// CHECK: %[[X00ROWS:.+]] = tensor.collapse_shape %[[X00]]
// CHECK: linalg.matmul ins(%[[DYT]], %[[X00ROWS]] : tensor<3x4xf32>, tensor<4x2xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [3, 1, 1, 2] [1, 1, 1, 1] : tensor<3x2xf32> into tensor<3x2x2x2xf32>
// CHECK: %[[DX:.+]] = tensor.insert_slice %{{.*}}[0, 1, 1, 0] [1, 2, 2, 2] [1, 2, 2, 1]
// CHECK: linalg.matmul ins(%[[DYT]]
// CHECK: %[[DW:.+]] = tensor.insert_slice %{{.*}}[0, 1, 1, 0] [3, 1, 1, 2] [1, 1, 1, 1]
// CHECK: return %{{.*}}, %[[DX]], %[[DW]]
func.func @conv(%x: tensor<1x5x5x2xf32> {bnn.param}, %w: tensor<3x2x2x2xf32> {bnn.param}) -> tensor<1x12xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x5x5x2xf32>, tensor<3x2x2x2xf32>) outs(%z : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %f = tensor.collapse_shape %c [[0], [1, 2, 3]] : tensor<1x2x2x3xf32> into tensor<1x12xf32>
  return %f : tensor<1x12xf32>
}

// -----

// Max pool: the taps in row-major order, each giving dy where it equals the
// window's max and no earlier tap did (a second result carries the flags
// from tap to tap).
// CHECK-LABEL: func.func @maxpool_grad(
// CHECK: %[[T0:.+]]:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi1>)
// CHECK: arith.cmpf oeq
// CHECK: arith.andi
// CHECK: arith.select
// CHECK: arith.ori
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [1, 2, 2, 2] [1, 2, 2, 1]
// CHECK: %[[T1:.+]]:2 = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %[[T0]]#1 :
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 1, 0] [1, 2, 2, 2] [1, 2, 2, 1]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %[[T1]]#1 :
// CHECK: tensor.insert_slice %{{.*}}[0, 1, 0, 0] [1, 2, 2, 2] [1, 2, 2, 1]
// CHECK: tensor.insert_slice %{{.*}}[0, 1, 1, 0] [1, 2, 2, 2] [1, 2, 2, 1]
func.func @maxpool(%x: tensor<1x4x4x2xf32> {bnn.param}) -> tensor<1x8xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %k = tensor.empty() : tensor<2x2xf32>
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %k : tensor<1x4x4x2xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c = tensor.collapse_shape %p [[0], [1, 2, 3]] : tensor<1x2x2x2xf32> into tensor<1x8xf32>
  return %c : tensor<1x8xf32>
}

// -----

// The weight ops of BiTAT and SQ. sq_regularizer: dw and dbeta through tan;
// ternary: per-channel count, |x| sum and sum of dy t, then dx (delta, a
// data input, gets none); importance_sign: S, A_o, G_o, then dx and ds
// (reduced over the channels); orthonormal_transform: dx and dq.
// CHECK-LABEL: func.func @weights_grad(
// CHECK-SAME: %[[DELTA:[^:]+]]: tensor<4xf32>, %{{.*}}: tensor<4xi32>, %[[V:[^:]+]]: tensor<4x3xf32>, %[[Q:[^:]+]]: tensor<3x3xf32>, %[[S:[^:]+]]: tensor<3xf32>, %[[BETA:[^:]+]]: tensor<f32>)
// CHECK: %[[T:.+]] = bnn.orthonormal_transform %[[V]], %[[Q]]
// CHECK: %[[B:.+]] = bnn.importance_sign %[[T]], %[[S]]
// CHECK: bnn.ternary %[[B]], %[[DELTA]]
// CHECK: math.tan
// CHECK: %[[DBETA:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[V]], %{{.*}}, %[[BETA]], %{{.*}} :
// CHECK: math.tan
// CHECK: %[[DB:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[B]], %[[DELTA]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: %[[DT:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[T]], %[[S]], %[[DB]], %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: %[[DS:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[T]], %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[DT]], %[[Q]] :
// CHECK: %[[DQ:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[DT]], %[[V]] :
// CHECK: return %{{.*}}, %{{.*}}, %[[DQ]], %[[DS]], %[[DBETA]]
func.func @weights(%v: tensor<4x3xf32> {bnn.param}, %q: tensor<3x3xf32> {bnn.param}, %s: tensor<3xf32> {bnn.param}, %delta: tensor<4xf32>, %beta: tensor<f32> {bnn.param}) -> (tensor<4x3xf32>, tensor<f32>) {
  %t = bnn.orthonormal_transform %v, %q axis = 1 : tensor<4x3xf32>, tensor<3x3xf32>
  %b = bnn.importance_sign %t, %s : tensor<4x3xf32>, tensor<3xf32>
  %y = bnn.ternary %b, %delta : tensor<4x3xf32>, tensor<4xf32>
  %r = bnn.sq_regularizer %v, %beta : tensor<4x3xf32>, tensor<f32>
  return %y, %r : tensor<4x3xf32>, tensor<f32>
}

// -----

// bnn.batch_norm: dgamma = sum dy xhat, dbeta = sum dy, dx through the
// batch statistics; after the gradients, the batch mean and variance.
// CHECK-LABEL: func.func @bn_grad(
// CHECK-SAME: -> (tensor<f32>, tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: %[[Y:.+]] = bnn.batch_norm %[[X:[^,]+]], %[[G:[^,]+]], %{{.*}}
// CHECK: %[[DY:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[Y]],
// CHECK: %[[DB:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[DY]] :
// CHECK: %[[DG:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[X]], %{{.*}}, %{{.*}}, %[[DY]] :
// CHECK: %[[DX:.+]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}}, %{{.*}}, %[[DY]], %[[G]], %[[DB]], %[[DG]] :
// CHECK: math.rsqrt
// CHECK: %[[MEAN:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]}
// CHECK: %[[VAR:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]}
// CHECK: return %{{.*}}, %[[DX]], %[[DG]], %[[DB]], %[[MEAN]], %[[VAR]]
func.func @bn(%x: tensor<2x4xf32> {bnn.param}, %g: tensor<4xf32> {bnn.param}, %b: tensor<4xf32> {bnn.param}) -> tensor<2x4xf32> {
  %y = bnn.batch_norm %x, %g, %b : tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Negative: a function without bnn.param arguments gets no gradient.
// CHECK-LABEL: func.func @inference
// CHECK-NOT: @inference_grad
func.func @inference(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
