// RUN: bnn-opt %s -split-input-file -bnn-verify-lowered -verify-diagnostics | FileCheck %s

// Upstream ops on tensors pass.
// CHECK-LABEL: func @lowered
func.func @lowered(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = math.absf %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @leftover(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'bnn.sign' is not supported by the inference pipeline}}
  %0 = bnn.sign %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @vector(%x: vector<4xf32>) -> vector<4xf32> {
  // expected-error @+1 {{'vector.broadcast' is not supported by the inference pipeline}}
  %0 = vector.broadcast %x : vector<4xf32> to vector<4xf32>
  return %0 : vector<4xf32>
}
