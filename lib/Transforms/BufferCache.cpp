//===- BufferCache.cpp - Temporaries reused across calls -----------------===//
//
// bnn-buffer-cache: a compiled model mallocs its temporaries on every call.
// Large ones come from fresh mmapped pages that every call faults in and
// zeroes (measured: 35x slower per image at batch 64, docs/BENCHMARKS.md).
// This pass defines the allocation functions that the memref-to-LLVM
// conversion calls with `use-generic-functions`
// (`_mlir_memref_to_llvm_alloc` / `_free`): a buffer freed at the end of a
// call goes into a small lock-free cache (256 slots, internal to the object)
// and the next call's allocation of the same size takes it back. Objects
// still need only malloc and free from libc; they keep at most 256 freed
// buffers between calls.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"

namespace mlir::bnn {
#define GEN_PASS_DEF_BNNBUFFERCACHE
#include "bnn/Transforms/Passes.h.inc"
} // namespace mlir::bnn

using namespace mlir;

namespace {

/// The cache, in the LLVM dialect. A buffer carries a 16-byte header with
/// its size (keeping the 16-byte alignment of malloc); the slots hold the
/// cached buffers, with their sizes as a hint read before taking one.
constexpr StringLiteral kBufferCacheSource = R"mlir(

  llvm.mlir.global internal @__bnn_cached_buffers() {addr_space = 0 : i32} : !llvm.array<256 x ptr> {
    %0 = llvm.mlir.zero : !llvm.array<256 x ptr>
    llvm.return %0 : !llvm.array<256 x ptr>
  }
  llvm.mlir.global internal @__bnn_cached_sizes() {addr_space = 0 : i32} : !llvm.array<256 x i64> {
    %0 = llvm.mlir.zero : !llvm.array<256 x i64>
    llvm.return %0 : !llvm.array<256 x i64>
  }
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @free(!llvm.ptr)

  // Frees a buffer of _mlir_memref_to_llvm_alloc: into a free slot of the
  // cache, or back to libc when every slot is taken.
  llvm.func internal @_mlir_memref_to_llvm_free(%p: !llvm.ptr) {
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c1 = llvm.mlir.constant(1 : i64) : i64
    %slots = llvm.mlir.constant(256 : i64) : i64
    %null = llvm.mlir.zero : !llvm.ptr
    %isNull = llvm.icmp "eq" %p, %null : !llvm.ptr
    llvm.cond_br %isNull, ^done, ^start
  ^start:
    %header = llvm.getelementptr %p[-16] : (!llvm.ptr) -> !llvm.ptr, i8
    %size = llvm.load %header : !llvm.ptr -> i64
    %buffers = llvm.mlir.addressof @__bnn_cached_buffers : !llvm.ptr
    %sizes = llvm.mlir.addressof @__bnn_cached_sizes : !llvm.ptr
    llvm.br ^loop(%c0 : i64)
  ^loop(%i: i64):
    %more = llvm.icmp "ult" %i, %slots : i64
    llvm.cond_br %more, ^try, ^release
  ^try:
    %slot = llvm.getelementptr %buffers[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<256 x ptr>
    %pair = llvm.cmpxchg %slot, %null, %p acq_rel monotonic : !llvm.ptr, !llvm.ptr
    %stored = llvm.extractvalue %pair[1] : !llvm.struct<(ptr, i1)>
    %next = llvm.add %i, %c1 : i64
    llvm.cond_br %stored, ^hint(%i : i64), ^loop(%next : i64)
  ^hint(%j: i64):
    %sizeSlot = llvm.getelementptr %sizes[0, %j] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<256 x i64>
    llvm.store %size, %sizeSlot atomic monotonic {alignment = 8 : i64} : i64, !llvm.ptr
    llvm.br ^done
  ^release:
    llvm.call @free(%header) : (!llvm.ptr) -> ()
    llvm.br ^done
  ^done:
    llvm.return
  }

  // Allocates `size` bytes: a cached buffer of that size if there is one,
  // else a new one from libc with a 16-byte header holding its size.
  llvm.func internal @_mlir_memref_to_llvm_alloc(%size: i64) -> !llvm.ptr {
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %c1 = llvm.mlir.constant(1 : i64) : i64
    %c16 = llvm.mlir.constant(16 : i64) : i64
    %slots = llvm.mlir.constant(256 : i64) : i64
    %null = llvm.mlir.zero : !llvm.ptr
    %buffers = llvm.mlir.addressof @__bnn_cached_buffers : !llvm.ptr
    %sizes = llvm.mlir.addressof @__bnn_cached_sizes : !llvm.ptr
    llvm.br ^loop(%c0 : i64)
  ^loop(%i: i64):
    %more = llvm.icmp "ult" %i, %slots : i64
    %next = llvm.add %i, %c1 : i64
    llvm.cond_br %more, ^check, ^fresh
  ^check:
    // The size slot is a hint; the header of the buffer taken decides.
    %sizeSlot = llvm.getelementptr %sizes[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<256 x i64>
    %hint = llvm.load %sizeSlot atomic monotonic {alignment = 8 : i64} : !llvm.ptr -> i64
    %fits = llvm.icmp "eq" %hint, %size : i64
    llvm.cond_br %fits, ^take, ^loop(%next : i64)
  ^take:
    %slot = llvm.getelementptr %buffers[0, %i] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.array<256 x ptr>
    %q = llvm.atomicrmw xchg %slot, %null acq_rel : !llvm.ptr, !llvm.ptr
    %empty = llvm.icmp "eq" %q, %null : !llvm.ptr
    llvm.cond_br %empty, ^loop(%next : i64), ^verify
  ^verify:
    %header = llvm.getelementptr %q[-16] : (!llvm.ptr) -> !llvm.ptr, i8
    %actual = llvm.load %header : !llvm.ptr -> i64
    %same = llvm.icmp "eq" %actual, %size : i64
    llvm.cond_br %same, ^hit, ^putBack
  ^hit:
    llvm.return %q : !llvm.ptr
  ^putBack:
    llvm.call @_mlir_memref_to_llvm_free(%q) : (!llvm.ptr) -> ()
    llvm.br ^loop(%next : i64)
  ^fresh:
    %total = llvm.add %size, %c16 : i64
    %base = llvm.call @malloc(%total) : (i64) -> !llvm.ptr
    %failed = llvm.icmp "eq" %base, %null : !llvm.ptr
    llvm.cond_br %failed, ^oom, ^init
  ^oom:
    llvm.return %null : !llvm.ptr
  ^init:
    llvm.store %size, %base : i64, !llvm.ptr
    %user = llvm.getelementptr %base[16] : (!llvm.ptr) -> !llvm.ptr, i8
    llvm.return %user : !llvm.ptr
  }
)mlir";

struct BNNBufferCachePass
    : public bnn::impl::BNNBufferCacheBase<BNNBufferCachePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OwningOpRef<ModuleOp> cache =
        parseSourceString<ModuleOp>(kBufferCacheSource, &getContext());
    if (!cache) {
      module.emitError("bnn-buffer-cache: internal error: the cache does not "
                       "parse");
      return signalPassFailure();
    }
    SymbolTable symbols(module);
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    for (Operation &op : llvm::make_early_inc_range(*cache->getBody())) {
      StringAttr name = SymbolTable::getSymbolName(&op);
      Operation *existing = symbols.lookup(name);
      auto function = dyn_cast<LLVM::LLVMFuncOp>(op);
      // malloc and free may already be declared (by the model or another
      // conversion); anything else of ours must not exist yet.
      if (existing && function && function.isExternal())
        continue;
      if (existing) {
        existing->emitError("bnn-buffer-cache: the model already defines '")
            << name.getValue()
            << "', a name the compiled model's allocator uses";
        return signalPassFailure();
      }
      op.remove();
      builder.insert(&op);
    }
  }
};

} // namespace
