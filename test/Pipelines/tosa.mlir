// A TOSA model compiles: the inference pipeline runs the upstream TOSA to
// linalg passes first, bnn-normalize reads the lowered sign
// (greater_equal + select) and the zero bias, and the binary convolution is
// packed. test/e2e/normalize runs a TOSA model on both targets.
// RUN: bnn-compile %s --target=x86_64-linux-gnu --emit=mlir -o /dev/null --summary --remarks 2>&1 | FileCheck %s
// CHECK-NOT: remark
// CHECK: | bnn.bconv2d {{.*}}| 1x6x6x16 |   1152 |
// CHECK: Binary MACs (%){{ +}}100.00

// A TOSA op without a lowering is one error on the user's op.
// RUN: not bnn-compile %S/Inputs/tosa-custom.mlir --target=x86_64-linux-gnu -o /dev/null 2>&1 | FileCheck %s --check-prefix=CUSTOM
// CUSTOM: tosa-custom.mlir:2:8: error: failed to legalize operation 'tosa.custom'

func.func @tosa_bnn(%x: tensor<1x6x6x8xf32>) -> tensor<1x6x6x16xf32> {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %mone = "tosa.const"() <{values = dense<-1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %c = tosa.greater_equal %x, %zero : (tensor<1x6x6x8xf32>, tensor<1x1x1x1xf32>) -> tensor<1x6x6x8xi1>
  %s = tosa.select %c, %one, %mone : (tensor<1x6x6x8xi1>, tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x6x6x8xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<16x3x3x8xf32>}> : () -> tensor<16x3x3x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<16xf32>}> : () -> tensor<16xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %s, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x8xf32>, tensor<16x3x3x8xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x16xf32>
  return %y : tensor<1x6x6x16xf32>
}
