//===- NormalizeLayers.cpp - Matmul forms and bias inits
//--------------------===//
//
// Generic matmuls and matvec/vecmat with constant matrices become
// linalg.matmul; a layer accumulating into a bias accumulates into zeros
// and the bias is added after it.
//
//===----------------------------------------------------------------------===//

#include "NormalizePatterns.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/Transforms/Matchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::bnn;
using namespace mlir::bnn::normalize;

namespace {

//===----------------------------------------------------------------------===//
// Matmuls
//===----------------------------------------------------------------------===//

/// A generic that computes C[m, n] += A[m, k] * B[k, n] (or B[n, k]): a
/// linalg.matmul with those maps. linalg-specialize-generic-ops does not
/// build a valid matmul for the transposed-B form, hence this pattern.
struct GenericToMatmul : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op.getNumLoops() != 3)
      return rewriter.notifyMatchFailure(op, "not a 3-loop binary generic");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    using IT = utils::IteratorType;
    SmallVector<IT> iterators = op.getIteratorTypesArray();
    if (iterators !=
            SmallVector<IT>{IT::parallel, IT::parallel, IT::reduction} ||
        !getMatmulBLayout(maps))
      return rewriter.notifyMatchFailure(op, "maps are not a matmul's");
    // Body: yield add(out, mul(a, b)) in any operand order.
    Block *body = op.getBody();
    auto add = getYielded(op).getDefiningOp<arith::AddFOp>();
    if (!add || body->getOperations().size() != 3)
      return rewriter.notifyMatchFailure(op, "body is not mul + add");
    Value acc = body->getArgument(2);
    Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
    if (add.getLhs() != acc && add.getRhs() != acc)
      return rewriter.notifyMatchFailure(op, "does not accumulate");
    auto mul = product.getDefiningOp<arith::MulFOp>();
    if (!mul || !((mul.getLhs() == body->getArgument(0) &&
                   mul.getRhs() == body->getArgument(1)) ||
                  (mul.getLhs() == body->getArgument(1) &&
                   mul.getRhs() == body->getArgument(0))))
      return rewriter.notifyMatchFailure(op, "body is not mul + add");
    auto matmul =
        linalg::MatmulOp::create(rewriter, op.getLoc(), op.getResultTypes(),
                                 op.getDpsInputs(), op.getDpsInits());
    matmul.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    rewriter.replaceOp(op, matmul.getResults());
    return success();
  }
};

/// A generic that computes a convolution (linalg's convolution matcher: a
/// multiply-accumulate over window dimensions) becomes the named op that
/// upstream's specialization finds for it; matmul-like generics are left to
/// GenericToMatmul.
struct GenericToConvolution : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || !linalg::isaConvolutionOpInterface(op))
      return rewriter.notifyMatchFailure(op, "not a convolution");
    FailureOr<linalg::LinalgOp> named =
        linalg::specializeGenericOp(rewriter, op);
    if (failed(named))
      return rewriter.notifyMatchFailure(op, "no named convolution matches");
    return success();
  }
};

/// batch_matmul(A[B, M, K], W[B, K, N]) with a constant W that is the same
/// matrix in every batch (a dense layer on a [B, M, K] activation, as
/// torch-mlir writes linear on 3-D input) -> one matmul on A as [B*M, K].
struct SharedWeightBatchMatmulToMatmul
    : public OpRewritePattern<linalg::BatchMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::BatchMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() ||
        !op.getIndexingMapsArray().empty() &&
            op.getIndexingMapsArray() !=
                linalg::BatchMatmulOp::getDefaultIndexingMaps(op.getContext()))
      return rewriter.notifyMatchFailure(op, "not the default batch matmul");
    DenseElementsAttr weights;
    if (!matchPattern(op.getInputs()[1], m_Constant(&weights)) ||
        !weights.getElementType().isF32() ||
        !weights.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "weights are not constant");
    auto aType = cast<RankedTensorType>(op.getInputs()[0].getType());
    auto cType = cast<RankedTensorType>(op.getOutputs()[0].getType());
    if (!aType.hasStaticShape() || !cType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    ArrayRef<int64_t> wShape = weights.getType().getShape();
    int64_t batch = wShape[0], k = wShape[1], n = wShape[2];
    auto matrixType = RankedTensorType::get({k, n}, rewriter.getF32Type());
    DenseElementsAttr matrix;
    if (weights.isSplat()) {
      matrix = weights.resizeSplat(matrixType);
    } else {
      if (!isFoldableSize(weights))
        return rewriter.notifyMatchFailure(op, "weights too large to fold");
      SmallVector<float> values(weights.getValues<float>());
      int64_t size = k * n;
      for (int64_t b = 1; b < batch; ++b)
        if (!std::equal(values.begin(), values.begin() + size,
                        values.begin() + b * size))
          return rewriter.notifyMatchFailure(op, "batches differ");
      matrix = DenseElementsAttr::get(matrixType,
                                      ArrayRef<float>(values).take_front(size));
    }
    Location loc = op.getLoc();
    SmallVector<ReassociationIndices> rows = {{0, 1}, {2}};
    Value a =
        tensor::CollapseShapeOp::create(rewriter, loc, op.getInputs()[0], rows);
    Value init = tensor::CollapseShapeOp::create(rewriter, loc,
                                                 op.getOutputs()[0], rows);
    Value w = arith::ConstantOp::create(rewriter, loc, matrix);
    auto matmul =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                                 ValueRange{a, w}, ValueRange{init});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, cType, matmul.getResult(0), rows);
    return success();
  }
};

/// matvec(W[O, K] constant, x[K]) -> one-row matmul x[1, K] * W[O, K]^T,
/// and vecmat(x[K], W[K, N] constant) -> x[1, K] * W[K, N].
template <typename OpTy>
struct VectorProductToMatmul : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMatvec = std::is_same_v<OpTy, linalg::MatvecOp>;
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value matrix = op.getDpsInputs()[isMatvec ? 0 : 1];
    Value vector = op.getDpsInputs()[isMatvec ? 1 : 0];
    Value init = op.getDpsInits()[0];
    if (!matchPattern(matrix, m_Constant()))
      return rewriter.notifyMatchFailure(op, "matrix is not constant");
    auto vectorType = cast<RankedTensorType>(vector.getType());
    auto initType = cast<RankedTensorType>(init.getType());
    if (!vectorType.hasStaticShape() || !initType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    Location loc = op.getLoc();
    SmallVector<ReassociationIndices> row = {{0, 1}};
    auto asRow = [&](Value v, RankedTensorType type) {
      return tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
          v, row);
    };
    auto matmul = linalg::MatmulOp::create(
        rewriter, loc,
        TypeRange{RankedTensorType::get({1, initType.getDimSize(0)},
                                        initType.getElementType())},
        ValueRange{asRow(vector, vectorType), matrix},
        ValueRange{asRow(init, initType)});
    if (isMatvec)
      matmul.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
          getMatmulMaps(rewriter.getContext(), MatmulB::NK)));
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, initType, matmul.getResult(0), row);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Bias inits
//===----------------------------------------------------------------------===//

/// A convolution or matmul accumulating into a non-zero init accumulates
/// into zeros; the init is added after it.
template <typename OpTy>
struct MoveInitAfterLayer : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value init = op.getDpsInits()[0];
    auto type = cast<RankedTensorType>(init.getType());
    if (isZeroTensor(init) || !type.getElementType().isF32() ||
        !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "init is zero");
    // Only where the init is a bias the model computes (a broadcast, a
    // constant, a fill), not an accumulator the caller passes in.
    if (!init.getDefiningOp<linalg::BroadcastOp>() &&
        !init.getDefiningOp<linalg::GenericOp>() &&
        !init.getDefiningOp<linalg::FillOp>() &&
        !matchPattern(init, m_Constant()))
      return rewriter.notifyMatchFailure(op, "init is not a bias");
    Location loc = op.getLoc();
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getF32FloatAttr(0.0f));
    Value zeros = linalg::FillOp::create(
                      rewriter, loc, zero,
                      tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                              type.getElementType())
                          .getResult())
                      .getResult(0);
    rewriter.modifyOpInPlace(op,
                             [&] { op.getDpsInitsMutable()[0].set(zeros); });
    rewriter.setInsertionPointAfter(op);
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    SmallVector<utils::IteratorType> parallel(type.getRank(),
                                              utils::IteratorType::parallel);
    Value result = op->getResult(0);
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    auto add = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{result, init},
        ValueRange{empty}, ArrayRef<AffineMap>{identity, identity, identity},
        parallel, [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args[0], args[1]).getResult());
        });
    rewriter.replaceAllUsesExcept(result, add.getResult(0), add);
    return success();
  }
};

} // namespace

void mlir::bnn::normalize::populateLayerPatterns(RewritePatternSet &patterns) {
  patterns.add<GenericToMatmul, GenericToConvolution,
               SharedWeightBatchMatmulToMatmul,
               VectorProductToMatmul<linalg::MatvecOp>,
               VectorProductToMatmul<linalg::VecmatOp>,
               MoveInitAfterLayer<linalg::Conv2DNhwcFhwcOp>,
               MoveInitAfterLayer<linalg::MatmulOp>>(patterns.getContext());
}
