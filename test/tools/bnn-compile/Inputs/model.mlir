// A small float model for the bnn-compile tests: a dense layer with constant
// weights, a function with two inputs and two results, and one on i32.

// out0 = in0 (2x4) * W (4x3) + b
func.func @model(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0],
                             [2.0, 1.0, 0.0],
                             [0.0, -1.0, 1.0],
                             [1.0, 1.0, 1.0]]> : tensor<4x3xf32>
  %b = arith.constant dense<[[0.5, -0.5, 1.0],
                             [0.5, -0.5, 1.0]]> : tensor<2x3xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>)
                      outs(%acc : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.add ins(%mm, %b : tensor<2x3xf32>, tensor<2x3xf32>)
                  outs(%empty : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// out0 = in0 + in1, out1 = in0 * in1
func.func @add_mul(%a: tensor<3xf32>, %b: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %empty = tensor.empty() : tensor<3xf32>
  %sum = linalg.add ins(%a, %b : tensor<3xf32>, tensor<3xf32>)
                    outs(%empty : tensor<3xf32>) -> tensor<3xf32>
  %product = linalg.mul ins(%a, %b : tensor<3xf32>, tensor<3xf32>)
                        outs(%empty : tensor<3xf32>) -> tensor<3xf32>
  return %sum, %product : tensor<3xf32>, tensor<3xf32>
}

// out0 = in0 - in1 on int32_t
func.func @isub(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %empty = tensor.empty() : tensor<4xi32>
  %d = linalg.sub ins(%a, %b : tensor<4xi32>, tensor<4xi32>)
                  outs(%empty : tensor<4xi32>) -> tensor<4xi32>
  return %d : tensor<4xi32>
}
