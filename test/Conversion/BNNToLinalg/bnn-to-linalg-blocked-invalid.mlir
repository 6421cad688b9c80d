// A negative channel block is refused when the option is parsed, before any
// IR is read.
// RUN: not bnn-opt %s -bnn-lower=channel-block=-1 2>&1 | FileCheck %s
// CHECK: bnn-lower: channel-block must be >= 0, got -1
// CHECK-NOT: bnn.bdense

module {
  func.func @f(%x: tensor<1x1xi64>, %w: tensor<2x1xi64>) -> tensor<1x2xi32> {
    %0 = bnn.bdense %x, %w size = 64 : tensor<1x1xi64>, tensor<2x1xi64> -> tensor<1x2xi32>
    return %0 : tensor<1x2xi32>
  }
}
