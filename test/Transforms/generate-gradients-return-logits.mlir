// RUN: bnn-opt %s -bnn-generate-gradients=return-logits=true | FileCheck %s
// RUN: bnn-opt %s -bnn-generate-gradients | FileCheck %s --check-prefix=DEFAULT

// return-logits (what bnn-train uses to count correct predictions): the
// logits come last, after the gradients and the batch statistics.
// CHECK-LABEL: func.func @model_grad(
// CHECK-SAME: -> (tensor<f32>, tensor<8x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4x3xf32>)
// CHECK: %[[LOGITS:.+]] = bnn.batch_norm
// CHECK: return {{.*}}, %[[LOGITS]] : {{.*}}, tensor<4x3xf32>
// DEFAULT-LABEL: func.func @model_grad(
// DEFAULT-SAME: -> (tensor<f32>, tensor<8x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
func.func @model(%x: tensor<4x8xf32>, %w: tensor<8x3xf32> {bnn.param},
                 %g: tensor<3xf32> {bnn.param}, %b: tensor<3xf32> {bnn.param}) -> tensor<4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x3xf32>) outs(%z : tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = bnn.batch_norm %h, %g, %b : tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>
  return %y : tensor<4x3xf32>
}
