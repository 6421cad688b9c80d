//===- InitBNN.h - Dialects and passes of the bnn tools ---------*- C++ -*-===//
//
// Only the dialects and passes the project uses: the upstream InitAll headers
// cost minutes of compile time and link every dialect.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_INITBNN_H
#define BNN_INITBNN_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::bnn {

/// bnn, the upstream dialects models and pipelines use, and the external
/// models (bufferization, inlining) they need.
void registerBNNDialects(DialectRegistry &registry);

/// bnn passes and pipelines, and the upstream passes they are built from.
void registerBNNPasses();

} // namespace mlir::bnn

#endif // BNN_INITBNN_H
