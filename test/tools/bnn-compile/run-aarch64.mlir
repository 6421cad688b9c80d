// A model compiled for AArch64, linked statically with the cross compiler's
// libc and libm, run under qemu-aarch64.
// REQUIRES: aarch64-run
// RUN: rm -rf %t && mkdir -p %t
// RUN: bnn-compile %S/Inputs/model.mlir --target=aarch64-linux-gnu -o %t/model.o --header %t/model.h
// RUN: %aarch64-cc -static -std=c99 -Wall -Wextra -Werror -I %t %S/Inputs/model_main.c %t/model.o -lm -o %t/model
// RUN: %qemu-aarch64 %t/model | FileCheck %S/Inputs/model_main.c
// RUN: bnn-compile %S/Inputs/model.mlir --target=aarch64-linux-gnu --mcpu=neoverse-n1 -O3 -o %t/model-O3.o
// RUN: %aarch64-cc -static -I %t %S/Inputs/model_main.c %t/model-O3.o -lm -o %t/model-O3
// RUN: %qemu-aarch64 %t/model-O3 | FileCheck %S/Inputs/model_main.c
