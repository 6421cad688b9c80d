// Only a private function and a declaration: nothing is exported.
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
func.func private @external(tensor<2xf32>) -> tensor<2xf32>
