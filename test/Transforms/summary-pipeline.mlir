// The inference pipeline prints the summary of the model as compiled: after
// bnn-binarize and bnn-pack-weights, before bnn-lower.
// RUN: bnn-opt %s -bnn-inference-pipeline="summary=text" 2>&1 >/dev/null | FileCheck %s
// RUN: bnn-opt %s -bnn-inference-pipeline="summary=json summary-output=%t.json" | FileCheck %s --check-prefix=IR
// RUN: FileCheck %s --check-prefix=JSON --input-file=%t.json
// RUN: bnn-opt %s -bnn-inference-pipeline="binarize=false summary=text" 2>&1 >/dev/null | FileCheck %s --check-prefix=FLOAT
// Without summary (the default, "" or none) nothing is printed on stderr.
// RUN: bnn-opt %s -bnn-inference-pipeline 2>&1 >/dev/null | count 0
// RUN: bnn-opt %s -bnn-inference-pipeline="summary=none" 2>&1 >/dev/null | count 0
// RUN: bnn-opt %s -bnn-inference-pipeline="summary=" 2>&1 >/dev/null | count 0

// Binarized: conv 3x3, 3 -> 2 channels on signs becomes bconv2d + scale.
//   1-bit params 2*3*3*3 = 54; 32-bit params: alpha [2] + zero bias [2] = 4
//   memory: 2*3*3*1 i64 words * 8 B + 2 * 2 * 4 B = 144 + 16 = 160 B = 0.16 KiB
//   1-bit MACs 1*4*4*2 * 3*3*3 = 864
//   float-32 equivalent (54 + 4) * 4 = 232 B = 0.23 KiB; ratio 232/160 = 1.45
// CHECK: Model summary: @conv_zero_pad
// CHECK: | bnn.bconv2d | 1 | 1 | 1x4x4x2 | 54 | 0 | 4 | 0.16 | 864 | 0 | 0 |
// CHECK: Compression ratio 1.45
// CHECK: Binary MACs (%) 100.00

// IR: llvm.func @conv_zero_pad
// JSON: "layer": "bnn.bconv2d",
// JSON: "memory_bytes": 160,
// JSON: "binary_macs_percent": 100,

// As written: a float conv, 2*3*3*3 = 54 32-bit params, 216 B = 0.21 KiB,
// 864 32-bit MACs.
// FLOAT: | linalg.conv_2d_nhwc_fhwc | 32 | 32 | 1x4x4x2 | 0 | 0 | 54 | 0.21 | 0 | 0 | 864 |
// FLOAT: Compression ratio 1.00

func.func @conv_zero_pad(%x: tensor<1x4x4x3xf32>) -> tensor<1x4x4x2xf32> {
  %s = bnn.sign %x : tensor<1x4x4x3xf32>
  %c0 = arith.constant 0.0 : f32
  %pad = tensor.pad %s low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %c0 : f32
  } : tensor<1x4x4x3xf32> to tensor<1x6x6x3xf32>
  %w = arith.constant dense<[[[[0.5, -0.5, 0.5], [0.5, 0.5, -0.5], [-0.5, 0.5, 0.5]], [[0.5, -0.5, 0.5], [0.5, 0.5, 0.5], [-0.5, 0.5, 0.5]], [[0.5, -0.5, -0.5], [0.5, 0.5, 0.5], [-0.5, 0.5, 0.5]]],
                             [[[-2.0, 2.0, 2.0], [2.0, 2.0, 2.0], [-2.0, -2.0, 2.0]], [[2.0, -2.0, 2.0], [2.0, 2.0, 2.0], [-2.0, 2.0, 2.0]], [[2.0, -2.0, 2.0], [2.0, 2.0, 2.0], [-2.0, 2.0, -2.0]]]]> : tensor<2x3x3x3xf32>
  %e = tensor.empty() : tensor<1x4x4x2xf32>
  %z = linalg.fill ins(%c0 : f32) outs(%e : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%pad, %w : tensor<1x6x6x3xf32>, tensor<2x3x3x3xf32>) outs(%z : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}
