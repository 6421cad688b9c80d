// RUN: bnn-opt %s -split-input-file -canonicalize | FileCheck %s

// Constants of 10^10 elements: a splat folds to a splat without
// materializing a single element (it would need 40 GB).
// CHECK-LABEL: func @sign_of_huge_splat
// CHECK: %[[C:.+]] = arith.constant dense<-1.000000e+00> : tensor<100000x100000xf32>
// CHECK: return %[[C]]
func.func @sign_of_huge_splat() -> tensor<100000x100000xf32> {
  %c = arith.constant dense<-2.0> : tensor<100000x100000xf32>
  %s = bnn.sign %c : tensor<100000x100000xf32>
  return %s : tensor<100000x100000xf32>
}

// -----

// Rows of whole words: the packed splat is one word, all ones for -2.
// CHECK-LABEL: func @pack_of_huge_splat
// CHECK: %[[C:.+]] = arith.constant dense<-1> : tensor<100000x1562xi64>
// CHECK: return %[[C]]
func.func @pack_of_huge_splat() -> tensor<100000x1562xi64> {
  %c = arith.constant dense<-2.0> : tensor<100000x99968xf32>
  %p = bnn.pack %c : tensor<100000x99968xf32> -> tensor<100000x1562xi64>
  return %p : tensor<100000x1562xi64>
}

// -----

// Rows that end in a partial word are not a splat once packed: too large to
// fold, the pack stays.
// CHECK-LABEL: func @pack_of_huge_splat_with_tail
// CHECK: bnn.pack
func.func @pack_of_huge_splat_with_tail() -> tensor<100000x1563xi64> {
  %c = arith.constant dense<-2.0> : tensor<100000x100000xf32>
  %p = bnn.pack %c : tensor<100000x100000xf32> -> tensor<100000x1563xi64>
  return %p : tensor<100000x1563xi64>
}

// -----

// Zero words unpack to +1 everywhere; other splat words are not a splat
// once unpacked and stay.
// CHECK-LABEL: func @unpack_of_huge_splats
// CHECK-DAG: %[[ONES:.+]] = arith.constant dense<1.000000e+00> : tensor<100000x100000xf32>
// CHECK-DAG: %[[U:.+]] = bnn.unpack
// CHECK: return %[[ONES]], %[[U]]
func.func @unpack_of_huge_splats() -> (tensor<100000x100000xf32>, tensor<100000x100000xf32>) {
  %zero = arith.constant dense<0> : tensor<100000x1563xi64>
  %five = arith.constant dense<5> : tensor<100000x1563xi64>
  %a = bnn.unpack %zero size = 100000 : tensor<100000x1563xi64> -> tensor<100000x100000xf32>
  %b = bnn.unpack %five size = 100000 : tensor<100000x1563xi64> -> tensor<100000x100000xf32>
  return %a, %b : tensor<100000x100000xf32>, tensor<100000x100000xf32>
}

// -----

// A non-splat operand with a huge splat one: importance_sign would expand
// both, so it does not fold.
// CHECK-LABEL: func @importance_sign_of_huge_splat
// CHECK: bnn.importance_sign
func.func @importance_sign_of_huge_splat() -> tensor<100000x100000xf32> {
  %x = arith.constant dense<-2.0> : tensor<100000x100000xf32>
  %s = arith.constant dense<1.0> : tensor<100000xf32>
  %y = bnn.importance_sign %x, %s : tensor<100000x100000xf32>, tensor<100000xf32>
  return %y : tensor<100000x100000xf32>
}

// -----

// Two constant 512 x 512 transforms are not composed: the exact product
// would cost 512^3 quad-precision operations (it took 38 s).
// CHECK-LABEL: func @large_transforms
// CHECK: bnn.orthonormal_transform
// CHECK: bnn.orthonormal_transform
func.func @large_transforms(%x: tensor<512x4xf32>) -> tensor<512x4xf32> {
  %q1 = arith.constant dense<0.5> : tensor<512x512xf32>
  %q2 = arith.constant dense<0.25> : tensor<512x512xf32>
  %a = bnn.orthonormal_transform %x, %q1 axis = 0 : tensor<512x4xf32>, tensor<512x512xf32>
  %b = bnn.orthonormal_transform %a, %q2 axis = 0 : tensor<512x4xf32>, tensor<512x512xf32>
  return %b : tensor<512x4xf32>
}
