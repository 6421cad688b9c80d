//===- KernelLayouts.cpp - Operand layouts the vectorized kernels read ----===//
//
// A float register tile keeps output channels in vector lanes, so the
// weights it reads per reduction step must be contiguous along the output
// channels: HWCF filters for a convolution, [K, N] for a matmul. Models use
// the PyTorch layouts (OHWI filters, [N, K] dense weights read through a
// transposed map); these patterns move the output channel innermost,
// at compile time for constant weights and with a linalg.transpose
// otherwise.
//
//===----------------------------------------------------------------------===//

#include "bnn/Dialect/BNN/BNNDialect.h"
#include "bnn/Transforms/Matchers.h"
#include "bnn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace {

/// `value` with its dimensions permuted (result dim i is source dim
/// perm[i]); constants are permuted at compile time.
Value permuteDims(PatternRewriter &rewriter, Location loc, Value value,
                  ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t d : perm)
    shape.push_back(type.getDimSize(d));
  auto permutedType = type.clone(shape);

  DenseElementsAttr values;
  unsigned bits = type.getElementTypeBitWidth();
  if (matchPattern(value, m_Constant(&values)) && bits % 8 == 0) {
    if (values.isSplat())
      return arith::ConstantOp::create(rewriter, loc,
                                       values.resizeSplat(permutedType));
    // Raw bytes: no per-element APFloat, so large weights stay cheap.
    ArrayRef<char> source = values.getRawData();
    size_t bytes = bits / 8;
    std::vector<char> permuted(source.size());
    int64_t rank = type.getRank();
    SmallVector<int64_t> sourceStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      sourceStrides[d] = sourceStrides[d + 1] * type.getDimSize(d + 1);
    SmallVector<int64_t> index(rank, 0);
    int64_t count = type.getNumElements();
    for (int64_t e = 0; e < count; ++e) {
      int64_t offset = 0;
      for (int64_t d = 0; d < rank; ++d)
        offset += index[d] * sourceStrides[perm[d]];
      std::memcpy(&permuted[e * bytes], &source[offset * bytes], bytes);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
    return arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::getFromRawBuffer(permutedType, permuted));
  }
  Value init =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, value, init, perm)
      ->getResult(0);
}

bool isStaticFloat(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto type = dyn_cast<RankedTensorType>(t);
    return type && type.hasStaticShape() &&
           isa<FloatType>(type.getElementType());
  });
}

/// conv_2d_nhwc_fhwc -> conv_2d_nhwc_hwcf with the filter permuted.
struct ConvFilterToHWCF : OpRewritePattern<linalg::Conv2DNhwcFhwcOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNhwcFhwcOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || !isStaticFloat(op))
      return rewriter.notifyMatchFailure(op, "not a static float conv");
    Value filter =
        permuteDims(rewriter, op.getLoc(), op.getInputs()[1], {1, 2, 3, 0});
    rewriter.replaceOpWithNewOp<linalg::Conv2DNhwcHwcfOp>(
        op, op.getResultTypes(), ValueRange{op.getInputs()[0], filter},
        op.getOutputs(), op.getStrides(), op.getDilations());
    return success();
  }
};

/// linalg.matmul reading B as [N, K] -> linalg.matmul on B permuted to [K, N].
struct MatmulWeightsToKN : OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || !isStaticFloat(op))
      return rewriter.notifyMatchFailure(op, "not a static float matmul");
    if (bnn::getMatmulBLayout(op.getIndexingMapsArray()) != bnn::MatmulB::NK)
      return rewriter.notifyMatchFailure(op, "B is not read as [N, K]");
    Value weights =
        permuteDims(rewriter, op.getLoc(), op.getInputs()[1], {1, 0});
    rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
        op, op.getResultTypes(), ValueRange{op.getInputs()[0], weights},
        op.getOutputs());
    return success();
  }
};

} // namespace

void bnn::populateVectorKernelLayoutPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvFilterToHWCF, MatmulWeightsToKN>(patterns.getContext());
}
