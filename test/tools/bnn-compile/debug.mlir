// The upstream debugging flags work in bnn-compile (STYLE.md, "Debugging
// aids users expect").
// RUN: rm -rf %t && mkdir -p %t

// RUN: bnn-compile --version | FileCheck %s --check-prefix=VERSION
// VERSION: bnn-mlir version {{[0-9]+\.[0-9]+\.[0-9]+}}

// --mlir-timing covers the whole compilation, pass by pass.
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu -o %t/model.o --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// TIMING:      Execution time report
// TIMING:      Parser
// TIMING-NEXT: Inference pipeline
// TIMING-NEXT:   BNNPrepareABI
// TIMING:      Translate to LLVM IR
// TIMING-NEXT: LLVM optimization
// TIMING-NEXT: LLVM code generation
// TIMING:      Total

// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu -o %t/model.o --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=AFTER-ALL
// AFTER-ALL:      IR Dump After BNNPrepareABI (bnn-prepare-abi)
// AFTER-ALL:      func.func @model
// AFTER-ALL:      IR Dump After ReconcileUnrealizedCastsPass (reconcile-unrealized-casts)
// AFTER-ALL:      llvm.func @model

// Pass names are known to the --mlir-print-ir-* flags.
// RUN: bnn-compile %S/Inputs/model.mlir --target=x86_64-linux-gnu --emit=mlir -o %t/model.mlir --mlir-print-ir-before=finalize-memref-to-llvm 2>&1 | FileCheck %s --check-prefix=BEFORE
// BEFORE: IR Dump Before FinalizeMemRefToLLVMConversionPass (finalize-memref-to-llvm)
// BEFORE-NOT: IR Dump

// A failing pipeline leaves a reproducer that bnn-opt runs.
// RUN: not bnn-compile %S/Inputs/dynamic.mlir --target=x86_64-linux-gnu -o %t/model.o --mlir-pass-pipeline-crash-reproducer=%t/repro.mlir 2>&1 | FileCheck %s --check-prefix=CRASH
// CRASH: reproducer generated at `{{.*}}repro.mlir`
// RUN: FileCheck %s --check-prefix=REPRO --input-file=%t/repro.mlir
// REPRO: func.func @dynamic
// REPRO: pipeline: "builtin.module(bnn-prepare-abi,
// RUN: not bnn-opt %t/repro.mlir --run-reproducer 2>&1 | FileCheck %s --check-prefix=AGAIN
// AGAIN: error: public function 'dynamic' argument #0 has dynamic shape

// --mlir-print-op-on-diagnostic brings back the op dump that is off by
// default.
// RUN: not bnn-compile %S/Inputs/dynamic.mlir --target=x86_64-linux-gnu -o %t/model.o --mlir-print-op-on-diagnostic 2>&1 | FileCheck %s --check-prefix=PRINT-OP
// PRINT-OP: note: see current operation
