// The registered pipeline checks its target as bnn-compile does: a triple,
// CPU or feature that LLVM does not know is an error, not a silent
// fallback to 128-bit vectors.
// RUN: not bnn-opt %s --bnn-inference-pipeline='target-triple=foo-bar' 2>&1 | FileCheck %s --check-prefix=TRIPLE
// TRIPLE: error: bnn-inference-pipeline: unknown target triple 'foo-bar' (expected x86_64-linux-gnu, aarch64-linux-gnu or host)
// RUN: not bnn-opt %s --bnn-inference-pipeline='target-triple=x86_64-linux-gnu cpu=xyz' 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: error: bnn-inference-pipeline: unknown cpu 'xyz' for target x86_64-linux-gnu
// RUN: not bnn-opt %s --bnn-inference-pipeline='target-triple=aarch64-linux-gnu features=+nope' 2>&1 | FileCheck %s --check-prefix=FEATURE
// FEATURE: error: bnn-inference-pipeline: unknown feature 'nope' for target aarch64-linux-gnu
// RUN: not bnn-opt %s --bnn-inference-pipeline='target-triple=x86_64-pc-windows-msvc' 2>&1 | FileCheck %s --check-prefix=WINDOWS
// WINDOWS: error: bnn-inference-pipeline: unsupported target triple 'x86_64-pc-windows-msvc': bnn-compile writes ELF objects for Linux
// A known target compiles.
// RUN: bnn-opt %s --bnn-inference-pipeline='target-triple=aarch64-linux-gnu cpu=cortex-a72' | FileCheck %s
// CHECK: llvm.func @identity
func.func @identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
