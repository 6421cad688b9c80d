// A compiled model linked with a C program through its generated header,
// with nothing but libc and libm, run natively (PIE: the object is PIC).
// REQUIRES: x86_64-run
// RUN: rm -rf %t && mkdir -p %t
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu -o %t/model.o --header %t/model.h
// RUN: %cc -std=c99 -Wall -Wextra -Werror -I %t %S/Inputs/model_main.c %t/model.o -lm -o %t/model
// RUN: %t/model | FileCheck %S/Inputs/model_main.c

// The same for this machine's CPU and features, at both ends of -O.
// RUN: bnn-compile %S/Inputs/model.mlir --target=host -O0 -o %t/model-O0.o --header %t/model.h
// RUN: %cc -I %t %S/Inputs/model_main.c %t/model-O0.o -lm -o %t/model-O0
// RUN: %t/model-O0 | FileCheck %S/Inputs/model_main.c
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu --mcpu=host -O3 -o %t/model-O3.o --header %t/model.h
// RUN: %cc -I %t %S/Inputs/model_main.c %t/model-O3.o -lm -o %t/model-O3
// RUN: %t/model-O3 | FileCheck %S/Inputs/model_main.c
