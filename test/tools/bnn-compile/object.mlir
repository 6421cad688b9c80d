// --emit=obj (the default) writes an ELF relocatable object for each target
// whose only undefined symbols come from libc and libm.
// `not grep -v` below prints, and fails on, any symbol outside this list.
// DEFINE: %{libc_libm} = (malloc|free|calloc|realloc|aligned_alloc|posix_memalign|memcpy|memmove|memset|(exp|exp2|expm1|log|log2|log10|log1p|pow|sqrt|cbrt|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|erf|erfc|fabs|floor|ceil|round|roundeven|trunc|rint|nearbyint|fmod|fma|fmin|fmax|copysign|ldexp|frexp)f?)
// RUN: rm -rf %t && mkdir -p %t
// RUN: bnn-compile %s --target=x86_64-linux-gnu --emit=obj -o %t/x86_64.o
// RUN: llvm-readobj --file-headers %t/x86_64.o | FileCheck %s --check-prefix=X86
// RUN: llvm-nm --defined-only %t/x86_64.o | FileCheck %s --check-prefix=SYMS
// RUN: llvm-nm --undefined-only --format=just-symbols %t/x86_64.o | not grep -vxE '%{libc_libm}'

// RUN: bnn-compile %s --target=aarch64-linux-gnu --mcpu=cortex-a72 --emit=obj -o %t/aarch64.o
// RUN: llvm-readobj --file-headers %t/aarch64.o | FileCheck %s --check-prefix=A64
// RUN: llvm-nm --defined-only %t/aarch64.o | FileCheck %s --check-prefix=SYMS
// RUN: llvm-nm --undefined-only --format=just-symbols %t/aarch64.o | not grep -vxE '%{libc_libm}'

// The inference pipeline inlines calls (bnn-normalize then sees the layers
// of called functions); without the bnn passes and at -O0 the private
// helper survives, as a local symbol.
// RUN: bnn-compile %s --target=x86_64-linux-gnu -O0 --no-bnn-passes -o %t/O0.o
// RUN: llvm-nm %t/O0.o | FileCheck %s --check-prefix=O0

// An object can go to stdout too.
// RUN: bnn-compile %s --target=aarch64-linux-gnu -o - > %t/stdout.o
// RUN: llvm-objdump -d %t/stdout.o | FileCheck %s --check-prefix=DISASM

// X86: Format: elf64-x86-64
// X86: Arch: x86_64
// X86: Type: Relocatable
// X86: Machine: EM_X86_64

// A64: Format: elf64-littleaarch64
// A64: Arch: aarch64
// A64: Type: Relocatable
// A64: Machine: EM_AARCH64

// The public function is exported, its private helper is not.
// SYMS: {{^[0-9a-f]+}} T act
// SYMS-NOT: helper
// O0-DAG: {{^[0-9a-f]+}} T act
// O0-DAG: {{^[0-9a-f]+}} t helper

// DISASM: file format elf64-littleaarch64
// DISASM-LABEL: <act>:

// Elementwise math goes to libm (tanhf, expf).
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @act(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = call @helper(%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

func.func private @helper(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %empty = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#map, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%empty : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    %e = math.exp %t : f32
    linalg.yield %e : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
