// RUN: not bnn-opt %s -bnn-inference-pipeline 2>&1 | FileCheck %s

// The ABI check runs first and names the function.
// CHECK: error: public function 'dynamic' argument #0 has dynamic shape 'tensor<?x4xf32>'
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = bnn.sign %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
