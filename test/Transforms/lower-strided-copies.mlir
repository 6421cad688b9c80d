// RUN: bnn-opt %s -split-input-file -bnn-lower-strided-copies | FileCheck %s

// A copy into a strided subview (a bufferized tensor.pad) becomes loops-to-be.
// CHECK-LABEL: func @strided_target
// CHECK: %[[V:.+]] = memref.subview
// CHECK: linalg.copy ins(%{{.*}} : memref<3x31xf32>) outs(%[[V]] : memref<3x31xf32, strided<[32, 1]>>)
// CHECK-NOT: memref.copy
func.func @strided_target(%src: memref<3x31xf32>, %dst: memref<3x32xf32>) {
  %v = memref.subview %dst[0, 0] [3, 31] [1, 1] : memref<3x32xf32> to memref<3x31xf32, strided<[32, 1]>>
  memref.copy %src, %v : memref<3x31xf32> to memref<3x31xf32, strided<[32, 1]>>
  return
}

// -----

// Contiguous copies stay memref.copy: they become a memcpy.
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<3x31xf32>, %dst: memref<3x31xf32>) {
  memref.copy %src, %dst : memref<3x31xf32> to memref<3x31xf32>
  return
}
