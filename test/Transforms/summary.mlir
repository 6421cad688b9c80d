// RUN: bnn-opt %s -split-input-file -bnn-summary 2>&1 >/dev/null | FileCheck %s

// Every number below is computed by hand; memory is what the weight tensors
// occupy (i64 words are 8 bytes, i32 and f32 4 bytes), 1 KiB = 1024 bytes.
//
// float conv 3x3, 1 -> 8 channels on 1x10x10x1 (8x8 padded by 1):
//   params 32-bit = 8*3*3*1 = 72; memory = 72 * 4 = 288 B = 0.28125 KiB
//   MACs 32-bit = N*OH*OW*F*KH*KW*C = 1*8*8*8*3*3*1 = 4608
// bconv2d 3x3, channels_in 8 -> 16, i64 words, + threshold [16] i32:
//   params 1-bit = 16*3*3*8 = 1152; params 32-bit = 16 (threshold)
//   memory = 16*3*3*1 words * 8 B + 16 * 4 B = 1152 + 64 = 1216 B = 1.1875 KiB
//     (the 8 channels use 8 of the 64 bits of a word: padding bits count)
//   MACs 1-bit = 1*8*8*16 * 3*3*8 = 73728
// ternary bconv2d 3x3 stride 2, channels_in 16 -> 64, + threshold [64]:
//   OH = OW = (8 + 1 + 1 - 3) / 2 + 1 = 4
//   params 2-bit = 64*3*3*16 = 9216; params 32-bit = 64
//   memory = 2 planes * 64*3*3*1 words * 8 B + 64 * 4 B
//          = 4608 + 4608 + 256 = 9472 B = 9.25 KiB
//   MACs 2-bit = 1*4*4*64 * 3*3*16 = 147456
// bmaxpool2d 4x4: output 1x1x1x64 (64 logical channels, from the threshold
//   that produced its input), no params, 0 MACs
// bdense size 64 -> 10, i64 words, + scale (multiplier [10], bias [10] f32):
//   params 1-bit = 10*64 = 640; params 32-bit = 10 + 10 = 20
//   memory = 10*1 words * 8 B + 2 * 10 * 4 B = 80 + 80 = 160 B = 0.15625 KiB
//   MACs 1-bit = N*O*K = 1*10*64 = 640
// Totals:
//   params 1-bit = 1152 + 640 = 1792; 2-bit = 9216; 32-bit = 72+16+64+20 = 172
//   params = 1792 + 9216 + 172 = 11180
//   model size = 288 + 1216 + 9472 + 0 + 160 = 11136 B = 10.875 KiB
//   float-32 equivalent = 11180 * 4 = 44720 B = 43.671875 KiB
//   compression ratio = 44720 / 11136 = 4.0158
//   MACs 1-bit = 73728 + 640 = 74368; 2-bit = 147456; 32-bit = 4608
//   MACs = 74368 + 147456 + 4608 = 226432
//   binary = 74368 / 226432 = 32.84 %; ternary = 147456 / 226432 = 65.12 %

// CHECK-LABEL: Model summary: @model
// CHECK-NEXT: +--------------------------+-------+--------+----------+--------+--------+--------+--------+-------+--------+--------+
// CHECK-NEXT: | Layer                    | Input | Weight |   Output |  1-bit |  2-bit | 32-bit | Memory | 1-bit |  2-bit | 32-bit |
// CHECK-NEXT: |                          |  bits |   bits |    shape | params | params | params |  (KiB) |  MACs |   MACs |   MACs |
// CHECK-NEXT: +--------------------------+-------+--------+----------+--------+--------+--------+--------+-------+--------+--------+
// CHECK-NEXT: | linalg.conv_2d_nhwc_fhwc |    32 |     32 |  1x8x8x8 |      0 |      0 |     72 |   0.28 |     0 |      0 |   4608 |
// CHECK-NEXT: | bnn.bconv2d              |     1 |      1 | 1x8x8x16 |   1152 |      0 |     16 |   1.19 | 73728 |      0 |      0 |
// CHECK-NEXT: | bnn.bconv2d              |     1 |      2 | 1x4x4x64 |      0 |   9216 |     64 |   9.25 |     0 | 147456 |      0 |
// CHECK-NEXT: | bnn.bmaxpool2d           |     1 |      - | 1x1x1x64 |      0 |      0 |      0 |   0.00 |     0 |      0 |      0 |
// CHECK-NEXT: | bnn.bdense               |     1 |      1 |     1x10 |    640 |      0 |     20 |   0.16 |   640 |      0 |      0 |
// CHECK-NEXT: +--------------------------+-------+--------+----------+--------+--------+--------+--------+-------+--------+--------+
// CHECK-NEXT: | Total                    |       |        |          |   1792 |   9216 |    172 |  10.88 | 74368 | 147456 |   4608 |
// CHECK-NEXT: +--------------------------+-------+--------+----------+--------+--------+--------+--------+-------+--------+--------+
// CHECK-NEXT: Total params                11180
// CHECK-NEXT: Model size (KiB)            10.88
// CHECK-NEXT: Float-32 equivalent (KiB)   43.67
// CHECK-NEXT: Compression ratio            4.02
// CHECK-NEXT: Total MACs                 226432
// CHECK-NEXT: Binary MACs (%)             32.84
// CHECK-NEXT: Ternary MACs (%)            65.12
// CHECK-NOT: Layers with unknown counts

func.func @model(%x: tensor<1x8x8x1xf32>) -> tensor<1x10xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x8x8x1xf32> to tensor<1x10x10x1xf32>
  %w0 = arith.constant dense<0.5> : tensor<8x3x3x1xf32>
  %init = tensor.empty() : tensor<1x8x8x8xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %c0 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w0 : tensor<1x10x10x1xf32>, tensor<8x3x3x1xf32>)
      outs(%fill : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %p0 = bnn.pack %c0 : tensor<1x8x8x8xf32> -> tensor<1x8x8x1xi64>
  %f1 = arith.constant dense<5> : tensor<16x3x3x1xi64>
  %a1 = bnn.bconv2d %p0, %f1 channels_in = 8 strides = [1, 1] padding = [1, 1, 1, 1]
      : tensor<1x8x8x1xi64>, tensor<16x3x3x1xi64> -> tensor<1x8x8x16xi32>
  %t1 = arith.constant dense<1> : tensor<16xi32>
  %p1 = bnn.threshold %a1, %t1 : tensor<1x8x8x16xi32>, tensor<16xi32> -> tensor<1x8x8x1xi64>
  %f2 = arith.constant dense<3> : tensor<64x3x3x1xi64>
  %m2 = arith.constant dense<7> : tensor<64x3x3x1xi64>
  %a2 = bnn.bconv2d %p1, %f2 mask %m2 channels_in = 16 strides = [2, 2] padding = [1, 1, 1, 1]
      : tensor<1x8x8x1xi64>, tensor<64x3x3x1xi64>, tensor<64x3x3x1xi64> -> tensor<1x4x4x64xi32>
  %t2 = arith.constant dense<2> : tensor<64xi32>
  %p2 = bnn.threshold %a2, %t2 : tensor<1x4x4x64xi32>, tensor<64xi32> -> tensor<1x4x4x1xi64>
  %p3 = bnn.bmaxpool2d %p2 kernel = [4, 4] strides = [4, 4] padding = [0, 0, 0, 0]
      : tensor<1x4x4x1xi64> -> tensor<1x1x1x1xi64>
  %flat = tensor.collapse_shape %p3 [[0, 1, 2], [3]] : tensor<1x1x1x1xi64> into tensor<1x1xi64>
  %f4 = arith.constant dense<9> : tensor<10x1xi64>
  %a4 = bnn.bdense %flat, %f4 size = 64 : tensor<1x1xi64>, tensor<10x1xi64> -> tensor<1x10xi32>
  %mul = arith.constant dense<0.25> : tensor<10xf32>
  %bias = arith.constant dense<0.1> : tensor<10xf32>
  %y = bnn.scale %a4, %mul, %bias : tensor<1x10xi32>, tensor<10xf32>, tensor<10xf32>
  return %y : tensor<1x10xf32>
}

// -----

// Float layers: pooling has no weights and no MACs; a matmul's weights are
// its constant operand; depthwise convolutions count too.
//   pooling_nhwc_max 2x2 stride 2 on 1x4x4x3: output 1x2x2x3, 0 params
//   matmul 2x48 * 48x10: params 48*10 = 480, memory 1920 B = 1.875 KiB,
//     MACs M*N*K = 2*10*48 = 960
//   matvec 10x48 (constant, first operand) * 48: params 480, memory 1920 B,
//     MACs 10*48 = 480
//   depthwise 3x3 on 3 channels, output 1x2x2x3: params 3*3*3 = 27,
//     memory 108 B = 0.105 KiB, MACs 1*2*2*3 * 3*3 = 108
// Totals: params 480 + 480 + 27 = 987; memory 1920 + 1920 + 108 = 3948 B =
//   3.855 KiB; every parameter is already 32-bit: ratio 1.00;
//   MACs 960 + 480 + 108 = 1548, none binary or ternary.

// CHECK-LABEL: Model summary: @float_layers
// CHECK: | linalg.pooling_nhwc_max           |    32 |      - | 1x2x2x3 |      0 |      0 |      0 |   0.00 |     0 |     0 |      0 |
// CHECK-NEXT: | linalg.matmul                     |    32 |     32 |    2x10 |      0 |      0 |    480 |   1.88 |     0 |     0 |    960 |
// CHECK-NEXT: | linalg.matvec                     |    32 |     32 |      10 |      0 |      0 |    480 |   1.88 |     0 |     0 |    480 |
// CHECK-NEXT: | linalg.depthwise_conv_2d_nhwc_hwc |    32 |     32 | 1x2x2x3 |      0 |      0 |     27 |   0.11 |     0 |     0 |    108 |
// CHECK-NEXT: +-
// CHECK-NEXT: | Total                             |       |        |         |      0 |      0 |    987 |   3.86 |     0 |     0 |   1548 |
// CHECK: Total params                 987
// CHECK-NEXT: Model size (KiB)            3.86
// CHECK-NEXT: Float-32 equivalent (KiB)   3.86
// CHECK-NEXT: Compression ratio           1.00
// CHECK-NEXT: Total MACs                  1548
// CHECK-NEXT: Binary MACs (%)             0.00
// CHECK-NEXT: Ternary MACs (%)            0.00

func.func @float_layers(%x: tensor<1x4x4x3xf32>, %m: tensor<2x48xf32>, %v: tensor<48xf32>)
    -> (tensor<1x2x2x3xf32>, tensor<2x10xf32>, tensor<10xf32>, tensor<1x2x2x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %window = tensor.empty() : tensor<2x2xf32>
  %init = tensor.empty() : tensor<1x2x2x3xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %pool = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %window : tensor<1x4x4x3xf32>, tensor<2x2xf32>)
      outs(%fill : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %w = arith.constant dense<1.0> : tensor<48x10xf32>
  %minit = tensor.empty() : tensor<2x10xf32>
  %mfill = linalg.fill ins(%zero : f32) outs(%minit : tensor<2x10xf32>) -> tensor<2x10xf32>
  %mm = linalg.matmul ins(%m, %w : tensor<2x48xf32>, tensor<48x10xf32>)
      outs(%mfill : tensor<2x10xf32>) -> tensor<2x10xf32>
  %a = arith.constant dense<2.0> : tensor<10x48xf32>
  %vinit = tensor.empty() : tensor<10xf32>
  %vfill = linalg.fill ins(%zero : f32) outs(%vinit : tensor<10xf32>) -> tensor<10xf32>
  %mv = linalg.matvec ins(%a, %v : tensor<10x48xf32>, tensor<48xf32>)
      outs(%vfill : tensor<10xf32>) -> tensor<10xf32>
  %dw = arith.constant dense<1.0> : tensor<3x3x3xf32>
  %d = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %dw : tensor<1x4x4x3xf32>, tensor<3x3x3xf32>)
      outs(%fill : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  return %pool, %mm, %mv, %d : tensor<1x2x2x3xf32>, tensor<2x10xf32>, tensor<10xf32>, tensor<1x2x2x3xf32>
}

// -----

// Dynamic shapes print '?' and stay out of the totals; a NameLoc names the
// layer; a threshold whose accumulator no layer produced gets its own row;
// a packed max pool whose channel count is unknown shows its packed shape;
// with several functions each gets a heading.
//   conv1: N unknown -> output ?x8x8x16, MACs ?; params 16*3*3*8 = 1152 and
//     memory 16*9 words * 8 B = 1152 B = 1.125 KiB are known
//   threshold [4] i32 on a function argument: 4 params, 16 B
//   bdense with a [?x1] filter: params, memory and MACs unknown
// Totals: params 1152 + 4 = 1156; memory 1152 + 16 = 1168 B = 1.14 KiB;
//   float-32 equivalent 1156 * 4 = 4624 B = 4.52 KiB; ratio 4624 / 1168 = 3.96;
//   no MACs known; two layers with unknown counts.

// CHECK-LABEL: Model summary{{$}}
// CHECK-NOT: @
// CHECK: | @dynamic
// CHECK-NEXT: | conv1 (bnn.bconv2d) |     1 |      1 |    ?x8x8x16 |   1152 |      0 |      0 |   1.12 |     ? |     0 |      0 |
// CHECK-NEXT: | bnn.threshold       |    32 |     32 |         1x4 |      0 |      0 |      4 |   0.02 |     0 |     0 |      0 |
// CHECK-NEXT: | @unknown_channels
// CHECK-NEXT: | bnn.bmaxpool2d      |     1 |      - | 1x2x2x1xi32 |      0 |      0 |      0 |   0.00 |     0 |     0 |      0 |
// CHECK-NEXT: | bnn.bdense          |     1 |      1 |         1x? |      ? |      0 |      0 |      ? |     ? |     0 |      0 |
// CHECK-NEXT: +-
// CHECK-NEXT: | Total               |       |        |             |   1152 |      0 |      4 |   1.14 |     0 |     0 |      0 |
// CHECK: Total params                                1156
// CHECK-NEXT: Model size (KiB)                            1.14
// CHECK-NEXT: Float-32 equivalent (KiB)                   4.52
// CHECK-NEXT: Compression ratio                           3.96
// CHECK-NEXT: Total MACs                                     0
// CHECK-NEXT: Binary MACs (%)                             0.00
// CHECK-NEXT: Ternary MACs (%)                            0.00
// CHECK-NEXT: Layers with unknown counts (not in totals)     2

func.func @dynamic(%x: tensor<?x8x8x1xi64>, %acc: tensor<1x4xi32>)
    -> (tensor<?x8x8x16xi32>, tensor<1x1xi64>) {
  %f = arith.constant dense<5> : tensor<16x3x3x1xi64>
  %a = bnn.bconv2d %x, %f channels_in = 8 strides = [1, 1] padding = [1, 1, 1, 1]
      : tensor<?x8x8x1xi64>, tensor<16x3x3x1xi64> -> tensor<?x8x8x16xi32> loc("conv1")
  %t = arith.constant dense<1> : tensor<4xi32>
  %y = bnn.threshold %acc, %t : tensor<1x4xi32>, tensor<4xi32> -> tensor<1x1xi64>
  return %a, %y : tensor<?x8x8x16xi32>, tensor<1x1xi64>
}

func.func @unknown_channels(%p: tensor<1x4x4x1xi32>, %w: tensor<?x1xi64>)
    -> (tensor<1x2x2x1xi32>, tensor<1x?xi32>) {
  %q = bnn.bmaxpool2d %p kernel = [2, 2] strides = [2, 2] padding = [0, 0, 0, 0]
      : tensor<1x4x4x1xi32> -> tensor<1x2x2x1xi32>
  %x = arith.constant dense<0> : tensor<1x1xi64>
  %b = bnn.bdense %x, %w size = 64 : tensor<1x1xi64>, tensor<?x1xi64> -> tensor<1x?xi32>
  return %q, %b : tensor<1x2x2x1xi32>, tensor<1x?xi32>
}

// -----

// A constant shared by two layers (CSE merges equal thresholds) is stored
// once: its bytes go to the first layer that uses it, its parameters to both.
//   each bdense: 1-bit params 2*32 = 64, filter 2 words * 4 B = 8 B (i32)
//   threshold [2] i32: 2 params per layer, 8 B once
//   first row 8 + 8 = 16 B, second 8 B; total 24 B = 0.02 KiB
//   MACs 1*2*32 = 64 per layer

// CHECK-LABEL: Model summary: @shared
// CHECK: | bnn.bdense |     1 |      1 |    1x2 |     64 |      0 |      2 |   0.02 |    64 |     0 |      0 |
// CHECK-NEXT: | bnn.bdense |     1 |      1 |    1x2 |     64 |      0 |      2 |   0.01 |    64 |     0 |      0 |
// CHECK-NEXT: +-
// CHECK-NEXT: | Total      |       |        |        |    128 |      0 |      4 |   0.02 |   128 |     0 |      0 |
// CHECK: Total params                132
// CHECK-NEXT: Model size (KiB)           0.02
// CHECK-NEXT: Float-32 equivalent (KiB)  0.52
// CHECK-NEXT: Compression ratio         22.00
// CHECK-NEXT: Total MACs                  128
// CHECK-NEXT: Binary MACs (%)          100.00

func.func @shared(%x: tensor<1x1xi32>) -> (tensor<1x1xi32>, tensor<1x1xi32>) {
  %f1 = arith.constant dense<1> : tensor<2x1xi32>
  %f2 = arith.constant dense<2> : tensor<2x1xi32>
  %t = arith.constant dense<0> : tensor<2xi32>
  %a1 = bnn.bdense %x, %f1 size = 32 : tensor<1x1xi32>, tensor<2x1xi32> -> tensor<1x2xi32>
  %y1 = bnn.threshold %a1, %t : tensor<1x2xi32>, tensor<2xi32> -> tensor<1x1xi32>
  %a2 = bnn.bdense %x, %f2 size = 32 : tensor<1x1xi32>, tensor<2x1xi32> -> tensor<1x2xi32>
  %y2 = bnn.threshold %a2, %t : tensor<1x2xi32>, tensor<2xi32> -> tensor<1x1xi32>
  return %y1, %y2 : tensor<1x1xi32>, tensor<1x1xi32>
}

// -----

// No layers: an empty table, totals of 0, no ratio.

// CHECK-LABEL: Model summary: @no_layers
// CHECK-NEXT: +-------+-------+--------+--------+--------+--------+--------+--------+-------+-------+--------+
// CHECK-NEXT: | Layer | Input | Weight | Output |  1-bit |  2-bit | 32-bit | Memory | 1-bit | 2-bit | 32-bit |
// CHECK-NEXT: |       |  bits |   bits |  shape | params | params | params |  (KiB) |  MACs |  MACs |   MACs |
// CHECK-NEXT: +-------+-------+--------+--------+--------+--------+--------+--------+-------+-------+--------+
// CHECK-NEXT: +-------+-------+--------+--------+--------+--------+--------+--------+-------+-------+--------+
// CHECK-NEXT: | Total |       |        |        |      0 |      0 |      0 |   0.00 |     0 |     0 |      0 |
// CHECK-NEXT: +-------+-------+--------+--------+--------+--------+--------+--------+-------+-------+--------+
// CHECK-NEXT: Total params                  0
// CHECK-NEXT: Model size (KiB)           0.00
// CHECK-NEXT: Float-32 equivalent (KiB)  0.00
// CHECK-NEXT: Compression ratio             -
// CHECK-NEXT: Total MACs                    0
// CHECK-NEXT: Binary MACs (%)            0.00
// CHECK-NEXT: Ternary MACs (%)           0.00

func.func @no_layers(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// An empty module: same empty table, no model name.

// CHECK-LABEL: Model summary{{$}}
// CHECK: | Total |       |        |        |      0 |      0 |      0 |   0.00 |     0 |     0 |      0 |
// CHECK: Total params                  0
