// The JSON form of the model of summary.mlir (whose comments hold the
// arithmetic), written to a file; the pass leaves the IR unchanged and
// prints nothing on stderr when it writes to a file.
// RUN: bnn-opt %s > %t.before.mlir
// RUN: bnn-opt %s -bnn-summary="format=json output=%t.json" > %t.after.mlir 2> %t.stderr
// RUN: diff %t.before.mlir %t.after.mlir
// RUN: count 0 < %t.stderr
// RUN: FileCheck %s --input-file=%t.json
// The text form goes to a file the same way.
// RUN: bnn-opt %s -bnn-summary="output=%t.txt" > /dev/null
// RUN: FileCheck %s --check-prefix=TEXT --input-file=%t.txt

// TEXT: Model summary: @model
// TEXT: | Total {{.*}} 10.88 |

// CHECK:      {
// CHECK-NEXT:   "model": "model",
// CHECK-NEXT:   "layers": [
// CHECK-NEXT:     {
// CHECK-NEXT:       "layer": "linalg.conv_2d_nhwc_fhwc",
// CHECK-NEXT:       "function": "model",
// CHECK-NEXT:       "input_bits": 32,
// CHECK-NEXT:       "weight_bits": 32,
// CHECK-NEXT:       "output_shape": [
// CHECK-NEXT:         1,
// CHECK-NEXT:         8,
// CHECK-NEXT:         8,
// CHECK-NEXT:         8
// CHECK-NEXT:       ],
// CHECK-NEXT:       "params": {
// CHECK-NEXT:         "1": 0,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 72
// CHECK-NEXT:       },
// CHECK-NEXT:       "memory_bytes": 288,
// CHECK-NEXT:       "memory_kib": 0.28125,
// CHECK-NEXT:       "macs": {
// CHECK-NEXT:         "1": 0,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 4608
// CHECK-NEXT:       }
// CHECK-NEXT:     },
// CHECK-NEXT:     {
// CHECK-NEXT:       "layer": "bnn.bconv2d",
// CHECK-NEXT:       "function": "model",
// CHECK-NEXT:       "input_bits": 1,
// CHECK-NEXT:       "weight_bits": 1,
// CHECK-NEXT:       "output_shape": [
// CHECK-NEXT:         1,
// CHECK-NEXT:         8,
// CHECK-NEXT:         8,
// CHECK-NEXT:         16
// CHECK-NEXT:       ],
// CHECK-NEXT:       "params": {
// CHECK-NEXT:         "1": 1152,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 16
// CHECK-NEXT:       },
// CHECK-NEXT:       "memory_bytes": 1216,
// CHECK-NEXT:       "memory_kib": 1.1875,
// CHECK-NEXT:       "macs": {
// CHECK-NEXT:         "1": 73728,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 0
// CHECK-NEXT:       }
// CHECK-NEXT:     },
// CHECK-NEXT:     {
// CHECK-NEXT:       "layer": "bnn.bconv2d",
// CHECK-NEXT:       "function": "model",
// CHECK-NEXT:       "input_bits": 1,
// CHECK-NEXT:       "weight_bits": 2,
// CHECK-NEXT:       "output_shape": [
// CHECK-NEXT:         1,
// CHECK-NEXT:         4,
// CHECK-NEXT:         4,
// CHECK-NEXT:         64
// CHECK-NEXT:       ],
// CHECK-NEXT:       "params": {
// CHECK-NEXT:         "1": 0,
// CHECK-NEXT:         "2": 9216,
// CHECK-NEXT:         "32": 64
// CHECK-NEXT:       },
// CHECK-NEXT:       "memory_bytes": 9472,
// CHECK-NEXT:       "memory_kib": 9.25,
// CHECK-NEXT:       "macs": {
// CHECK-NEXT:         "1": 0,
// CHECK-NEXT:         "2": 147456,
// CHECK-NEXT:         "32": 0
// CHECK-NEXT:       }
// CHECK-NEXT:     },
// CHECK-NEXT:     {
// CHECK-NEXT:       "layer": "bnn.bmaxpool2d",
// CHECK-NEXT:       "function": "model",
// CHECK-NEXT:       "input_bits": 1,
// CHECK-NEXT:       "weight_bits": null,
// CHECK-NEXT:       "output_shape": [
// CHECK-NEXT:         1,
// CHECK-NEXT:         1,
// CHECK-NEXT:         1,
// CHECK-NEXT:         64
// CHECK-NEXT:       ],
// CHECK-NEXT:       "params": {
// CHECK-NEXT:         "1": 0,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 0
// CHECK-NEXT:       },
// CHECK-NEXT:       "memory_bytes": 0,
// CHECK-NEXT:       "memory_kib": 0,
// CHECK-NEXT:       "macs": {
// CHECK-NEXT:         "1": 0,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 0
// CHECK-NEXT:       }
// CHECK-NEXT:     },
// CHECK-NEXT:     {
// CHECK-NEXT:       "layer": "bnn.bdense",
// CHECK-NEXT:       "function": "model",
// CHECK-NEXT:       "input_bits": 1,
// CHECK-NEXT:       "weight_bits": 1,
// CHECK-NEXT:       "output_shape": [
// CHECK-NEXT:         1,
// CHECK-NEXT:         10
// CHECK-NEXT:       ],
// CHECK-NEXT:       "params": {
// CHECK-NEXT:         "1": 640,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 20
// CHECK-NEXT:       },
// CHECK-NEXT:       "memory_bytes": 160,
// CHECK-NEXT:       "memory_kib": 0.15625,
// CHECK-NEXT:       "macs": {
// CHECK-NEXT:         "1": 640,
// CHECK-NEXT:         "2": 0,
// CHECK-NEXT:         "32": 0
// CHECK-NEXT:       }
// CHECK-NEXT:     }
// CHECK-NEXT:   ],
// CHECK-NEXT:   "totals": {
// CHECK-NEXT:     "params": {
// CHECK-NEXT:       "1": 1792,
// CHECK-NEXT:       "2": 9216,
// CHECK-NEXT:       "32": 172
// CHECK-NEXT:     },
// CHECK-NEXT:     "params_total": 11180,
// CHECK-NEXT:     "model_size_bytes": 11136,
// CHECK-NEXT:     "model_size_kib": 10.875,
// CHECK-NEXT:     "float32_size_bytes": 44720,
// CHECK-NEXT:     "float32_size_kib": 43.671875,
// 44720 / 11136 = 4.01580459...
// CHECK-NEXT:     "compression_ratio": 4.01580459{{[0-9]*}},
// CHECK-NEXT:     "macs": {
// CHECK-NEXT:       "1": 74368,
// CHECK-NEXT:       "2": 147456,
// CHECK-NEXT:       "32": 4608
// CHECK-NEXT:     },
// CHECK-NEXT:     "macs_total": 226432,
// 100 * 74368 / 226432 = 32.8434143...; 100 * 147456 / 226432 = 65.1215375...
// CHECK-NEXT:     "binary_macs_percent": 32.8434143{{[0-9]*}},
// CHECK-NEXT:     "ternary_macs_percent": 65.1215375{{[0-9]*}},
// CHECK-NEXT:     "layers_with_unknown_counts": 0
// CHECK-NEXT:   }
// CHECK-NEXT: }

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
