// RUN: bnn-opt %s -bnn-summary 2>&1 >/dev/null | FileCheck %s

// A private function called twice is listed at each call, in the caller's
// rows, with its MACs each time and its parameters once; it has no rows
// of its own. A generic matmul is a layer too.

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK:      | Layer
// CHECK:      +---
// CHECK-NEXT: | linalg.matmul   |    32 |     32 |    2x8 |      0 |      0 |    128 |   0.50 |     0 |     0 |    256 |
// CHECK-NEXT: | linalg.matmul   |    32 |     32 |    2x8 |      0 |      0 |      0 |   0.00 |     0 |     0 |    256 |
// CHECK-NEXT: | linalg.generic  |    32 |     32 |    2x8 |      0 |      0 |     64 |   0.25 |     0 |     0 |    128 |
// CHECK-NEXT: +---
// CHECK-NOT:  @dense
// CHECK:      Total MACs{{ +}}640

func.func private @dense(%x: tensor<2x16xf32>) -> tensor<2x8xf32> {
  %w = arith.constant dense<0.5> : tensor<16x8xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<2x8xf32>) -> tensor<2x8xf32>
  %r = linalg.matmul ins(%x, %w : tensor<2x16xf32>, tensor<16x8xf32>) outs(%i : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

func.func @model(%x: tensor<2x16xf32>, %y: tensor<2x16xf32>) -> tensor<2x8xf32> {
  %a = func.call @dense(%x) : (tensor<2x16xf32>) -> tensor<2x8xf32>
  %b = func.call @dense(%y) : (tensor<2x16xf32>) -> tensor<2x8xf32>
  %w = arith.constant dense<0.25> : tensor<8x8xf32>
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %w : tensor<2x8xf32>, tensor<8x8xf32>) outs(%b : tensor<2x8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}
