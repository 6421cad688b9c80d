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

// -----

// A type the LLVM conversion cannot lower (f8) is reported here, on the
// user's op, instead of leaving unrealized casts behind.
func.func @f8(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'arith.truncf' result has type tensor<4xf8E4M3FN>, which the inference pipeline cannot compile (supported: integers, index, f16, bf16, f32, f64 and ranked tensors and vectors of them)}}
  %a = arith.truncf %x : tensor<4xf32> to tensor<4xf8E4M3FN>
  // expected-note @-1 {{1 more op breaks the same contract}}
  %b = arith.extf %a : tensor<4xf8E4M3FN> to tensor<4xf32>
  return %b : tensor<4xf32>
}
