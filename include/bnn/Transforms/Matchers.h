//===- Matchers.h - IR forms the bnn passes recognize -----------*- C++ -*-===//
//
// One definition of each form that more than one pass reads: tensors of +-1
// values (bnn-binarize: which layers read signs; bnn-fuse-threshold: which
// max pools are ANDs of packed signs), spatial padding of NHWC tensors, and
// max pools of signs.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TRANSFORMS_MATCHERS_H
#define BNN_TRANSFORMS_MATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"

#include <array>
#include <optional>
#include <string>

namespace mlir::bnn {

/// True when `value` is a float constant <= -1 (-inf included): it never
/// wins a max against +-1 values.
bool isAtMostMinusOne(Value value);

/// True when `value` is a tensor of zeros: a zero fill or a zero constant,
/// or a reshape, transpose or broadcast of one.
bool isZeroTensor(Value value);

/// True when every element of `value` is -1 or +1 by construction: a
/// bnn.sign, a max pool of such values (see matchSignMaxPool), or a reshape
/// or a slice of such values.
bool isSignValued(Value value);

/// A `tensor.pad` of an NHWC tensor with static amounts on the spatial
/// dimensions only.
struct SpatialPad {
  tensor::PadOp op;
  Value source;
  /// Top, bottom, left, right.
  std::array<int64_t, 4> amounts = {0, 0, 0, 0};
  /// The constant padding value, null when the pad yields something else.
  Value padValue;
};

/// Matches `pad` as a SpatialPad; nullopt when its amounts are dynamic or it
/// pads the batch or channel dimension.
std::optional<SpatialPad> matchSpatialPad(tensor::PadOp pad);

/// A max pool whose windows are ANDs of sign bits: its input (seen through
/// an optional spatial padding) is sign valued, its init is a fill <= -1,
/// the padding is <= -1, and every window keeps at least one real tap, so
/// each output is the max of +-1 values.
struct SignMaxPool {
  linalg::PoolingNhwcMaxOp pool;
  /// The padding in front of the pool, if any.
  std::optional<SpatialPad> pad;
  /// The +-1 values the windows read.
  Value input;
};

/// Matches `value` as the result of a SignMaxPool. Fails with an empty `why`
/// when `value` is not a max pool of sign-valued input (a float pool by
/// design), and with a reason when it is one but breaks a condition above.
FailureOr<SignMaxPool> matchSignMaxPool(Value value, std::string &why);

/// How a matmul's indexing maps read B: as [K, N] (linalg.matmul's default
/// maps) or as [N, K] (transposed, the contract's dense layout).
enum class MatmulB { KN, NK };

/// The layout of B for maps (m, k), B, (m, n) over loops (m, n, k); nullopt
/// for any other maps.
std::optional<MatmulB> getMatmulBLayout(ArrayRef<AffineMap> maps);

/// The indexing maps of a matmul that reads B as `layout`.
SmallVector<AffineMap> getMatmulMaps(MLIRContext *context, MatmulB layout);

/// A rewrite listener that prints why a pattern declined an op, under
/// `-debug-only=<debugType>` (a pass's DEBUG_TYPE).
class MatchFailureLogger : public RewriterBase::Listener {
public:
  explicit MatchFailureLogger(const char *debugType) : debugType(debugType) {}
  void
  notifyMatchFailure(Location loc,
                     function_ref<void(Diagnostic &)> reasonCallback) override;

private:
  [[maybe_unused]] const char *debugType;
};

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_MATCHERS_H
