func.func @custom(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tosa.custom %x {domain_name = "acme", implementation_attrs = "", operator_name = "magic"} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
