// RUN: bnn-opt %s -split-input-file -bnn-vectorize="vector-bits=512 registers=32" | FileCheck %s --check-prefix=AVX512
// RUN: bnn-opt %s -split-input-file -bnn-vectorize="vector-bits=128 registers=32" | FileCheck %s --check-prefix=NEON

// A float 3x3 convolution, 1 -> 16 channels, 28 wide, constant OHWI filter.
// The filter becomes HWCF at compile time (a splat stays a splat). Register
// tiles: AVX-512 - 16 channels (one zmm of f32) x 14 pixels (14 of 32
// registers); NEON - 8 channels (vector<8xf32>, which LLVM splits into 2 q
// registers) x 7 pixels. The zero fill is
// fused into the tile; taps and input channels are loops of one step whose
// accumulators stay in registers (vector iter_args), one FMA per pixel.
// AVX512-LABEL: func @conv_constant_filter
// AVX512: arith.constant dense<5.000000e-01> : tensor<1x1x16xf32>
// AVX512-NOT: linalg.conv
// AVX512: scf.for %{{.*}} = %c0 to %c28 step %c1
// AVX512: scf.for %{{.*}} = %c0 to %c28 step %c14
// AVX512: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<14x16xf32>)
// AVX512: scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<14x16xf32>)
// AVX512-COUNT-14: vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT: vector.fma
// AVX512: scf.yield %{{.*}} : vector<14x16xf32>
// NEON-LABEL: func @conv_constant_filter
// NEON: scf.for %{{.*}} = %c0 to %c28 step %c7
// NEON: scf.for %{{.*}} = %c0 to %c16 step %c8
// NEON: scf.for {{.*}} -> (vector<7x8xf32>)
// NEON-COUNT-7: vector.fma {{.*}} : vector<8xf32>
// NEON-NOT: vector.fma
func.func @conv_constant_filter(%in: tensor<1x30x30x1xf32>) -> tensor<1x28x28x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x3x3x1xf32>
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x28x28x16xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<1x28x28x16xf32>) -> tensor<1x28x28x16xf32>
  %r = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x30x30x1xf32>, tensor<16x3x3x1xf32>) outs(%f : tensor<1x28x28x16xf32>) -> tensor<1x28x28x16xf32>
  return %r : tensor<1x28x28x16xf32>
}

// -----

// A filter computed at run time is transposed at run time; stride 2 takes
// every other input pixel. AVX-512: 32 channels (2 zmm) x 8 pixels.
// AVX512-LABEL: func @conv_stride2_runtime_filter
// NEON-LABEL: func @conv_stride2_runtime_filter
// AVX512: linalg.transpose ins(%{{.*}} : tensor<64x3x3x3xf32>) outs(%{{.*}} : tensor<3x3x3x64xf32>) permutation = [1, 2, 3, 0]
// AVX512: scf.for %{{.*}} = %c0 to %c64 step %c32
// AVX512: scf.for {{.*}} -> (vector<8x32xf32>)
// AVX512: vector.transfer_read {{.*}} : tensor<1x15x1xf32>, vector<15x1xf32>
// AVX512: vector.extract %{{.*}}[0, 0] : f32 from vector<15x1xf32>
// AVX512: vector.fma {{.*}} : vector<32xf32>
// AVX512: vector.extract %{{.*}}[2, 0] : f32 from vector<15x1xf32>
// AVX512-COUNT-7: vector.fma {{.*}} : vector<32xf32>
// AVX512-NOT: vector.fma
func.func @conv_stride2_runtime_filter(%in: tensor<1x17x17x3xf32>, %w: tensor<64x3x3x3xf32>) -> tensor<1x8x8x64xf32> {
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x8x64xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  %r = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : tensor<1x17x17x3xf32>, tensor<64x3x3x3xf32>) outs(%f : tensor<1x8x8x64xf32>) -> tensor<1x8x8x64xf32>
  return %r : tensor<1x8x8x64xf32>
}

// -----

// A matmul: AVX-512 tiles of 8 rows x 32 columns, K in steps of one: eight
// FMAs of a broadcast A element and a row of B per step.
// AVX512-LABEL: func @matmul
// AVX512: scf.for %{{.*}} = %c0 to %c16 step %c8
// AVX512: scf.for %{{.*}} = %c0 to %c128 step %c32
// AVX512: scf.for %{{.*}} = %c0 to %c256 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>)
// AVX512-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// AVX512-NOT: vector.fma
// AVX512: scf.yield %{{.*}} : vector<8x32xf32>
// NEON-LABEL: func @matmul
// NEON: scf.for %{{.*}} = %c0 to %c128 step %c8
// NEON: scf.for {{.*}} -> (vector<8x8xf32>)
// NEON-COUNT-8: vector.fma {{.*}} : vector<8xf32>
// NEON-NOT: vector.fma
func.func @matmul(%a: tensor<16x256xf32>, %b: tensor<256x128xf32>) -> tensor<16x128xf32> {
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x128xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<16x128xf32>) -> tensor<16x128xf32>
  %r = linalg.matmul ins(%a, %b : tensor<16x256xf32>, tensor<256x128xf32>) outs(%f : tensor<16x128xf32>) -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}

// -----

// Weights read as [N, K] through a transposed map are permuted to [K, N] at
// compile time, element by element.
// AVX512-LABEL: func @matmul_transposed_constant
// NEON-LABEL: func @matmul_transposed_constant
// AVX512: arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// AVX512-NOT: linalg.matmul
// AVX512: scf.for {{.*}} -> (vector<4x2xf32>)
// AVX512-COUNT-4: vector.fma {{.*}} : vector<2xf32>
func.func @matmul_transposed_constant(%a: tensor<4x3xf32>, %init: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %b = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<4x3xf32>, tensor<2x3xf32>) outs(%init : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}

// -----

// Left alone: integer matmuls (the packed kernels are bnn-tile's), dynamic
// shapes, and ops already inside a loop.
// AVX512-LABEL: func @integer_matmul
// AVX512: linalg.matmul
// AVX512-NOT: vector.
func.func @integer_matmul(%a: tensor<4x8xi32>, %b: tensor<8x4xi32>, %c: tensor<4x4xi32>) -> tensor<4x4xi32> {
  %r = linalg.matmul ins(%a, %b : tensor<4x8xi32>, tensor<8x4xi32>) outs(%c : tensor<4x4xi32>) -> tensor<4x4xi32>
  return %r : tensor<4x4xi32>
}

// -----

// AVX512-LABEL: func @dynamic_conv
// AVX512: linalg.conv_2d_nhwc_fhwc
// AVX512-NOT: vector.
func.func @dynamic_conv(%in: tensor<?x30x30x1xf32>, %w: tensor<16x3x3x1xf32>, %init: tensor<?x28x28x16xf32>) -> tensor<?x28x28x16xf32> {
  %r = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<?x30x30x1xf32>, tensor<16x3x3x1xf32>) outs(%init : tensor<?x28x28x16xf32>) -> tensor<?x28x28x16xf32>
  return %r : tensor<?x28x28x16xf32>
}

// -----

// AVX512-LABEL: func @matmul_in_loop
// AVX512: scf.for
// AVX512: linalg.matmul
// AVX512-NOT: vector.fma
func.func @matmul_in_loop(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %c) -> (tensor<4x4xf32>) {
    %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
    scf.yield %m : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

// Elementwise generics and fills: vectors along the innermost parallel loop
// (here all 16 channels), one step of every other loop. A pad becomes a fill
// of the padded tensor and an insert_slice.
// AVX512-LABEL: func @elementwise_and_pad
// AVX512-NOT: tensor.pad
// AVX512: scf.for %{{.*}} = %c0 to %c28 step %c1
// AVX512: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// AVX512: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<1x1x1x16xf32>
// AVX512: scf.for %{{.*}} = %c0 to %c30 step %c1
// AVX512: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<1x1x1x16xf32>
// AVX512: tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 28, 28, 16] [1, 1, 1, 1]
func.func @elementwise_and_pad(%x: tensor<1x28x28x16xf32>, %b: tensor<16xf32>) -> tensor<1x30x30x16xf32> {
  %e = tensor.empty() : tensor<1x28x28x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %b : tensor<1x28x28x16xf32>, tensor<16xf32>) outs(%e : tensor<1x28x28x16xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<1x28x28x16xf32>
  %one = arith.constant 1.0 : f32
  %p = tensor.pad %y low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<1x28x28x16xf32> to tensor<1x30x30x16xf32>
  return %p : tensor<1x30x30x16xf32>
}

// -----

// A short reduction (the 64 bits of a packed word) stays whole in the
// vector, and the OR of (x < 0 ? 1 << bit : 0) over the 64 bits is the
// compare's mask as a word: one compare of 4 x 64 floats, one bitcast of
// the 4 x 64 i1 to 4 words (a mask move), one OR into the accumulators.
// AVX512-LABEL: func @pack_words
// AVX512: scf.for %{{.*}} = %c0 to %c8 step %c1
// AVX512: scf.for %{{.*}} = %c0 to %c8 step %c1
// AVX512: %[[NEG:.+]] = arith.cmpf olt, %{{.*}}, %{{.*}} : vector<4x64xf32>
// AVX512: %[[MASK:.+]] = vector.shape_cast %[[NEG]] : vector<4x64xi1> to vector<1x4x64xi1>
// AVX512: vector.bitcast %[[MASK]] : vector<1x4x64xi1> to vector<1x4x1xi64>
// AVX512-NOT: arith.select
// AVX512: arith.ori %{{.*}}, %{{.*}} : vector<4xi64>
// AVX512-NOT: arith.ori
func.func @pack_words(%x: tensor<8x4x64xf32>) -> tensor<8x4xi64> {
  %zero = arith.constant 0 : i64
  %e = tensor.empty() : tensor<8x4xi64>
  %z = linalg.fill ins(%zero : i64) outs(%e : tensor<8x4xi64>) -> tensor<8x4xi64>
  %r = linalg.generic {indexing_maps = [affine_map<(n, w, b) -> (n, w, b)>, affine_map<(n, w, b) -> (n, w)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<8x4x64xf32>) outs(%z : tensor<8x4xi64>) {
  ^bb0(%in: f32, %acc: i64):
    %cz = arith.constant 0.0 : f32
    %neg = arith.cmpf olt, %in, %cz : f32
    %bit = linalg.index 2 : index
    %bit64 = arith.index_cast %bit : index to i64
    %one = arith.constant 1 : i64
    %shifted = arith.shli %one, %bit64 : i64
    %c0 = arith.constant 0 : i64
    %v = arith.select %neg, %shifted, %c0 : i64
    %o = arith.ori %acc, %v : i64
    linalg.yield %o : i64
  } -> tensor<8x4xi64>
  return %r : tensor<8x4xi64>
}

// -----

// Negative: the lanes are not bit i in lane i (here 1 << (63 - i)), so the
// OR stays a reduction (no bitcast).
// AVX512-LABEL: func @pack_words_reversed
// AVX512-NOT: vector.bitcast
// AVX512: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<4x64xi1>, vector<4x64xi64>
// AVX512: arith.ori
func.func @pack_words_reversed(%x: tensor<8x4x64xf32>) -> tensor<8x4xi64> {
  %zero = arith.constant 0 : i64
  %e = tensor.empty() : tensor<8x4xi64>
  %z = linalg.fill ins(%zero : i64) outs(%e : tensor<8x4xi64>) -> tensor<8x4xi64>
  %r = linalg.generic {indexing_maps = [affine_map<(n, w, b) -> (n, w, b)>, affine_map<(n, w, b) -> (n, w)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<8x4x64xf32>) outs(%z : tensor<8x4xi64>) {
  ^bb0(%in: f32, %acc: i64):
    %cz = arith.constant 0.0 : f32
    %neg = arith.cmpf olt, %in, %cz : f32
    %bit = linalg.index 2 : index
    %bit64 = arith.index_cast %bit : index to i64
    %c63 = arith.constant 63 : i64
    %rev = arith.subi %c63, %bit64 : i64
    %one = arith.constant 1 : i64
    %shifted = arith.shli %one, %rev : i64
    %c0 = arith.constant 0 : i64
    %v = arith.select %neg, %shifted, %c0 : i64
    %o = arith.ori %acc, %v : i64
    linalg.yield %o : i64
  } -> tensor<8x4xi64>
  return %r : tensor<8x4xi64>
}

// -----

// Left alone: a long reduction, a window (not a projected permutation) and a
// transposing read (its vector transposes would lower element by element).
// AVX512-LABEL: func @long_reduction_and_window
// AVX512: linalg.generic
// AVX512: linalg.generic
// AVX512: linalg.generic
// AVX512-NOT: vector.
func.func @long_reduction_and_window(%x: tensor<4x1024xf32>, %init: tensor<4xf32>, %img: tensor<1x8x8x1xf32>, %win: tensor<2x2xf32>, %pool: tensor<1x4x4x1xf32>, %t: tensor<8x16xf32>) -> (tensor<4xf32>, tensor<1x4x4x1xf32>, tensor<16x8xf32>) {
  %r = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i, k)>, affine_map<(i, k) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x1024xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(n, h, w, c, kh, kw) -> (n, h * 2 + kh, w * 2 + kw, c)>, affine_map<(n, h, w, c, kh, kw) -> (kh, kw)>, affine_map<(n, h, w, c, kh, kw) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%img, %win : tensor<1x8x8x1xf32>, tensor<2x2xf32>) outs(%pool : tensor<1x4x4x1xf32>) {
  ^bb0(%in: f32, %w: f32, %acc: f32):
    %s = arith.maximumf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x1xf32>
  %e = tensor.empty() : tensor<16x8xf32>
  %tr = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<8x16xf32>) outs(%e : tensor<16x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<16x8xf32>
  return %r, %m, %tr : tensor<4xf32>, tensor<1x4x4x1xf32>, tensor<16x8xf32>
}
