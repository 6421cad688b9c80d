// A public function the compiled-model ABI cannot take: dynamic shapes.
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
