// RUN: bnn-opt %s -split-input-file -bnn-lower | FileCheck %s

// CHECK-LABEL: func @sign
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK-NOT: bnn.
func.func @sign(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = bnn.sign %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[QT:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-LABEL: func @orthonormal_transform
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[QT]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @orthonormal_transform(%x: tensor<4x3xf32>, %q: tensor<4x4xf32>) -> tensor<4x3xf32> {
  %0 = bnn.orthonormal_transform %x, %q axis = 0 transpose = true : tensor<4x3xf32>, tensor<4x4xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Three generics: sum of s, weighted sum of |x| per channel, then the scale.
// CHECK-LABEL: func @importance_sign
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: math.absf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: arith.divf
// CHECK: arith.select
func.func @importance_sign(%x: tensor<4x3x2xf32>, %s: tensor<3x2xf32>) -> tensor<4x3x2xf32> {
  %0 = bnn.importance_sign %x, %s : tensor<4x3x2xf32>, tensor<3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// -----

// CHECK-LABEL: func @ternary
// CHECK-COUNT-2: iterator_types = ["parallel", "reduction"]
// CHECK: iterator_types = ["parallel", "parallel"]
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
func.func @ternary(%x: tensor<4x3xf32>, %d: tensor<4xf32>) -> tensor<4x3xf32> {
  %0 = bnn.ternary %x, %d : tensor<4x3xf32>, tensor<4xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @sq_regularizer
// CHECK: math.tan
// CHECK: arith.minimumf
// CHECK: -> tensor<f32>
func.func @sq_regularizer(%w: tensor<4x3xf32>, %beta: tensor<f32>) -> tensor<f32> {
  %0 = bnn.sq_regularizer %w, %beta : tensor<4x3xf32>, tensor<f32>
  return %0 : tensor<f32>
}

// -----

// 33 elements in i32 words: one generic packs the whole word (channels
// 0..31), a second the tail word (channel 32, bit 0; bits 1..31 stay 0):
// no padded copy of the input. Each ORs bit i = (x < 0).
// CHECK-LABEL: func @pack_sign
// CHECK-SAME: (%[[X:.+]]: tensor<2x33xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[WHOLE:.+]] = tensor.extract_slice %[[X]][0, 0] [2, 32] [1, 1]
// CHECK: tensor.expand_shape %[[WHOLE]] {{.*}} into tensor<2x1x32xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.index 2
// CHECK: arith.shli
// CHECK: arith.cmpf olt
// CHECK: arith.ori
// CHECK: tensor.insert_slice %{{.*}}[0, 0] [2, 1] [1, 1] : tensor<2x1xi32> into tensor<2x2xi32>
// CHECK: %[[TAIL:.+]] = tensor.extract_slice %[[X]][0, 32] [2, 1] [1, 1]
// CHECK: tensor.expand_shape %[[TAIL]] {{.*}} into tensor<2x1x1xf32>
// CHECK: linalg.generic
// CHECK: arith.cmpf olt
// CHECK: tensor.insert_slice %{{.*}}[0, 1] [2, 1] [1, 1] : tensor<2x1xi32> into tensor<2x2xi32>
func.func @pack_sign(%x: tensor<2x33xf32>) -> tensor<2x2xi32> {
  %0 = bnn.pack %x : tensor<2x33xf32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// The nonzero plane tests x != 0 (NaN counts as nonzero). Fewer channels
// than a word: one generic over the 33 channels, no slice.
// CHECK-LABEL: func @pack_nonzero
// CHECK-NOT: tensor.pad
// CHECK-NOT: tensor.extract_slice
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x33xf32>
// CHECK: arith.cmpf une
func.func @pack_nonzero(%x: tensor<2x33xf32>) -> tensor<2x1xi64> {
  %0 = bnn.pack %x plane = nonzero : tensor<2x33xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// A multiple of the word width needs no padding.
// CHECK-LABEL: func @pack_no_pad
// CHECK-NOT: tensor.pad
// CHECK: tensor.expand_shape
func.func @pack_no_pad(%x: tensor<2x64xf32>) -> tensor<2x1xi64> {
  %0 = bnn.pack %x : tensor<2x64xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// CHECK-LABEL: func @unpack
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<3x2xi64>) outs(%{{.*}} : tensor<3x2x64xf32>)
// CHECK: arith.shrui
// CHECK: tensor.collapse_shape {{.*}} into tensor<3x128xf32>
// CHECK: tensor.extract_slice {{.*}}[0, 0] [3, 65] [1, 1] : tensor<3x128xf32> to tensor<3x65xf32>
func.func @unpack(%p: tensor<3x2xi64>) -> tensor<3x65xf32> {
  %0 = bnn.unpack %p size = 65 : tensor<3x2xi64> -> tensor<3x65xf32>
  return %0 : tensor<3x65xf32>
}

// -----

// Zero padding (pad_value 0) with a ternary mask: the word mask is the AND of
// the filter mask, the logical bits of the word (65 = 64 + 1 bit) and the
// per-row/column tap validity.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d4 * 2, d2 * 2 + d5 * 2, d6)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d5)>
// CHECK-LABEL: func @bconv2d_zero_pad_ternary
// CHECK-DAG: %[[COLS:.+]] = arith.constant dense<{{\[}}[0, -1, -1], [-1, -1, -1], [-1, -1, -1]]> : tensor<3x3xi64>
// CHECK-DAG: %[[ROWS:.+]] = arith.constant dense<{{\[}}[0, -1, -1], [-1, -1, 0]]> : tensor<2x3xi64>
// CHECK-DAG: %[[BITS:.+]] = arith.constant dense<[-1, 1]> : tensor<2xi64>
// CHECK: %[[PAD:.+]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#[[IN]], {{.*}}, #[[ROW]], #[[COL]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[PAD]], %{{.*}}, %{{.*}}, %[[BITS]], %[[ROWS]], %[[COLS]] :
// CHECK: arith.xori
// CHECK: math.ctpop
// CHECK: arith.subi
// CHECK: arith.trunci
func.func @bconv2d_zero_pad_ternary(%in: tensor<1x5x9x2xi64>, %f: tensor<4x3x3x2xi64>, %m: tensor<4x3x3x2xi64>) -> tensor<1x2x3x4xi32> {
  %0 = bnn.bconv2d %in, %f mask %m channels_in = 65 strides = [2, 2] dilations = [2, 2] padding = [1, 1, 1, 0]
      : tensor<1x5x9x2xi64>, tensor<4x3x3x2xi64>, tensor<4x3x3x2xi64> -> tensor<1x2x3x4xi32>
  return %0 : tensor<1x2x3x4xi32>
}

// -----

// pad_value 1: padded taps read the word 0 (+1) and are not masked.
// CHECK-LABEL: func @bconv2d_one_pad
// CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x7x7x1xi32>, tensor<8x3x3x1xi32>, tensor<1xi32>)
func.func @bconv2d_one_pad(%in: tensor<1x5x5x1xi32>, %f: tensor<8x3x3x1xi32>) -> tensor<1x5x5x8xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 20 strides = [1, 1] padding = [1, 1, 1, 1] pad_value = 1
      : tensor<1x5x5x1xi32>, tensor<8x3x3x1xi32> -> tensor<1x5x5x8xi32>
  return %0 : tensor<1x5x5x8xi32>
}

// -----

// Groups: output channel o reads the words of group o floordiv (O / groups).
// CHECK-DAG: #[[GIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d4, d2 + d5, (d3 floordiv 4) * 2 + d6)>
// CHECK-LABEL: func @bconv2d_groups
// CHECK: linalg.generic {indexing_maps = [#[[GIN]],
// CHECK-NOT: tensor.pad
func.func @bconv2d_groups(%in: tensor<1x4x4x4xi32>, %f: tensor<8x1x1x2xi32>) -> tensor<1x4x4x8xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 128 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2
      : tensor<1x4x4x4xi32>, tensor<8x1x1x2xi32> -> tensor<1x4x4x8xi32>
  return %0 : tensor<1x4x4x8xi32>
}

// -----

// CHECK-LABEL: func @bdense
// CHECK: %[[BITS:.+]] = arith.constant dense<[-1, -1, -1, 255]> : tensor<4xi64>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %[[BITS]] :
// CHECK: math.ctpop
func.func @bdense(%x: tensor<2x4xi64>, %w: tensor<10x4xi64>) -> tensor<2x10xi32> {
  %0 = bnn.bdense %x, %w size = 200 : tensor<2x4xi64>, tensor<10x4xi64> -> tensor<2x10xi32>
  return %0 : tensor<2x10xi32>
}

// -----

// Padded taps are all ones, the identity of AND.
// A small window: one elementwise AND over a strided slice per tap.
// CHECK-LABEL: func @bmaxpool2d
// CHECK: %[[ONES:.+]] = arith.constant -1 : i64
// CHECK: %[[PADDED:.+]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 0, 0, 0]
// CHECK: tensor.yield %[[ONES]]
// CHECK: %[[T00:.+]] = tensor.extract_slice %[[PADDED]][0, 0, 0, 0] [1, 2, 2, 2] [1, 2, 2, 1]
// CHECK: %[[T22:.+]] = tensor.extract_slice %[[PADDED]][0, 2, 2, 0] [1, 2, 2, 2] [1, 2, 2, 1]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[T00]], {{.*}}, %[[T22]] :
// CHECK-COUNT-8: arith.andi
// CHECK-NOT: arith.andi
// CHECK: linalg.yield
func.func @bmaxpool2d(%x: tensor<1x5x5x2xi64>) -> tensor<1x2x2x2xi64> {
  %0 = bnn.bmaxpool2d %x kernel = [3, 3] strides = [2, 2] padding = [1, 0, 1, 0]
      : tensor<1x5x5x2xi64> -> tensor<1x2x2x2xi64>
  return %0 : tensor<1x2x2x2xi64>
}

// -----

// More than 16 taps: one generic with the window as reduction loops.
// CHECK-LABEL: func @bmaxpool2d_large_window
// CHECK: %[[ONES:.+]] = arith.constant -1 : i32
// CHECK-NOT: tensor.extract_slice
// CHECK: tensor.empty() : tensor<5x5xi8>
// CHECK: linalg.fill ins(%[[ONES]] : i32)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.andi
func.func @bmaxpool2d_large_window(%x: tensor<1x5x5x1xi32>) -> tensor<1x1x1x1xi32> {
  %0 = bnn.bmaxpool2d %x kernel = [5, 5] strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<1x5x5x1xi32> -> tensor<1x1x1x1xi32>
  return %0 : tensor<1x1x1x1xi32>
}

// -----

// CHECK-LABEL: func @scale
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @scale(%acc: tensor<2x5xi32>, %m: tensor<5xf32>, %b: tensor<5xf32>) -> tensor<2x5xf32> {
  %0 = bnn.scale %acc, %m, %b : tensor<2x5xi32>, tensor<5xf32>, tensor<5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Channels past O are never compared: their bits stay 0 from the zero fill.
// CHECK-LABEL: func @threshold
// CHECK-NOT: tensor.pad
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x5xi32>
// CHECK: tensor.expand_shape {{.*}} into tensor<1x5xi32>
// CHECK: linalg.fill ins(%c0_i32 : i32)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpi slt
// CHECK: arith.ori
func.func @threshold(%acc: tensor<2x5xi32>, %t: tensor<5xi32>) -> tensor<2x1xi32> {
  %0 = bnn.threshold %acc, %t : tensor<2x5xi32>, tensor<5xi32> -> tensor<2x1xi32>
  return %0 : tensor<2x1xi32>
}

// -----

// Batch norm on batch statistics: the channel sums over every other axis,
// the mean (x 1/6: six rows per channel), the sum of squared deviations,
// the biased variance, then one elementwise normalization.
// CHECK-LABEL: func @batch_norm
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %[[G:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK-DAG: %[[EPS:.+]] = arith.constant 1.000000e-03 : f32
// CHECK-DAG: %[[INV:.+]] = arith.constant 0.166666672 : f32
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[X]] :
// CHECK: %[[MEAN:.+]] = linalg.generic {{.*}} ins(%[[SUM]] :
// CHECK: arith.mulf %{{.*}}, %[[INV]]
// CHECK: %[[SQ:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[X]], %[[MEAN]] :
// CHECK: %[[VAR:.+]] = linalg.generic {{.*}} ins(%[[SQ]] :
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[VAR]], %[[G]], %[[B]] :
// CHECK: arith.addf %{{.*}}, %[[EPS]]
// CHECK: math.rsqrt
func.func @batch_norm(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = bnn.batch_norm %x, %g, %b {epsilon = 1.0e-3 : f64} : tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<2x3x4xf32>
}
