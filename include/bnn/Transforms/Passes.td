//===- Passes.td - bnn transformation passes ---------------*- tablegen -*-===//

#ifndef BNN_TRANSFORMS_PASSES_TD
#define BNN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def BNNPrepareABI : Pass<"bnn-prepare-abi", "::mlir::ModuleOp"> {
  let summary = "Check that public functions fit the compiled-model C ABI";
  let description = [{
    Every public `func.func` becomes `void NAME(const T *in0, ..., T *out0,
    ...)`. This pass rejects, with an error naming the function and the
    argument or result, what that ABI cannot express: dynamic shapes,
    non-tensor arguments and results, element types other than f32, i32,
    i64, buffers whose byte size overflows 64 bits; and in any function a
    name the compiled code needs itself (malloc, free, memcpy, ..., the
    `__bnn_` and `_mlir_` prefixes) or a call on tensors to a function that
    is only declared. It marks every argument `bufferization.writable = false` so that
    bufferization never writes into the caller's input buffers, and drops
    the `bnn.param` marks of training models.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def BNNVerifyLowered : Pass<"bnn-verify-lowered", "::mlir::ModuleOp"> {
  let summary = "Check that only ops the backend handles remain";
  let description = [{
    A stage-boundary check after `bnn-lower`: every op must belong to a
    dialect the rest of the inference pipeline lowers (builtin, func, arith,
    math, tensor, linalg, bufferization, scf). Anything else is reported with
    its name and location, so the user sees what is unsupported instead of a
    legalization failure deep in the LLVM conversion.
  }];
}

def BNNFoldTransforms : Pass<"bnn-fold-transforms"> {
  let summary = "Fold the Level 1 weight expressions of constants";
  let description = [{
    Applies the folders and canonicalizations of the Level 1 ops
    (`bnn.orthonormal_transform`, `bnn.importance_sign`, `bnn.ternary`,
    `bnn.sign`) to a fixpoint: identity transforms vanish, a transform
    followed by its transpose with the same `q` vanishes, two transforms on
    one axis compose when the product of their constant matrices is exact in
    the element type, and the weight expressions of trained constants become
    constants. Nothing is folded whose result would be inexact: compositions
    that would round are left alone, and only f32 expressions are evaluated.
    After it, deployed weights are plain constants.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def BNNNormalize : Pass<"bnn-normalize"> {
  let summary = "Bring the common forms of binarizable layers to the ones bnn-binarize reads";
  let description = [{
    Rewrites, without changing what the model computes, the ways front ends
    write the layers of a BNN into the forms `bnn-binarize` and
    `bnn-fuse-threshold` read:

    - a sign written as a `linalg.generic` with `arith.cmpf` against zero and
      `arith.select` of -1 and +1 (in one generic, or as a comparison
      generic feeding a select generic, as TOSA lowers
      `greater_equal` + `select`) becomes `bnn.sign` when it agrees with the
      contract's sign on every input but NaN, -0 included (`x < 0 ? -1 : 1`,
      `x >= 0 ? 1 : -1` and their mirrored and unordered forms do;
      `x > 0 ? 1 : -1` does not: it gives -1 at 0, and stays); NaN is left
      out because the common `x >= 0 ? 1 : -1` gives -1 there where
      `bnn.sign` gives +1 (docs/Decisions.md); `math.copysign(1, x)` stays
      (it gives -1 at -0);
    - a `linalg.generic` matmul (A [M, K] times B [K, N] or [N, K]) becomes
      `linalg.matmul` with the same indexing maps; `linalg.matvec` and
      `linalg.vecmat` with a constant matrix become a one-row matmul;
    - `linalg.conv_2d_nhwc_hwcf` and `linalg.conv_2d_nchw_fchw` become
      `linalg.conv_2d_nhwc_fhwc`, with transposes of the filter and, for
      NCHW, of the input and the result; transposes then move before signs,
      paddings and fills, and transposes of constants fold;
    - a convolution or matmul that accumulates into a non-zero init (a
      broadcast bias) accumulates into zeros, and the init is added after
      the layer, where `bnn.scale` and the threshold fusion absorb it;
    - elementwise generics on constants fold to constants (batch norm
      parameters written as `rsqrt(var + eps)` on constants).

    Layers in called functions are reached by inlining the calls first
    (the inference pipeline runs the inliner before this pass).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bnn::BNNDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def BNNBinarize : Pass<"bnn-binarize"> {
  let summary = "Turn float layers on signs with +-alpha weights into packed kernels";
  let description = [{
    A `linalg.conv_2d_nhwc_fhwc` (with strides and dilations; padding written
    as a `tensor.pad` of the sign output with 0 or 1) or a `linalg.matmul`
    (weights [K, O], or [O, K] through transposed indexing maps) whose input
    is `bnn.sign(x)`, whose init is zero, and whose constant weights are, per
    output channel o, alpha_o * {-1, +1} or alpha_o * {-1, 0, +1}, becomes
    `bnn.pack` + `bnn.bconv2d`/`bnn.bdense` + `bnn.scale(acc, alpha, 0)`.
    Padding with 0 gives `pad_value = 0`, padding with 1 `pad_value = 1`.
    A layer whose ternary weights have no zero is binary (SQ's per-layer
    depth resolved from the trained weights); one with zeros gets a mask.
    A layer on signs that does not fit is left as float, with a remark that
    says why.
  }];
  let options = [
    Option<"wordBits", "word-bits", "unsigned", "0",
           "Word width of the packed tensors: 32, 64, or 0 to choose per "
           "layer (64 unless the channels are a multiple of 32 but not of "
           "64, so that packed rows stay whole words)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bnn::BNNDialect"];
}

def BNNFuseThreshold : Pass<"bnn-fuse-threshold"> {
  let summary = "Fuse scale, batch norm and sign into integer thresholds";
  let description = [{
    `bnn.pack` of (`bnn.sign` of) a chain of per-channel affine maps (batch
    norm in inference form or any `linalg.generic` of add/sub/mul/div/sqrt
    with per-channel constants) of `bnn.scale(acc)` becomes
    `bnn.threshold(acc, t)`. The threshold is found by evaluating the float
    chain exactly as the compiled code does (f32, no contraction) for every
    accumulator value the producer can give, so the fused form is exact.
    Channels whose chain decreases in acc get their filter bits flipped;
    channels with a constant sign get a threshold that is always or never
    met. `bnn.pack` of a `linalg.pooling_nhwc_max` of signs becomes
    `bnn.bmaxpool2d` of the packed signs. A flatten whose rows are not whole
    words (and a max pool of the signs before it) is fused too: the
    accumulators are max-pooled as integers and flattened, and the
    thresholds are tiled over the pixels.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bnn::BNNDialect"];
}

def BNNPackWeights : Pass<"bnn-pack-weights"> {
  let summary = "Pack constant weights into bits at compile time";
  let description = [{
    Folds `bnn.pack` of constants, so the object holds 1 bit per weight (2
    for ternary) instead of 32.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def BNNSummary : Pass<"bnn-summary"> {
  let summary = "Print per-layer precision, parameters, memory and MACs";
  let description = [{
    A model summary in the manner of Larq's `lq.models.summary`, for the
    model as the compiler sees it (run it after `bnn-pack-weights` to see
    what the object will hold). One row per layer: `bnn.bconv2d`,
    `bnn.bdense`, `bnn.bmaxpool2d`, and the named linalg convolutions,
    contractions (`linalg.matmul`, ...) and poolings. Each row gives the
    input and weight precision in bits (1 binary, 2 ternary = sign plane +
    mask, 32 float), the output shape, the logical parameters per precision,
    the memory the weight tensors occupy (packed words with their padding
    bits, masks, per-channel constants), and the MACs per precision. The
    per-channel constants of a `bnn.scale` or `bnn.threshold` count as
    parameters of the layer that produces its accumulator. Totals: model
    size, float-32 equivalent size, compression ratio, share of binary and
    ternary MACs. See docs/Summary.md.

    The pass only reads the IR. The summary is a text table, or JSON with
    `format=json`, written to `output` (`-`, the default, is stderr, so it
    never mixes with the IR printed on stdout). Run it on the module: each
    instance writes the whole file.
  }];
  let options = [
    Option<"format", "format", "::mlir::bnn::SummaryFormat",
           /*default=*/"::mlir::bnn::SummaryFormat::Text",
           "Write a text table (text, the default) or JSON (json)",
           [{::llvm::cl::values(
             clEnumValN(::mlir::bnn::SummaryFormat::Text, "text",
                        "a text table"),
             clEnumValN(::mlir::bnn::SummaryFormat::Json, "json", "JSON"))}]>,
    Option<"outputFile", "output", "std::string", /*default=*/"\"-\"",
           "File the summary is written to ('-' is stderr)">,
  ];
}

def BNNTile : Pass<"bnn-tile", "::mlir::func::FuncOp"> {
  let summary = "Tile the blocked packed kernels into vectorized register tiles";
  let description = [{
    Runs after `bnn-lower` with `channel-block` > 0, on tensors. Each epilogue
    of a blocked packed reduction (a `linalg.generic` marked
    `bnn.register_tile`) is tiled into register tiles of P output pixels (or
    batch rows, for a dense layer) by B output channels (the block), and the
    producers of its accumulators (the zero fill and the XOR-popcount
    generics of every tap) are fused into the tile (`TilingInterface`,
    `scf::tileConsumerAndFuseProducersUsingSCF`). The word reductions are
    tiled by one word, every linalg op in a tile is vectorized
    (`linalg::vectorize`), and the accumulators are hoisted out of the word
    loops and forwarded from tap to tap, so that they live in vector
    registers for the whole reduction: the inner loop is a load of B filter
    words, a broadcast input word, XOR, popcount and add.

    P is the largest divisor of the output width (batch) whose accumulators
    fit in half of the vector registers: P * ceil(B * word bits /
    vector-bits) <= registers / 2. When that divisor is 1 (a prime width
    such as 7), P is the budget itself and the pixel loop is peeled into
    full tiles and one smaller last tile, both with static shapes. The inference pipeline derives
    `vector-bits`, `registers` and bnn-lower's `channel-block` from its
    target options (triple, cpu, features). Ops without the marker are left
    alone.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"128",
           "Width of the target's vector registers in bits (128, 256, 512)">,
    Option<"registers", "registers", "int64_t", /*default=*/"16",
           "Number of vector registers of the target">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def BNNVectorize : Pass<"bnn-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile and vectorize the float convolutions and matmuls";
  let description = [{
    Runs after `bnn-tile`, on tensors, and gives the float layers (a model's
    first convolution and its classifier, and the float code of a training
    step) the upstream tile-decompose-vectorize path:

    - `linalg.conv_2d_nhwc_fhwc` on floats becomes `conv_2d_nhwc_hwcf` (the
      filter is permuted at compile time when it is a constant), and
      `linalg.matmul` reading its weights as [N, K] reads them as [K, N]:
      output channels innermost, contiguous in vector lanes.
    - A convolution is tiled into register tiles of P output pixels by F
      output channels with its zero fill fused (`TilingInterface`), its
      filter taps and input channels into steps of one, each step
      decomposed to a 1-D convolution (`populateDecomposeConvolutionPatterns`)
      and vectorized (`linalg::vectorize`): P broadcast inputs times one
      filter vector, P fused multiply-adds into accumulators that stay in
      registers for the whole reduction.
    - A matmul is tiled into M rows by N columns, its K loop into steps of
      one, and vectorized the same way (outer products).

    F is the largest divisor of the output channels of at most two vectors;
    P the largest divisor of the output width (rows, for a matmul) whose
    accumulators fit in half of the registers. Ops inside loops (the packed
    register tiles of bnn-tile), integer ops and dynamic shapes are left
    alone.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"128",
           "Width of the target's vector registers in bits (128, 256, 512)">,
    Option<"registers", "registers", "int64_t", /*default=*/"16",
           "Number of vector registers of the target">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def BNNGenerateGradients : Pass<"bnn-generate-gradients", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode gradients of training models: @NAME_grad";
  let description = [{
    For every public function `@NAME` with at least one argument marked
    `bnn.param` (a training model: its other arguments are data inputs, its
    first result the logits `N x K`, an optional second result a 0-d penalty
    added to the loss), adds a public function

    ```
    @NAME_grad(data inputs..., labels, parameters...)
        -> (loss: tensor<f>, one gradient per parameter...)
    ```

    where the loss is the mean over the batch of the softmax cross-entropy
    of the logits against `labels` (`tensor<N x i32>`, each in [0, K)), plus
    the penalty; with `loss=mse` the labels are `N x K` float targets and
    the loss is the mean of the squared differences. After the gradients,
    `@NAME_grad` returns the batch mean and the (biased) batch variance of
    every `bnn.batch_norm` of the model, in program order, as `[C]` tensors;
    with `return-logits`, the logits last. `@NAME` is unchanged.

    The gradient function holds the forward ops, the loss, and the reverse
    sweep: each op whose results carry an adjoint and whose operands depend
    on a parameter gets its operands' adjoints from its
    `GradientOpInterface` rule (docs/Formulation.md, "Gradients"). An op
    without a rule, or a rule that cannot handle the op as it is, is an
    error naming the op; nothing is generated then.
  }];
  let options = [
    Option<"loss", "loss", "std::string", /*default=*/"\"softmax-cross-entropy\"",
           "The loss: softmax-cross-entropy (labels N x i32) or mse (float "
           "targets of the logits' shape)">,
    Option<"returnLogits", "return-logits", "bool", /*default=*/"false",
           "Also return the logits, last (the training runtime counts the "
           "batch's correct predictions from them)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def BNNBufferCache : Pass<"bnn-buffer-cache", "::mlir::ModuleOp"> {
  let summary = "Reuse the temporaries of a compiled model across calls";
  let description = [{
    Defines `_mlir_memref_to_llvm_alloc` and `_mlir_memref_to_llvm_free`,
    the functions `finalize-memref-to-llvm` calls with
    `use-generic-functions`, as a small cache in front of libc's `malloc`
    and `free`: a buffer freed at the end of a call goes into one of 256
    slots (lock-free, internal to the object, shared by all threads) and the
    next allocation of the same size takes it back, so repeated calls do
    not fault fresh pages in. Buffers that find no free slot go back to
    libc. Runs before the memref-to-LLVM conversion; a model that defines
    one of these names itself is an error.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def BNNLowerStridedCopies : Pass<"bnn-lower-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Turn copies between strided buffers into linalg.copy";
  let description = [{
    Bufferized `tensor.pad` and `tensor.extract_slice` copy into or out of
    strided subviews. The LLVM conversion lowers such a `memref.copy` to a
    call to `memrefCopy` of the MLIR C runner library, which a compiled model
    must not need (it links with libc and libm only). As a `linalg.copy` it
    becomes plain loops; contiguous copies stay `memref.copy` (a memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def BNNSplitEmptyTensors : Pass<"bnn-split-empty-tensors", "::mlir::func::FuncOp"> {
  let summary = "Give every use of a tensor.empty its own";
  let description = [{
    CSE merges identical `tensor.empty` ops, so a chain of N elementwise
    layers ends up with one empty tensor as the init of all N. One-shot
    bufferization then analyzes N writes into one allocation, which costs
    time quadratic in N (a chain of 1,000 layers took 67 s). Run right before
    bufferization, this pass clones the empty tensor for each use after the
    first, where the use is, so that each layer writes into its own buffer
    as it did before CSE. The IR's meaning does not change: a tensor.empty
    has no contents.
  }];
}

#endif // BNN_TRANSFORMS_PASSES_TD
