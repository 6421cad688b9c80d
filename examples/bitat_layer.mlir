// A BiTAT-style binarized layer in Level 1 form, as a training graph leaves
// it: the weight is importance_sign(orthonormal_transform(W, V), S) of
// trained constants, the input activation is binarized with bnn.sign.
//
//   bnn-opt examples/bitat_layer.mlir -canonicalize
//
// folds the weight expression into one constant (the transform costs
// nothing at inference) and packs the constant weights into bits.
func.func @bitat_dense(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3x1xi64>) {
  // Trained constants: W (3 outputs x 4 inputs), a rotation V of the input
  // axis, and the importance of each input position.
  %w = arith.constant dense<[[0.5, -1.0, 0.25, 2.0],
                             [-0.75, 0.5, -1.5, 0.125],
                             [1.0, 1.0, -1.0, -0.5]]> : tensor<3x4xf32>
  %v = arith.constant dense<[[0.0, 1.0, 0.0, 0.0],
                             [-1.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 1.0],
                             [0.0, 0.0, -1.0, 0.0]]> : tensor<4x4xf32>
  %s = arith.constant dense<[1.0, 2.0, 0.5, 0.5]> : tensor<4xf32>
  %rotated = bnn.orthonormal_transform %w, %v axis = 1 : tensor<3x4xf32>, tensor<4x4xf32>
  %weight = bnn.importance_sign %rotated, %s : tensor<3x4xf32>, tensor<4xf32>
  %packed = bnn.pack %weight : tensor<3x4xf32> -> tensor<3x1xi64>
  // The activation stays symbolic; sign(sign(x)) folds to sign(x).
  %a = bnn.sign %x : tensor<2x4xf32>
  %b = bnn.sign %a : tensor<2x4xf32>
  return %b, %weight, %packed : tensor<2x4xf32>, tensor<3x4xf32>, tensor<3x1xi64>
}
