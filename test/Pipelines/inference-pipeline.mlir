// RUN: bnn-opt %s -split-input-file -bnn-inference-pipeline | FileCheck %s
// RUN: bnn-opt %s -split-input-file -bnn-inference-pipeline="target-triple=aarch64-linux-gnu cpu=cortex-a72" | FileCheck %s
// Compiled models call libc (malloc, free) and libm only, never the MLIR
// runtime (strided copies of padded tensors become loops).
// RUN: bnn-opt %s -split-input-file -bnn-inference-pipeline | FileCheck %s --check-prefix=LIBC
// LIBC-NOT: memrefCopy

// A packed model: inputs then results as bare pointers, nothing but LLVM
// dialect left; results come back through out-parameters.
// CHECK-LABEL: llvm.func @packed_layer
// CHECK-SAME: (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: bnn.
// CHECK-NOT: linalg.
// CHECK: llvm.intr.ctpop
// CHECK: llvm.return
func.func @packed_layer(%x: tensor<1x5x5x65xf32>, %f: tensor<4x3x3x2xi64>) -> tensor<1x5x5x1xi64> {
  %p = bnn.pack %x : tensor<1x5x5x65xf32> -> tensor<1x5x5x2xi64>
  %acc = bnn.bconv2d %p, %f channels_in = 65 strides = [1, 1] padding = [1, 1, 1, 1]
      : tensor<1x5x5x2xi64>, tensor<4x3x3x2xi64> -> tensor<1x5x5x4xi32>
  %t = arith.constant dense<[0, 1, -1, 3]> : tensor<4xi32>
  %y = bnn.threshold %acc, %t : tensor<1x5x5x4xi32>, tensor<4xi32> -> tensor<1x5x5x1xi64>
  return %y : tensor<1x5x5x1xi64>
}

// -----

// CHECK-LABEL: llvm.func @float_layer
// CHECK-SAME: (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK: llvm.fmul
func.func @float_layer(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %c = arith.constant dense<2.0> : tensor<2x4xf32>
  %0 = arith.mulf %x, %c : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
