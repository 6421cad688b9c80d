// RUN: bnn-opt %s -bnn-inference-pipeline="target-triple=x86_64-linux-gnu cpu=znver4" | FileCheck %s
// RUN: bnn-opt %s -bnn-inference-pipeline="target-triple=aarch64-linux-gnu cpu=cortex-a72" | FileCheck %s --check-prefix=NEON

// The input word of each pixel of a register tile reaches the vector lanes
// as one splat (insertelement + zero shuffle), not as one insertelement per
// lane: neither bnn-vectorize's cleanup nor the canonicalizers after it
// rewrite the tile's rows into a vector.from_elements of every scalar.
// Tiles of 2 pixels (14 has no divisor in 3..4) by 32 lanes on AVX-512, by
// 8 lanes (4 q registers of 2 words) on NEON.
// CHECK-LABEL: llvm.func @conv
// CHECK: %[[WORD:.+]] = llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i32] : vector<32xi64>
// CHECK-NEXT: llvm.shufflevector %[[WORD]], %{{.*}} [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] : vector<32xi64>
// CHECK-NOT: llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i64] : vector<32xi64>
// CHECK: llvm.return
// NEON-LABEL: llvm.func @conv
// NEON: %[[WORD:.+]] = llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i32] : vector<8xi64>
// NEON-NEXT: llvm.shufflevector %[[WORD]], %{{.*}} [0, 0, 0, 0, 0, 0, 0, 0] : vector<8xi64>
// NEON-NOT: llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i64] : vector<8xi64>
// NEON: llvm.return
func.func @conv(%x: tensor<1x14x14x4xi64>, %f: tensor<256x3x3x4xi64>) -> tensor<1x14x14x256xi32> {
  %0 = bnn.bconv2d %x, %f channels_in = 256 strides = [1, 1] padding = [1, 1, 1, 1]
      : tensor<1x14x14x4xi64>, tensor<256x3x3x4xi64> -> tensor<1x14x14x256xi32>
  return %0 : tensor<1x14x14x256xi32>
}
