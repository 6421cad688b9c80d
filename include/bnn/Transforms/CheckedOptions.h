//===- CheckedOptions.h - Pass options with constraints ---------*- C++ -*-===//
//
// A pass whose options have constraints declares
//   std::optional<std::string> checkOptions() const;
// (the message for invalid options, or nothing) and checks them twice: when
// a pipeline string is parsed (initializeOptions, below) and when it runs,
// for options set from C++, which bypass initializeOptions.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TRANSFORMS_CHECKEDOPTIONS_H
#define BNN_TRANSFORMS_CHECKEDOPTIONS_H

#include "mlir/Pass/Pass.h"

#include <optional>
#include <string>

namespace mlir::bnn {

/// Pass::initializeOptions, then `pass.checkOptions()` reported through
/// `errorHandler`.
template <typename PassT>
LogicalResult initializeCheckedOptions(
    PassT &pass, StringRef options,
    function_ref<LogicalResult(const Twine &)> errorHandler) {
  if (failed(pass.Pass::initializeOptions(options, errorHandler)))
    return failure();
  if (std::optional<std::string> error = pass.checkOptions())
    return errorHandler(*error);
  return success();
}

} // namespace mlir::bnn

#endif // BNN_TRANSFORMS_CHECKEDOPTIONS_H
