// RUN: bnn-opt %s -split-input-file -bnn-lower -verify-diagnostics

func.func @dynamic_batch(%in: tensor<?x5x7x1xi32>, %f: tensor<4x3x3x1xi32>) -> tensor<?x3x5x4xi32> {
  // expected-error @+1 {{cannot lower 'bnn.bconv2d': bnn-lower needs static shapes on every operand and result}}
  %0 = bnn.bconv2d %in, %f channels_in = 1 strides = [1, 1] padding = [0, 0, 0, 0]
      : tensor<?x5x7x1xi32>, tensor<4x3x3x1xi32> -> tensor<?x3x5x4xi32>
  return %0 : tensor<?x3x5x4xi32>
}

// -----

func.func @dynamic_sign(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{cannot lower 'bnn.sign'}}
  %0 = bnn.sign %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}
