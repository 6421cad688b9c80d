// Every user error is reported with one `error:` line (or the diagnostics of
// the IR at fault) and exit code 1, never a crash, and leaves no output.
// RUN: rm -rf %t && mkdir -p %t
// DEFINE: %{model} = %S/Inputs/model.mlir

// RUN: not bnn-compile %{model} --target=riscv64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=TRIPLE
// TRIPLE: error: unknown target triple 'riscv64-linux-gnu' (expected x86_64-linux-gnu, aarch64-linux-gnu or host)
// RUN: not bnn-compile %{model} --target=i686-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=TRIPLE32
// TRIPLE32: error: unsupported target triple 'i686-linux-gnu': bnn-compile generates code for x86_64 and aarch64 only
// Objects are ELF for Linux (docs/ABI.md): no COFF, no Mach-O.
// RUN: not bnn-compile %{model} --target=x86_64-pc-windows-msvc -o %t/out.o 2>&1 | FileCheck %s --check-prefix=WINDOWS
// WINDOWS: error: unsupported target triple 'x86_64-pc-windows-msvc': bnn-compile writes ELF objects for Linux (docs/ABI.md); use x86_64-linux-gnu or aarch64-linux-gnu
// RUN: not bnn-compile %{model} --target=arm64-apple-darwin -o %t/out.o 2>&1 | FileCheck %s --check-prefix=DARWIN
// DARWIN: error: unsupported target triple 'arm64-apple-darwin': bnn-compile writes ELF objects
// RUN: not bnn-compile %{model} --target=x86_64-unknown-unknown-coff -o %t/out.o 2>&1 | FileCheck %s --check-prefix=COFF
// COFF: error: unsupported target triple 'x86_64-unknown-unknown-coff': bnn-compile writes ELF objects
// A full disk is an error line, not an LLVM abort.
// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu -o /dev/full 2>&1 | FileCheck %s --check-prefix=FULL
// FULL: error: cannot write '/dev/full': No space left on device
// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu -o %t/out.o --header /dev/full 2>&1 | FileCheck %s --check-prefix=FULL-HEADER
// FULL-HEADER: error: cannot write '/dev/full': No space left on device
// RUN: not ls %t/out.o

// RUN: not bnn-compile %{model} --target=aarch64-linux-gnu --mcpu=foo -o %t/out.o 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: error: unknown cpu 'foo' for target aarch64-linux-gnu
// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu --mcpu=cortex-a72 -o %t/out.o 2>&1 | FileCheck %s --check-prefix=CPU-X86
// CPU-X86: error: unknown cpu 'cortex-a72' for target x86_64-linux-gnu

// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu --mattr=+foo -o %t/out.o 2>&1 | FileCheck %s --check-prefix=FEATURE
// FEATURE: error: unknown feature 'foo' for target x86_64-linux-gnu
// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu --mattr=avx2 -o %t/out.o 2>&1 | FileCheck %s --check-prefix=FEATURE-SIGN
// FEATURE-SIGN: error: feature 'avx2' needs a '+' or '-' prefix (--mattr=+avx2)

// RUN: not bnn-compile %t/does-not-exist.mlir --target=x86_64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory

// RUN: not bnn-compile %S/Inputs/invalid.mlir --target=x86_64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=INVALID
// INVALID: invalid.mlir:2:{{[0-9]+}}: error:

// The pipeline's ABI check names the function, and the failure comes with
// the bnn-opt command that reproduces it.
// RUN: not bnn-compile %S/Inputs/dynamic.mlir --target=x86_64-linux-gnu -o %t/out.o --header %t/out.h 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: dynamic.mlir:2:1: error: public function 'dynamic' argument #0 has dynamic shape 'tensor<?x4xf32>'; the compiled-model ABI needs static shapes
// DYNAMIC-NOT: see current operation
// DYNAMIC: note: reproduce with: bnn-opt {{.*}}dynamic.mlir --pass-pipeline='builtin.module(bnn-inference-pipeline{binarize=true buffer-cache=true cpu=generic features= summary= summary-output=- target-triple=x86_64-linux-gnu tile=true})'
// The reproducer reproduces.
// RUN: not bnn-opt %S/Inputs/dynamic.mlir --bnn-inference-pipeline='target-triple=x86_64-linux-gnu cpu=generic' 2>&1 | FileCheck %s --check-prefix=REPRODUCED
// REPRODUCED: error: public function 'dynamic' argument #0 has dynamic shape

// RUN: not bnn-compile %S/Inputs/keyword.mlir --target=x86_64-linux-gnu -o %t/out.o --header %t/out.h 2>&1 | FileCheck %s --check-prefix=KEYWORD
// KEYWORD: keyword.mlir:2:1: error: public function 'double' cannot be declared in the C header: its name is not a C identifier or is a C or C++ keyword

// The object may depend on libc and libm only (expf is fine); --emit=llvm
// still shows the IR.
// RUN: not bnn-compile %S/Inputs/external.mlir --target=aarch64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=EXTERNAL
// EXTERNAL: error: function 'uses_external' calls 'scale_from_elsewhere', which is in neither libc nor libm: the compiled-model ABI allows no other dependency (docs/ABI.md)
// EXTERNAL-NOT: expf
// RUN: bnn-compile %S/Inputs/external.mlir --target=aarch64-linux-gnu --emit=llvm -o - | FileCheck %s --check-prefix=EXTERNAL-IR
// EXTERNAL-IR: declare {{.*}}float @scale_from_elsewhere(float

// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu 2>&1 | FileCheck %s --check-prefix=NO-OUTPUT
// NO-OUTPUT: error: no output file; use -o <file> (- for stdout)

// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu --emit=exe -o %t/out.o 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: error: unknown --emit value 'exe' (expected obj, asm, llvm or mlir)

// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu -O4 -o %t/out.o 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: error: unknown optimization level '-O4' (expected -O0, -O1, -O2 or -O3)

// Nothing was written by any of the failures above.
// An input without a public function (an empty file, declarations only)
// would compile to an empty object.
// RUN: not bnn-compile /dev/null --target=x86_64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: '/dev/null' defines no public function with a body: nothing to compile
// RUN: not bnn-compile %S/Inputs/private-only.mlir --target=x86_64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=PRIVATE
// PRIVATE: error: '{{.*}}private-only.mlir' defines no public function with a body: nothing to compile

// -o and --header naming one file.
// RUN: not bnn-compile %{model} --target=x86_64-linux-gnu -o %t/same --header %t/same 2>&1 | FileCheck %s --check-prefix=SAME
// SAME: error: -o and --header name the same file '{{.*}}same'; the header would overwrite the output
// RUN: not ls %t/same

// RUN: not ls %t/out.o
// RUN: not ls %t/out.h

// Public functions that the object would silently miss.
// RUN: not bnn-compile %S/Inputs/nested.mlir --target=x86_64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=NESTED
// NESTED: nested.mlir:4:5: error: public function 'hidden' is inside a nested module; bnn-compile exports the public functions of the top-level module only
// RUN: not bnn-compile %S/Inputs/empty-name.mlir --target=x86_64-linux-gnu -o %t/out.o 2>&1 | FileCheck %s --check-prefix=EMPTY-NAME
// EMPTY-NAME: empty-name.mlir:2:1: error: a public function needs a name to be exported
