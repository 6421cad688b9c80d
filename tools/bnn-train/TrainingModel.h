//===- TrainingModel.h - What bnn-train reads in a training model -*- C++
//-*-===//
//
// The MLIR side of bnn-train: the roles of a training model's parameters,
// its quantized layers and activation signs, and the variants of the model
// the trainer compiles (a training step per quantization state, an
// evaluation function, a probe of a layer's inputs) and writes (the
// exported inference model). The numbers live in the runtime; this file
// only builds IR.
//
//===----------------------------------------------------------------------===//

#ifndef BNN_TRAIN_TRAININGMODEL_H
#define BNN_TRAIN_TRAININGMODEL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace mlir::bnn::train {

enum class ParamRole {
  Weight,         // a convolution or dense weight: Kaiming-uniform
  Bias,           // a rank-1 tensor added to a layer: 0
  Transform,      // operand 1 of bnn.orthonormal_transform: identity
  Importance,     // operand 1 of bnn.importance_sign: 1
  BatchNormScale, // gamma of bnn.batch_norm: 1
  BatchNormShift, // beta of bnn.batch_norm: 0
  SqBeta,         // operand 1 of bnn.sq_regularizer: pi/4
};

const char *roleName(ParamRole role);

struct Param {
  unsigned argument; // position among the function's arguments
  std::vector<int64_t> shape;
  int64_t size = 1;
  ParamRole role;
  int64_t fanIn = 1; // for Weight
  int layer = -1;    // the quantized layer whose weight it forms
  std::string name;  // "p3 (conv weight 32x3x3x16)" for messages
};

enum class LayerKind { BiTAT, ImportanceSign, Ternary, WeightSign };

/// A weight quantizer (bnn.importance_sign, bnn.ternary or bnn.sign of a
/// parameter-only value) and the layer that reads it.
struct QuantizedLayer {
  LayerKind kind;
  std::vector<unsigned> params;     // indices into TrainingModel::params
  int transformParam = -1;          // BiTAT: V
  int importanceParam = -1;         // BiTAT / importance_sign: S
  int betaParam = -1;               // SQ: the beta its threshold reads
  int weightParam = -1;             // the latent weight (clipped to [-1, 1])
  int64_t inputChannels = 0;        // innermost size of the layer's input
  bool transformOnLastAxis = false; // BiTAT: V contracts W's last axis
  bool transformTransposed = false; // BiTAT: the transform reads V^T
  std::string description;          // "conv 16->32 (BiTAT)"
};

/// Which weight quantizers and activation signs a compiled variant keeps.
struct QuantizationState {
  std::vector<bool> layerQuantized; // per QuantizedLayer
  /// SQ layers resolved to binary: their ternary threshold is 0 (no zero
  /// is left); empty for none.
  std::vector<bool> binaryLayers;
  bool allSigns = false;   // no layer at all: signs by this flag
  double penaltyScale = 0; // 0: the penalty is dropped
};

class TrainingModel {
public:
  /// Reads the model in `module`: one public function with bnn.param
  /// arguments, one image input, logits [N, K] and an optional penalty.
  /// Errors are emitted on the op at fault.
  static FailureOr<TrainingModel> analyze(ModuleOp module);

  func::FuncOp function() const { return forward; }
  llvm::StringRef name() const { return forward.getSymName(); }
  int64_t batch() const { return batchSize; }
  int64_t classes() const { return numClasses; }
  llvm::ArrayRef<int64_t> imageShape() const { return image; } // H, W, C
  unsigned imageArgument() const { return dataArgument; }
  bool hasPenalty() const { return penalty; }
  unsigned numBatchNorms() const { return batchNormChannels.size(); }
  llvm::ArrayRef<int64_t> batchNormSizes() const { return batchNormChannels; }

  std::vector<Param> params;
  std::vector<QuantizedLayer> layers;
  /// Per bnn.batch_norm, in program order: momentum, rows per channel.
  std::vector<double> batchNormMomenta;
  std::vector<int64_t> batchNormRows;

  /// The module's function signature and op sequence, for checkpoints.
  std::string fingerprint() const;

  /// `@NAME_grad` of the model with the given quantization state: the
  /// gradient function with the logits returned last.
  FailureOr<OwningOpRef<ModuleOp>>
  buildTrainingStep(const QuantizationState &state) const;

  /// `@NAME_eval(image, params..., mean_0, var_0, ...)` -> logits: batch
  /// norm in inference form on the given running statistics.
  FailureOr<OwningOpRef<ModuleOp>>
  buildEvaluation(const QuantizationState &state) const;

  /// `@NAME_probe(image, params...)` -> the input of layer `layer` (batch
  /// norm on batch statistics), for BiTAT's PCA.
  FailureOr<OwningOpRef<ModuleOp>>
  buildLayerInputProbe(const QuantizationState &state, unsigned layer) const;

  /// Values of the evaluation function that depend on parameters only and
  /// are not quantizer operands the compiler folds by itself (SQ's ternary
  /// threshold computed from beta): `@NAME_consts(params..., stats...)`
  /// returns them, or nullptr when there is none.
  FailureOr<OwningOpRef<ModuleOp>>
  buildParameterExpressions(const QuantizationState &state,
                            unsigned &count) const;

  /// The inference model: `@NAME(image)` with batch `exportBatch`, every
  /// parameter and statistic a constant, the parameter expressions
  /// replaced by `expressionValues`.
  FailureOr<OwningOpRef<ModuleOp>>
  buildExport(const QuantizationState &state,
              llvm::ArrayRef<std::vector<float>> paramValues,
              llvm::ArrayRef<std::vector<float>> statValues,
              llvm::ArrayRef<std::vector<float>> expressionValues,
              int64_t exportBatch) const;

private:
  // The steps of analyze().
  /// The images input, the logits and the optional penalty.
  LogicalResult analyzeSignature();
  /// Each parameter's role, by how it is used.
  LogicalResult analyzeParams();
  /// The quantized layers: the parameters behind each quantizer's weight.
  void analyzeLayers();

  ModuleOp module;
  mutable func::FuncOp forward;
  int64_t batchSize = 0, numClasses = 0;
  std::vector<int64_t> image;
  unsigned dataArgument = 0;
  bool penalty = false;
  std::vector<int64_t> batchNormChannels;
};

/// Changes the leading (batch) dimension of `function`'s data input, of
/// every value computed from it and of the inits those values are written
/// into, from `from` to `to`. Fails with an error on the function when the
/// result does not verify (an op that fixes the batch, such as a reshape
/// across it).
LogicalResult setBatchSize(func::FuncOp function, unsigned dataArgument,
                           int64_t from, int64_t to);

} // namespace mlir::bnn::train

#endif // BNN_TRAIN_TRAININGMODEL_H
