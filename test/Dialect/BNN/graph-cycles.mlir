// RUN: bnn-opt %s -canonicalize | FileCheck %s
// RUN: bnn-opt %s -bnn-inference-pipeline | FileCheck %s --check-prefix=PIPELINE

// A module is a graph region: ops may use values defined after them, so
// bnn ops can form cycles. The folders and canonicalization patterns must
// not rewrite a cycle into itself forever (sign(sign(x)) -> sign(x) and the
// transform cancellation and composition did); the dead cycles go.
// CHECK: module {
// CHECK-NEXT: }
// PIPELINE: module
module {
  %a = bnn.sign %b : tensor<4xf32>
  %b = bnn.sign %a : tensor<4xf32>
  %c = bnn.sign %d : tensor<4xf32>
  %d = bnn.sign %e : tensor<4xf32>
  %e = bnn.sign %c : tensor<4xf32>
  %q = arith.constant dense<[[0.0, 1.0], [1.0, 0.0]]> : tensor<2x2xf32>
  %t1 = bnn.orthonormal_transform %t2, %q axis = 0 : tensor<2x4xf32>, tensor<2x2xf32>
  %t2 = bnn.orthonormal_transform %t1, %q axis = 0 transpose = true : tensor<2x4xf32>, tensor<2x2xf32>
  %u1 = bnn.orthonormal_transform %u2, %q axis = 0 : tensor<2x4xf32>, tensor<2x2xf32>
  %u2 = bnn.orthonormal_transform %u1, %q axis = 0 : tensor<2x4xf32>, tensor<2x2xf32>
}
