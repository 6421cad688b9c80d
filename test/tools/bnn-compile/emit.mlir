// --emit=llvm|asm|mlir write what they name, for both targets.
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu --mcpu=skylake --emit=llvm -o - | FileCheck %s --check-prefix=LLVM
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu --emit=asm -o - | FileCheck %s --check-prefix=X86-ASM
// RUN: bnn-compile %S/Inputs/model.mlir --target=aarch64-linux-gnu --emit=asm -o - | FileCheck %s --check-prefix=A64-ASM
// RUN: bnn-compile %S/Inputs/model.mlir --target=aarch64-linux-gnu --emit=mlir -o - | FileCheck %s --check-prefix=MLIR

// Every optimization level compiles; the input may come from stdin and the
// default is an object.
// RUN: rm -rf %t && mkdir -p %t
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu -O0 --emit=llvm -o - | FileCheck %s --check-prefix=LLVM-O0
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu -O1 --emit=llvm -o - | FileCheck %s --check-prefix=LLVM-O0
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu -O3 --emit=llvm -o - | FileCheck %s --check-prefix=LLVM-O0
// RUN: bnn-compile - --target=x86_64-linux-gnu -o %t/stdin.o < %S/Inputs/model.mlir
// RUN: llvm-readobj --file-headers %t/stdin.o | FileCheck %s --check-prefix=OBJ

// The module carries the TargetMachine's triple and data layout, and every
// function the CPU it was compiled for; the ABI is one pointer per tensor,
// inputs first, results last. LLVM proves that the input is only read.
// LLVM: target datalayout = "e-m:e-
// LLVM: target triple = "x86_64-unknown-linux-gnu"
// LLVM-LABEL: define void @model(ptr readonly {{.*}}, ptr {{.*}})
// LLVM-LABEL: define void @add_mul(ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, ptr {{.*}})
// LLVM-LABEL: define void @isub(ptr {{.*}}, ptr {{.*}}, ptr {{.*}})
// LLVM: attributes #{{[0-9]+}} = { {{.*}}"target-cpu"="skylake"

// LLVM-O0: define void @model(ptr

// X86-ASM:      .globl model
// X86-ASM:      .type model,@function
// X86-ASM-LABEL: model:
// X86-ASM:      .size model, .Lfunc_end{{[0-9]+}}-model
// X86-ASM-LABEL: add_mul:
// X86-ASM-LABEL: isub:

// A64-ASM:      .globl model
// A64-ASM-LABEL: model:
// A64-ASM:      .size model, .Lfunc_end{{[0-9]+}}-model
// A64-ASM-LABEL: add_mul:
// A64-ASM-LABEL: isub:

// The LLVM-dialect module after the pipeline: no tensors, no func.func.
// MLIR-NOT:   func.func
// MLIR-LABEL: llvm.func @model(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// MLIR-LABEL: llvm.func @add_mul(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// MLIR-LABEL: llvm.func @isub(
// MLIR-NOT:   tensor<

// OBJ: Format: elf64-x86-64
