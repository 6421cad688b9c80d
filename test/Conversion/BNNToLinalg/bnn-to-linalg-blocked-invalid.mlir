// RUN: bnn-opt %s -bnn-lower=channel-block=-1 -verify-diagnostics

// expected-error @+1 {{bnn-lower: channel-block must be >= 0, got -1}}
module {
  func.func @f(%x: tensor<1x1xi64>, %w: tensor<2x1xi64>) -> tensor<1x2xi32> {
    %0 = bnn.bdense %x, %w size = 64 : tensor<1x1xi64>, tensor<2x1xi64> -> tensor<1x2xi32>
    return %0 : tensor<1x2xi32>
  }
}
