//===- SignValues.h - Recognizing tensors of +-1 values ---------*- C++ -*-===//
//
// Shared by bnn-binarize (which layers read signs) and bnn-fuse-threshold
// (which max pools are ANDs of packed signs).
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TRANSFORMS_SIGNVALUES_H
#define BNN_TRANSFORMS_SIGNVALUES_H

#include "mlir/IR/Value.h"

namespace mlir::bnn {

/// True when `value` is a float constant <= -1 (-inf included): it never
/// wins a max against +-1 values.
bool isAtMostMinusOne(Value value);

/// True when every element of `value` is -1 or +1 by construction: a
/// bnn.sign, a max pool of such values (init and padding <= -1), or a
/// reshape of such values.
bool isSignValued(Value value);

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_SIGNVALUES_H
