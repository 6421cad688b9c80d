//===- bnn-opt.cpp - The bnn optimizer driver ---------------------------===//
//
// MlirOptMain with the bnn dialect and only the upstream dialects and passes
// the project uses (see InitBNN.h).
//
//===----------------------------------------------------------------------===//

#include "bnn/InitBNN.h"
#include "bnn/Version.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::bnn::registerBNNDialects(registry);
  mlir::bnn::registerBNNPasses();

  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "bnn-mlir version " << BNN_MLIR_VERSION << "\n";
  });
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "bnn-mlir optimizer driver\n", registry));
}
