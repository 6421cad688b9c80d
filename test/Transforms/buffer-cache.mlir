// RUN: bnn-opt %s -split-input-file -bnn-buffer-cache -verify-diagnostics | FileCheck %s

// The allocation functions of finalize-memref-to-llvm's generic mode are
// defined, internal to the object, over a 256-slot cache and libc.
// CHECK-LABEL: module
// CHECK-DAG: llvm.mlir.global internal @__bnn_cached_buffers() {{.*}} : !llvm.array<256 x ptr>
// CHECK-DAG: llvm.mlir.global internal @__bnn_cached_sizes() {{.*}} : !llvm.array<256 x i64>
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)
// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_free(
// CHECK: llvm.cmpxchg
// CHECK: llvm.call @free
// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_alloc(
// CHECK: llvm.atomicrmw xchg
// CHECK: llvm.call @_mlir_memref_to_llvm_free
// CHECK: llvm.call @malloc
func.func @model(%x: memref<4xf32>) {
  return
}

// -----

// A model that already declares malloc keeps its declaration.
// CHECK-LABEL: module
// CHECK-COUNT-1: llvm.func @malloc
// CHECK-NOT: llvm.func @malloc
llvm.func @malloc(i64) -> !llvm.ptr

// -----

// A model may not define the allocator's names itself.
// expected-error @+1 {{bnn-buffer-cache: the model already defines '_mlir_memref_to_llvm_alloc', a name the compiled model's allocator uses}}
func.func @_mlir_memref_to_llvm_alloc(%size: i64) {
  return
}
