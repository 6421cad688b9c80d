// A packed layer with temporaries of several sizes (the packed input, its
// padded copy, the blocked filter, the accumulators), for buffer-cache.test.
func.func @layer(%x: tensor<2x16x16x64xf32>, %f: tensor<40x3x3x1xi64>) -> tensor<2x16x16x40xi32> {
  %p = bnn.pack %x : tensor<2x16x16x64xf32> -> tensor<2x16x16x1xi64>
  %c = bnn.bconv2d %p, %f channels_in = 64 strides = [1, 1] padding = [1, 1, 1, 1]
      : tensor<2x16x16x1xi64>, tensor<40x3x3x1xi64> -> tensor<2x16x16x40xi32>
  return %c : tensor<2x16x16x40xi32>
}
