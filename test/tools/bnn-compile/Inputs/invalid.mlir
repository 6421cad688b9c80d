// Not MLIR: the parser rejects it.
func.func @broken(%x: tensor<4xf32> {
