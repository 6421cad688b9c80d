// The upstream tensor.from_elements parser aborts ("SmallVector unable to
// grow") on a type of 2^62 elements. crash-boundary.test checks that the
// tools turn the abort into one error line.
func.func @f(%a: f32) -> tensor<4611686018427387904xf32> {
  %t = tensor.from_elements %a : tensor<4611686018427387904xf32>
  return %t : tensor<4611686018427387904xf32>
}
