// RUN: bnn-opt %s -split-input-file -bnn-lower=channel-block=8 | FileCheck %s
// RUN: bnn-opt %s -split-input-file -bnn-lower=channel-block=8 -canonicalize | FileCheck %s --check-prefix=CANON

// bdense in the blocked layout: the filter [10, 4] becomes [2, 4, 8] (channels
// padded to 16), the inner generic is XOR, AND with the tail mask (200 bits =
// 3 words + 8), popcount and add; the epilogue forms 200 - 2 * popcounts and
// carries the marker bnn-tile looks for; the result drops the padded channels.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-LABEL: func @bdense_blocked
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xi64>, %[[W:[^:]+]]: tensor<10x4xi64>
// CHECK: %[[PADDED:.+]] = tensor.pad %[[W]] low[0, 0] high[6, 0]
// CHECK: %[[SPLIT:.+]] = tensor.expand_shape %[[PADDED]] {{\[}}[0, 1], [2]] output_shape [2, 8, 4]
// CHECK: %[[BLOCKED:.+]] = linalg.transpose ins(%[[SPLIT]] : tensor<2x8x4xi64>) {{.*}} permutation = [0, 2, 1]
// CHECK: %[[COUNTS:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[BLOCKED]], %{{.*}} : tensor<2x4xi64>, tensor<2x4x8xi64>, tensor<4xi64>)
// CHECK: arith.xori
// CHECK: arith.andi
// CHECK: math.ctpop
// CHECK: arith.addi
// CHECK: linalg.fill ins(%{{.*}} : i32)
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} ins(%[[COUNTS]], %{{.*}} : tensor<2x2x8xi64>, tensor<2x8xi32>) {{.*}} attrs = {bnn.register_tile}
// CHECK: arith.trunci
// CHECK: arith.subi
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[ACC]] {{\[}}[0], [1, 2]] : tensor<2x2x8xi32> into tensor<2x16xi32>
// CHECK: tensor.extract_slice %[[FLAT]][0, 0] [2, 10] [1, 1]
// CANON-LABEL: func @bdense_blocked
// CANON-DAG: arith.constant 200 : i32
// CANON-DAG: arith.constant dense<[-1, -1, -1, 255]> : tensor<4xi64>
func.func @bdense_blocked(%x: tensor<2x4xi64>, %w: tensor<10x4xi64>) -> tensor<2x10xi32> {
  %0 = bnn.bdense %x, %w size = 200 : tensor<2x4xi64>, tensor<10x4xi64> -> tensor<2x10xi32>
  return %0 : tensor<2x10xi32>
}

// -----

// A constant filter is re-laid out at compile time: channel o of [3, 1] goes
// to [o / 2, 0, o % 2] of [2, 1, 2] (channel-block 8 is capped at O = 3... no:
// the block is min(8, O) = 3, one block). No tail mask: 64 bits fill the word.
// CHECK-LABEL: func @bdense_constant_filter
// CHECK: %[[BLOCKED:.+]] = arith.constant dense<{{\[}}{{\[}}[5, 6, 7]]]> : tensor<1x1x3xi64>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[BLOCKED]] : tensor<1x1xi64>, tensor<1x1x3xi64>)
// CHECK-NOT: arith.andi
// CHECK: math.ctpop
// CHECK-NOT: tensor.extract_slice
// CHECK: return
func.func @bdense_constant_filter(%x: tensor<1x1xi64>) -> tensor<1x3xi32> {
  %w = arith.constant dense<[[5], [6], [7]]> : tensor<3x1xi64>
  %0 = bnn.bdense %x, %w size = 64 : tensor<1x1xi64>, tensor<3x1xi64> -> tensor<1x3xi32>
  return %0 : tensor<1x3xi32>
}

// -----

// Ternary bdense: the mask is blocked like the filter and ANDed in; the live
// bits per channel are counted from it (no constant fill of the size).
// CHECK-LABEL: func @bdense_ternary_blocked
// CHECK: %[[FILTER:.+]] = linalg.transpose
// CHECK: %[[MASK:.+]] = linalg.transpose
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[FILTER]], %[[MASK]] : tensor<1x1xi32>, tensor<1x1x4xi32>, tensor<1x1x4xi32>)
// CHECK: arith.xori
// CHECK: arith.andi
// CHECK: math.ctpop
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[FILTER]], %[[MASK]] : tensor<1x1x4xi32>, tensor<1x1x4xi32>)
// CHECK: math.ctpop
// CHECK: attrs = {bnn.register_tile}
func.func @bdense_ternary_blocked(%x: tensor<1x1xi32>, %w: tensor<4x1xi32>, %m: tensor<4x1xi32>) -> tensor<1x4xi32> {
  %0 = bnn.bdense %x, %w mask %m size = 32 : tensor<1x1xi32>, tensor<4x1xi32>, tensor<4x1xi32> -> tensor<1x4xi32>
  return %0 : tensor<1x4xi32>
}

// -----

// bconv2d with exact zero padding: one generic per tap (3 x 2 = 6) on a
// strided slice of the padded input, per-row and per-column corrections for
// the taps outside the input, and one corner correction per pair of border
// runs: rows {0} and {2} (kernel rows 0 and 2 read padding) by column {0}.
// CHECK-LABEL: func @bconv2d_zero_pad_blocked
// CHECK-DAG: arith.constant dense<{{\[}}[1, 0, 0], [0, 0, 0], [0, 0, 1]]> : tensor<3x3xi32>
// CHECK-DAG: arith.constant dense<{{\[}}[1, 0], [0, 0], [0, 0], [0, 0]]> : tensor<4x2xi32>
// CHECK: %[[INPUT:.+]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 0, 0]
// CHECK-COUNT-6: tensor.extract_slice %[[INPUT]][0, {{[0-9]+}}, {{[0-9]+}}, 0] [1, 3, 4, 2] [1, 2, 2, 1]
// CHECK-NOT: tensor.extract_slice %[[INPUT]]
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} attrs = {bnn.register_tile}
// CHECK: %[[TOP:.+]] = tensor.extract_slice %[[ACC]][0, 0, 0, 0, 0] [1, 1, 1, 1, 4] [1, 1, 1, 1, 1]
// CHECK: %[[FIXED:.+]] = linalg.generic {{.*}} outs(%[[TOP]] :
// CHECK: arith.subi
// CHECK: %[[ACC2:.+]] = tensor.insert_slice %[[FIXED]] into %[[ACC]][0, 0, 0, 0, 0] [1, 1, 1, 1, 4]
// CHECK: %[[BOTTOM:.+]] = tensor.extract_slice %[[ACC2]][0, 2, 0, 0, 0] [1, 1, 1, 1, 4]
// CHECK: tensor.insert_slice %{{.*}} into %[[ACC2]][0, 2, 0, 0, 0] [1, 1, 1, 1, 4]
// CHECK-NOT: tensor.insert_slice
// CHECK: return
func.func @bconv2d_zero_pad_blocked(%in: tensor<1x5x7x2xi64>, %f: tensor<4x3x2x2xi64>) -> tensor<1x3x4x4xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 65 strides = [2, 2] padding = [1, 1, 1, 0]
      : tensor<1x5x7x2xi64>, tensor<4x3x2x2xi64> -> tensor<1x3x4x4xi32>
  return %0 : tensor<1x3x4x4xi32>
}

// -----

// pad_value = 1 is exact as it is: no corrections.
// CHECK-LABEL: func @bconv2d_one_pad_blocked
// CHECK-COUNT-9: math.ctpop
// CHECK: attrs = {bnn.register_tile}
// CHECK-NOT: tensor.insert_slice
// CHECK-NOT: arith.muli
// CHECK: return
func.func @bconv2d_one_pad_blocked(%in: tensor<1x4x4x1xi32>, %f: tensor<8x3x3x1xi32>) -> tensor<1x4x4x8xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 32 strides = [1, 1] padding = [1, 1, 1, 1] pad_value = 1
      : tensor<1x4x4x1xi32>, tensor<8x3x3x1xi32> -> tensor<1x4x4x8xi32>
  return %0 : tensor<1x4x4x8xi32>
}

// -----

// Grouped: one ungrouped blocked convolution per group, on the group's input
// words and output channels, inserted into the result.
// CHECK-LABEL: func @bconv2d_grouped_split
// CHECK-SAME: (%[[IN:.+]]: tensor<1x4x4x2xi64>, %[[F:.+]]: tensor<4x1x1x1xi64>)
// CHECK-DAG: %[[IN0:.+]] = tensor.extract_slice %[[IN]][0, 0, 0, 0] [1, 4, 4, 1] [1, 1, 1, 1]
// CHECK-DAG: %[[F0:.+]] = tensor.extract_slice %[[F]][0, 0, 0, 0] [2, 1, 1, 1] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN0]], %{{.*}} : tensor<1x4x4x1xi64>, tensor<1x1x2xi64>)
// CHECK: linalg.generic {{.*}} attrs = {bnn.register_tile}
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [1, 4, 4, 2] [1, 1, 1, 1]
// CHECK-DAG: %[[IN1:.+]] = tensor.extract_slice %[[IN]][0, 0, 0, 1] [1, 4, 4, 1] [1, 1, 1, 1]
// CHECK-DAG: %[[F1:.+]] = tensor.extract_slice %[[F]][2, 0, 0, 0] [2, 1, 1, 1] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[IN1]], %{{.*}} : tensor<1x4x4x1xi64>, tensor<1x1x2xi64>)
// CHECK: linalg.generic {{.*}} attrs = {bnn.register_tile}
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 2] [1, 4, 4, 2] [1, 1, 1, 1]
// CHECK-NOT: bnn.bconv2d
// CHECK: return
func.func @bconv2d_grouped_split(%in: tensor<1x4x4x2xi64>, %f: tensor<4x1x1x1xi64>) -> tensor<1x4x4x4xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 128 strides = [1, 1] padding = [0, 0, 0, 0] groups = 2
      : tensor<1x4x4x2xi64>, tensor<4x1x1x1xi64> -> tensor<1x4x4x4xi32>
  return %0 : tensor<1x4x4x4xi32>
}

// -----

// Negative: more than 16 groups (depthwise-like) keep the one-generic form.
// CHECK-LABEL: func @bconv2d_many_groups_not_blocked
// CHECK-NOT: tensor.insert_slice
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-NOT: bnn.register_tile
// CHECK: return
func.func @bconv2d_many_groups_not_blocked(%in: tensor<1x4x4x17xi64>, %f: tensor<17x1x1x1xi64>) -> tensor<1x4x4x17xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 1088 strides = [1, 1] padding = [0, 0, 0, 0] groups = 17
      : tensor<1x4x4x17xi64>, tensor<17x1x1x1xi64> -> tensor<1x4x4x17xi32>
  return %0 : tensor<1x4x4x17xi32>
}
