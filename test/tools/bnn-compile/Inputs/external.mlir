// Calls a function the object does not define and that is not in libc or
// libm: the compiled-model ABI cannot link it.
#map = affine_map<(d0) -> (d0)>
func.func private @scale_from_elsewhere(f32) -> f32
func.func private @expf(f32) -> f32

func.func @uses_external(%x: tensor<4xf32>) -> tensor<4xf32> {
  %empty = tensor.empty() : tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%empty : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = func.call @expf(%in) : (f32) -> f32
    %s = func.call @scale_from_elsewhere(%e) : (f32) -> f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %y : tensor<4xf32>
}
