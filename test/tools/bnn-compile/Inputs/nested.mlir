// A public function inside a nested module would not be exported.
module {
  module @inner {
    func.func @hidden(%x: tensor<4xf32>) -> tensor<4xf32> {
      return %x : tensor<4xf32>
    }
  }
}
