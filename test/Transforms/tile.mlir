// RUN: bnn-opt %s -split-input-file -bnn-lower=channel-block=32 -canonicalize -bnn-tile="vector-bits=512 registers=32" | FileCheck %s --check-prefix=AVX512
// RUN: bnn-opt %s -split-input-file -bnn-lower=channel-block=8 -canonicalize -bnn-tile="vector-bits=256 registers=16" | FileCheck %s --check-prefix=AVX2
// RUN: bnn-opt %s -split-input-file -bnn-lower=channel-block=8 -canonicalize -bnn-tile="vector-bits=128 registers=32" | FileCheck %s --check-prefix=NEON

// A 3x3 binary convolution, 64 -> 64 channels, 56 wide. Register tiles:
//   AVX-512 - B = 32 channels (4 zmm of i64 words) x P = 4 pixels (16 of 32
//            registers hold accumulators); 64 channels are 2 blocks.
//   AVX2 -    B = 8 (2 ymm) x P = 4 (8 of 16 registers).
//   NEON -    B = 8 (4 q registers) x P = 4 (16 of 32 registers).
// Every tap's XOR-popcount-add runs on the whole tile in registers: nine
// popcounts of one vector, no accumulator stored between taps.
// AVX512-LABEL: func @conv_56x56x64
// AVX512: scf.for %{{.*}} = %c0 to %c56 step %c1
// AVX512: scf.for %{{.*}} = %c0 to %c56 step %c4
// AVX512: scf.for %{{.*}} = %c0 to %c2 step %c1
// AVX512-COUNT-9: math.ctpop %{{.*}} : vector<4x32xi64>
// AVX512-NOT: math.ctpop
// AVX512: vector.transfer_write %{{.*}} : vector<4x1x32xi32>, tensor<1x1x4x1x32xi32>
// AVX512-NOT: bnn.register_tile
// AVX2-LABEL: func @conv_56x56x64
// AVX2: scf.for %{{.*}} = %c0 to %c56 step %c4
// AVX2: scf.for %{{.*}} = %c0 to %c8 step %c1
// AVX2-COUNT-9: math.ctpop %{{.*}} : vector<4x8xi64>
// NEON-LABEL: func @conv_56x56x64
// NEON: scf.for %{{.*}} = %c0 to %c56 step %c4
// NEON-COUNT-9: math.ctpop %{{.*}} : vector<4x8xi64>
func.func @conv_56x56x64(%in: tensor<1x56x56x1xi64>, %f: tensor<64x3x3x1xi64>) -> tensor<1x56x56x64xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 64 strides = [1, 1] padding = [1, 1, 1, 1]
      : tensor<1x56x56x1xi64>, tensor<64x3x3x1xi64> -> tensor<1x56x56x64xi32>
  return %0 : tensor<1x56x56x64xi32>
}

// -----

// Output width 7 (prime): no divisor of 7 but 1 fits the budget of 4
// pixels, so the pixel loop is peeled: a tile of 4 pixels (the loop over the
// 7 output pixels has one iteration and folds away) and a last tile of 3,
// both with static shapes. Two words per pixel (128 channels): each tap's
// word loop carries the accumulators in registers (iter_args of vector
// type), from tap to tap.
// AVX512-LABEL: func @conv_7x7x128_stride2
// AVX512: scf.for %{{.*}} = %c0 to %c7 step %c1
// AVX512: scf.for %{{.*}} = %c0 to %c2 step %c1
// AVX512: %[[TAP0:.+]] = scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<4x32xi64>)
// Each pixel's input word is read once and broadcast to the 32 lanes (no
// broadcast to [32, 1] and transpose: one splat per pixel).
// AVX512: %[[WORDS:.+]] = vector.transfer_read {{.*}} : tensor<1x1x4x1xi64>, vector<4x1xi64>
// AVX512-COUNT-4: vector.broadcast %{{.*}} : i64 to vector<32xi64>
// AVX512-NOT: vector.transpose
// AVX512-NOT: vector<32x1xi64>
// AVX512: math.ctpop %{{.*}} : vector<4x32xi64>
// AVX512: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %[[TAP0]]) -> (vector<4x32xi64>)
// AVX512: vector.transfer_write %{{.*}} : vector<4x1x32xi32>
// AVX512: scf.for %{{.*}} = %c0 to %c2 step %c1
// AVX512: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<3x32xi64>)
// AVX512: math.ctpop %{{.*}} : vector<3x32xi64>
// AVX512: vector.transfer_write %{{.*}} : vector<3x1x32xi32>
// AVX2-LABEL: func @conv_7x7x128_stride2
// AVX2: scf.for %{{.*}} = %c0 to %c7 step %c1
// AVX2: scf.for %{{.*}} = %c0 to %c8 step %c1
// AVX2: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<4x8xi64>)
// AVX2: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<3x8xi64>)
func.func @conv_7x7x128_stride2(%in: tensor<1x14x14x2xi64>, %f: tensor<64x3x3x2xi64>) -> tensor<1x7x7x64xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 128 strides = [2, 2] padding = [1, 1, 1, 1]
      : tensor<1x14x14x2xi64>, tensor<64x3x3x2xi64> -> tensor<1x7x7x64xi32>
  return %0 : tensor<1x7x7x64xi32>
}

// -----

// Dense at batch 16: P = 4 rows (AVX-512: 4 x 32 channels).
// AVX512-LABEL: func @dense_16x4096
// AVX512: scf.for %{{.*}} = %c0 to %c16 step %c4
// AVX512: scf.for %{{.*}} = %c0 to %c8 step %c1
// AVX512: scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<4x32xi64>)
// AVX512: math.ctpop %{{.*}} : vector<4x32xi64>
// NEON-LABEL: func @dense_16x4096
// NEON: scf.for %{{.*}} = %c0 to %c16 step %c4
// NEON: scf.for %{{.*}} = %c0 to %c32 step %c1
// NEON: scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<4x8xi64>)
func.func @dense_16x4096(%x: tensor<16x64xi64>, %w: tensor<256x64xi64>) -> tensor<16x256xi32> {
  %0 = bnn.bdense %x, %w size = 4096 : tensor<16x64xi64>, tensor<256x64xi64> -> tensor<16x256xi32>
  return %0 : tensor<16x256xi32>
}

// -----

// Negative: ops without the bnn.register_tile marker (a convolution of more
// groups than bnn-lower splits, in the one-generic form) are left alone.
// AVX512-LABEL: func @grouped_untouched
// AVX512-NOT: scf.for
// AVX512-NOT: vector.
// AVX512: linalg.generic
// AVX512: return
func.func @grouped_untouched(%in: tensor<1x4x4x17xi64>, %f: tensor<17x1x1x1xi64>) -> tensor<1x4x4x17xi32> {
  %0 = bnn.bconv2d %in, %f channels_in = 1088 strides = [1, 1] padding = [0, 0, 0, 0] groups = 17
      : tensor<1x4x4x17xi64>, tensor<17x1x1x1xi64> -> tensor<1x4x4x17xi32>
  return %0 : tensor<1x4x4x17xi32>
}
