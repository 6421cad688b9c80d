// RUN: bnn-opt %s -split-input-file -bnn-prepare-abi -verify-diagnostics | FileCheck %s

// Arguments of public functions become read-only for bufferization.
// CHECK-LABEL: func @model
// CHECK-SAME: (%{{.*}}: tensor<2x4xf32> {bufferization.writable = false}, %{{.*}}: tensor<3x1xi64> {bufferization.writable = false})
func.func @model(%x: tensor<2x4xf32>, %w: tensor<3x1xi64>) -> tensor<2x4xi32> {
  %0 = arith.constant dense<0> : tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// Private functions are not part of the ABI and are left alone.
// CHECK-LABEL: func private @helper
// CHECK-SAME: (%{{.*}}: tensor<?xf32>)
func.func private @helper(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// Every violation is reported.
// expected-error @+2 {{public function 'dynamic' argument #0 has dynamic shape 'tensor<?x4xf32>'; the compiled-model ABI needs static shapes}}
// expected-error @+1 {{public function 'dynamic' result #0 has dynamic shape 'tensor<?x4xf32>'}}
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{public function 'dynamic_result' result #0 has dynamic shape 'tensor<?xf32>'; the compiled-model ABI needs static shapes}}
func.func @dynamic_result(%x: tensor<4xf32>) -> tensor<?xf32> {
  %0 = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// expected-error @+1 {{public function 'scalar' argument #0 has type 'f32'; the compiled-model ABI takes ranked tensors only}}
func.func @scalar(%x: f32) -> tensor<1xf32> {
  %0 = tensor.from_elements %x : tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// expected-error @+2 {{public function 'half' argument #0 has element type 'f16'; the compiled-model ABI supports f32, i32 and i64}}
// expected-error @+1 {{public function 'half' result #0 has element type 'f16'}}
func.func @half(%x: tensor<4xf16>) -> tensor<4xf16> {
  return %x : tensor<4xf16>
}

// -----

// 2^62 x 4 floats: the byte size overflows the 64-bit sizes the lowered code
// indexes buffers with.
// expected-error @+2 {{public function 'too_big' argument #0 of type 'tensor<4611686018427387904x4xf32>' needs more bytes than a 64-bit size can count}}
// expected-error @+1 {{public function 'too_big' result #0 of type 'tensor<4611686018427387904x4xf32>' needs more bytes than a 64-bit size can count}}
func.func @too_big(%x: tensor<4611686018427387904x4xf32>) -> tensor<4611686018427387904x4xf32> {
  return %x : tensor<4611686018427387904x4xf32>
}

// -----

// Names the compiled code needs from libc or defines itself are refused, in
// public and private functions alike.
// expected-error @+1 {{function 'malloc' takes a name the compiled code needs for itself (the libc allocation and memory functions, and the __bnn_ and _mlir_ prefixes); rename it}}
func.func @malloc(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
// expected-error @+1 {{function '__bnn_helper' takes a name the compiled code needs for itself}}
func.func private @__bnn_helper(%x: f32) -> f32 {
  return %x : f32
}

// -----

// A declared function called on tensors has no buffer ABI to link against;
// on scalars (libm's expf) it is fine.
func.func private @other(tensor<4xf32>) -> tensor<4xf32>
func.func private @expf(f32) -> f32
func.func private @calls(%x: tensor<4xf32>, %s: f32) -> (tensor<4xf32>, f32) {
  // expected-error @+1 {{'other' is only declared, and is called on tensors: a compiled model must define every function it calls on tensors (declared functions, such as libm's, take scalars)}}
  %y = func.call @other(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %e = func.call @expf(%s) : (f32) -> f32
  return %y, %e : tensor<4xf32>, f32
}
