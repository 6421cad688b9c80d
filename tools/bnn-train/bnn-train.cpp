//===- bnn-train.cpp - Train a binarized or ternary model ----------------===//
//
// bnn-train MODEL.mlir --data=DIR --method=float|ste|bitat|sq --epochs=N
//           [--batch=B] [--lr=LR] [--seed=S] [--threads=T]
//           [--checkpoint=FILE] [--resume] [--log=FILE.csv] [--plot=FILE.png]
//           [--sq-lambda=L] [--stage-epochs=K] [--limit=N]
//           [--export-batch=M] -o TRAINED.mlir
//
// Trains a training model (docs/Training.md) on an IDX data set through the
// gradient function bnn-generate-gradients writes, compiled in process with
// the inference pipeline, and writes the trained inference model. The
// numbers (initializers, optimizer, checkpoints, PCA) are the runtime's
// (runtime/); the IR variants are TrainingModel's.
//
//===----------------------------------------------------------------------===//

#include "TrainingModel.h"

#include "bnn/Dialect/BNN/BNNOps.h"
#include "bnn/InitBNN.h"
#include "bnn/JIT/JIT.h"
#include "bnn/Runtime/Checkpoint.h"
#include "bnn/Runtime/Dataset.h"
#include "bnn/Runtime/Initializers.h"
#include "bnn/Runtime/LinearAlgebra.h"
#include "bnn/Runtime/Optimizer.h"
#include "bnn/Runtime/TrainingLog.h"
#include "bnn/Version.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <unistd.h>

using namespace mlir;
using namespace mlir::bnn;
using namespace mlir::bnn::train;
namespace rt = ::bnn::runtime;
namespace cl = llvm::cl;

static cl::OptionCategory trainCategory("bnn-train options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<training model .mlir>"),
                                          cl::Required, cl::cat(trainCategory));
static cl::opt<std::string>
    outputFilename("o", cl::desc("The trained inference model (.mlir)"),
                   cl::value_desc("file"), cl::cat(trainCategory));
// cl::desc keeps a StringRef: the text must be a literal.
static cl::opt<std::string>
    dataDir("data",
            cl::desc("Directory of the four gzip IDX files of Fashion-MNIST "
                     "or MNIST (default: /usr/share/datasets/fashion-mnist)"),
            cl::value_desc("dir"), cl::init(rt::kFashionMnistDir),
            cl::cat(trainCategory));
static cl::opt<std::string>
    methodFlag("method", cl::desc("float, ste, bitat or sq (docs/Training.md)"),
               cl::value_desc("method"), cl::cat(trainCategory));
static cl::opt<int64_t> epochsFlag("epochs",
                                   cl::desc("Epochs, all stages included"),
                                   cl::value_desc("N"), cl::init(0),
                                   cl::cat(trainCategory));
static cl::opt<int64_t>
    batchFlag("batch",
              cl::desc("Batch size (default: the model's leading dimension)"),
              cl::value_desc("B"), cl::init(0), cl::cat(trainCategory));
static cl::opt<double> lrFlag("lr", cl::desc("Adam learning rate (1e-3)"),
                              cl::value_desc("LR"), cl::init(1e-3),
                              cl::cat(trainCategory));
static cl::opt<uint64_t> seedFlag("seed",
                                  cl::desc("Seed of initial values and "
                                           "shuffling (1)"),
                                  cl::value_desc("S"), cl::init(1),
                                  cl::cat(trainCategory));
// libLLVM.so registers an option named `threads` of its own: ours is
// read from the command line before cl sees it (extractThreadsFlag).
static int64_t threadsFlag = 1;

static cl::opt<std::string>
    checkpointFile("checkpoint",
                   cl::desc("Save the training state here after every epoch"),
                   cl::value_desc("file"), cl::cat(trainCategory));
static cl::opt<bool> resumeFlag("resume",
                                cl::desc("Continue from --checkpoint"),
                                cl::init(false), cl::cat(trainCategory));
static cl::opt<std::string> logFile("log",
                                    cl::desc("Write per-epoch figures as CSV"),
                                    cl::value_desc("file.csv"),
                                    cl::cat(trainCategory));
static cl::opt<std::string>
    plotFile("plot", cl::desc("Draw loss and accuracy curves (gnuplot)"),
             cl::value_desc("file.png"), cl::cat(trainCategory));
static cl::opt<double>
    sqLambda("sq-lambda",
             cl::desc("Weight of the model's penalty with --method=sq (0.003)"),
             cl::value_desc("L"), cl::init(0.003), cl::cat(trainCategory));
static cl::opt<int64_t> stageEpochsFlag(
    "stage-epochs",
    cl::desc("BiTAT: epochs per stage (default: epochs / (layers + 1))"),
    cl::value_desc("K"), cl::init(0), cl::cat(trainCategory));
static cl::opt<int64_t>
    limitFlag("limit", cl::desc("Train on the first N training images only"),
              cl::value_desc("N"), cl::init(0), cl::cat(trainCategory));
static cl::opt<int64_t>
    exportBatch("export-batch",
                cl::desc("Batch size of the exported model (1)"),
                cl::value_desc("M"), cl::init(1), cl::cat(trainCategory));
static cl::opt<std::string> predictionsFile(
    "predictions",
    cl::desc("Write the exported model's prediction for every test image, "
             "one per line"),
    cl::value_desc("file"), cl::cat(trainCategory));

namespace {

enum class Method { Float, Ste, BiTAT, SQ };

/// The tools are built without exceptions: an error ends the run (with
/// exit status 1) where it is found. Nothing written so far is left half
/// done: the output is written last, checkpoints by rename.
[[noreturn]] void fatal(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "bnn-train") << message << "\n";
  llvm::outs().flush();
  std::exit(1);
}

/// The diagnostics have said why.
[[noreturn]] void exitOnDiagnostics() {
  llvm::outs().flush();
  std::exit(1);
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// A function of a compiled variant and the module it came from.
struct Compiled {
  std::unique_ptr<CompiledModel> model;
  PackedFunction function = nullptr;
};

int64_t argmax(const float *row, int64_t n) {
  return std::max_element(row, row + n) - row;
}

class Trainer {
public:
  Trainer(TrainingModel &model, Method method, rt::Dataset &train,
          rt::Dataset &test)
      : model(model), method(method), train(train), test(test) {}

  void run();

private:
  // The state a checkpoint saves.
  std::vector<std::vector<float>> params;
  std::vector<rt::Adam> optimizers;
  std::vector<std::vector<float>> stats; // mean_0, var_0, mean_1, ...
  int64_t epochsDone = 0;
  int64_t pcaStage = 0;
  std::vector<rt::EpochRecord> records;
  // SQ: whether each layer's depth has been resolved, and to binary.
  bool sqResolved = false;
  std::vector<bool> sqBinary;

  TrainingModel &model;
  Method method;
  rt::Dataset &train, &test;
  int64_t stageEpochs = 1;
  int64_t numStages = 0;

  std::string compiledKey;
  Compiled step, eval;

  void initialize();
  QuantizationState stateForStage(int64_t stage) const;
  QuantizationState finalState() const;
  int64_t stageOf(int64_t epoch) const;
  bool trainable(const Param &param, int64_t stage) const;
  void project(unsigned index, const QuantizationState &state);
  Compiled compile(FailureOr<OwningOpRef<ModuleOp>> module,
                   llvm::StringRef function, llvm::StringRef what);
  void ensureCompiled(const QuantizationState &state, int64_t stage);
  void initializeTransformFromPca(unsigned layer, int64_t stage);
  void resolveSqDepths();
  void printSqBetas();
  void trainEpoch(int64_t epoch);
  /// Folds one batch's statistics into the running mean and variance.
  void
  updateRunningStatistics(const std::vector<std::vector<float>> &batchStats);
  /// Evaluates the epoch's model on the test set, records and prints it.
  void finishEpoch(int64_t epoch, int64_t stage, double learningRate,
                   double trainLoss, double trainAccuracy,
                   std::chrono::steady_clock::time_point start);
  double evaluate(const Compiled &compiled, int64_t batch, bool withParams,
                  std::vector<int32_t> *predictions);
  std::vector<void *> forwardPointers(float *images, bool withStats);
  void saveCheckpoint();
  void loadCheckpoint();
  void exportModel();
  std::string fingerprintOf(const std::string &key) const;
};

} // namespace

//===----------------------------------------------------------------------===//
// State
//===----------------------------------------------------------------------===//

void Trainer::initialize() {
  for (auto [i, p] : llvm::enumerate(model.params)) {
    switch (p.role) {
    case ParamRole::Weight:
      params.push_back(rt::kaimingUniform(p.size, p.fanIn, seedFlag, i));
      break;
    case ParamRole::Bias:
    case ParamRole::BatchNormShift:
      params.push_back(rt::constant(p.size, 0.0f));
      break;
    case ParamRole::BatchNormScale:
    case ParamRole::Importance:
      params.push_back(rt::constant(p.size, 1.0f));
      break;
    case ParamRole::SqBeta:
      params.push_back(rt::constant(p.size, static_cast<float>(M_PI / 4)));
      break;
    case ParamRole::Transform: {
      if (p.shape.size() != 2 || p.shape[0] != p.shape[1])
        fatal("parameter " + p.name + " is a transform but not square");
      std::vector<float> identity(p.size, 0.0f);
      for (int64_t k = 0; k < p.shape[0]; ++k)
        identity[k * p.shape[0] + k] = 1.0f;
      params.push_back(identity);
      break;
    }
    }
  }
  optimizers.assign(model.params.size(), rt::Adam());
  for (int64_t c : model.batchNormSizes()) {
    stats.push_back(rt::constant(c, 0.0f));
    stats.push_back(rt::constant(c, 1.0f));
  }
}

int64_t Trainer::stageOf(int64_t epoch) const {
  if (method != Method::BiTAT)
    return 0;
  return std::min<int64_t>(epoch / stageEpochs, numStages);
}

/// BiTAT stage s: layers [0, s) quantized, the signs that feed them too;
/// the signs no quantized layer reads join in the last stage.
QuantizationState Trainer::stateForStage(int64_t stage) const {
  QuantizationState state;
  size_t n = model.layers.size();
  switch (method) {
  case Method::Float:
    state.layerQuantized.assign(n, false);
    break;
  case Method::Ste:
    state.layerQuantized.assign(n, true);
    state.allSigns = true;
    break;
  case Method::SQ:
    state.layerQuantized.assign(n, true);
    state.allSigns = true;
    state.penaltyScale = sqLambda;
    if (sqResolved)
      state.binaryLayers = sqBinary;
    break;
  case Method::BiTAT:
    for (size_t i = 0; i < n; ++i)
      state.layerQuantized.push_back(static_cast<int64_t>(i) < stage);
    state.allSigns = stage >= numStages;
    break;
  }
  return state;
}

QuantizationState Trainer::finalState() const {
  return stateForStage(numStages);
}

bool Trainer::trainable(const Param &param, int64_t stage) const {
  if (param.role == ParamRole::SqBeta)
    return method == Method::SQ && !sqResolved;
  // BiTAT: the layers quantized in earlier stages are frozen.
  if (method == Method::BiTAT && param.layer >= 0 && param.layer < stage - 1)
    return false;
  return true;
}

/// Keeps each parameter where its role needs it after an update.
void Trainer::project(unsigned index, const QuantizationState &state) {
  const Param &p = model.params[index];
  std::vector<float> &v = params[index];
  switch (p.role) {
  case ParamRole::Weight:
    // The straight-through estimator passes no gradient beyond +-1: a
    // latent weight there could never come back.
    if (p.layer >= 0 && state.layerQuantized[p.layer])
      for (float &x : v)
        x = std::clamp(x, -1.0f, 1.0f);
    break;
  case ParamRole::Importance:
    for (float &x : v)
      x = std::max(x, 0.0f);
    break;
  case ParamRole::Transform:
    rt::orthonormalizeColumns(v.data(), p.shape[0]);
    break;
  case ParamRole::SqBeta:
    for (float &x : v)
      x = std::clamp(x, static_cast<float>(M_PI / 4),
                     static_cast<float>(M_PI / 2 - 1e-3));
    break;
  default:
    break;
  }
}

//===----------------------------------------------------------------------===//
// Compiled variants
//===----------------------------------------------------------------------===//

Compiled Trainer::compile(FailureOr<OwningOpRef<ModuleOp>> module,
                          llvm::StringRef function, llvm::StringRef what) {
  if (failed(module))
    fatal("cannot build the " + what + " of the model (diagnostics above)");
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<std::unique_ptr<CompiledModel>> compiled =
      CompiledModel::compile(**module, {function.str()});
  if (!compiled)
    fatal("cannot compile the " + what + ": " +
          llvm::toString(compiled.takeError()));
  llvm::Expected<PackedFunction> entry = (*compiled)->lookup(function);
  if (!entry)
    fatal("cannot link the " + what + ": " + llvm::toString(entry.takeError()));
  llvm::errs() << "compiled the " << what << " in "
               << llvm::format("%.1f", secondsSince(start)) << " s\n";
  return {std::move(*compiled), *entry};
}

void Trainer::ensureCompiled(const QuantizationState &state, int64_t stage) {
  std::string key;
  for (bool q : state.layerQuantized)
    key += q ? '1' : '0';
  key += state.allSigns ? "s" : "f";
  for (bool b : state.binaryLayers)
    key += b ? 'b' : 't';
  if (key == compiledKey)
    return;
  std::string suffix =
      method == Method::BiTAT ? " (stage " + std::to_string(stage) + ")" : "";
  step = compile(model.buildTrainingStep(state), (model.name() + "_grad").str(),
                 "training step" + suffix);
  eval = compile(model.buildEvaluation(state), model.name(),
                 "evaluation function" + suffix);
  compiledKey = key;
}

/// Pointers of the forward function's arguments in order (the image
/// batch, the parameters), then the running statistics.
std::vector<void *> Trainer::forwardPointers(float *images, bool withStats) {
  std::vector<void *> pointers(model.function().getNumArguments(), nullptr);
  pointers[model.imageArgument()] = images;
  for (auto [p, values] : llvm::zip_equal(model.params, params))
    pointers[p.argument] = values.data();
  if (withStats)
    for (std::vector<float> &s : stats)
      pointers.push_back(s.data());
  return pointers;
}

/// Runs `compiled` (image batch `batch` -> logits) over the test set,
/// zero-padding the last batch; returns the accuracy.
double Trainer::evaluate(const Compiled &compiled, int64_t batch,
                         bool withParams, std::vector<int32_t> *predictions) {
  int64_t imageSize = test.rows * test.cols;
  int64_t classes = model.classes();
  std::vector<float> images(batch * imageSize), logits(batch * classes);
  std::vector<void *> pointers;
  if (withParams)
    pointers = forwardPointers(images.data(), /*withStats=*/true);
  else
    pointers = {images.data()};
  pointers.push_back(logits.data());
  int64_t correct = 0;
  for (int64_t first = 0; first < test.count; first += batch) {
    int64_t n = std::min(batch, test.count - first);
    std::fill(images.begin(), images.end(), 0.0f);
    std::copy_n(test.images.begin() + first * imageSize, n * imageSize,
                images.begin());
    compiled.function(pointers.data());
    for (int64_t i = 0; i < n; ++i) {
      int64_t label = argmax(&logits[i * classes], classes);
      correct += label == test.labels[first + i];
      if (predictions)
        predictions->push_back(static_cast<int32_t>(label));
    }
  }
  return static_cast<double>(correct) / test.count;
}

//===----------------------------------------------------------------------===//
// BiTAT: transforms from the PCA of a layer's inputs
//===----------------------------------------------------------------------===//

void Trainer::initializeTransformFromPca(unsigned layerIndex, int64_t stage) {
  const QuantizedLayer &layer = model.layers[layerIndex];
  if (layer.kind != LayerKind::BiTAT || layer.transformParam < 0 ||
      layer.weightParam < 0)
    return;
  if (!layer.transformOnLastAxis) {
    llvm::WithColor::warning(llvm::errs(), "bnn-train")
        << "layer " << layerIndex + 1 << " (" << layer.description
        << "): its transform does not contract the weight's last (input) "
           "axis; the transform keeps its trained value\n";
    return;
  }
  // The layer's inputs under the previous stage's quantization.
  FailureOr<OwningOpRef<ModuleOp>> probeModule =
      model.buildLayerInputProbe(stateForStage(stage - 1), layerIndex);
  int64_t count = 0;
  if (succeeded(probeModule))
    count = cast<RankedTensorType>((**probeModule)
                                       .lookupSymbol<func::FuncOp>(model.name())
                                       .getResultTypes()[0])
                .getNumElements();
  Compiled probe =
      compile(std::move(probeModule), model.name(),
              "input probe of layer " + std::to_string(layerIndex + 1));
  int64_t batch = model.batch();
  int64_t imageSize = train.rows * train.cols;
  std::vector<float> images(train.images.begin(),
                            train.images.begin() + batch * imageSize);
  int64_t c = layer.inputChannels;
  std::vector<float> inputs(count);
  std::vector<void *> pointers = forwardPointers(images.data(), false);
  pointers.push_back(inputs.data());
  probe.function(pointers.data());

  // Correlation matrix over every position of the calibration batch.
  int64_t rows = count / c;
  std::vector<double> correlation(c * c, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float *x = &inputs[r * c];
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = i; j < c; ++j)
        correlation[i * c + j] += double(x[i]) * x[j];
  }
  for (int64_t i = 0; i < c; ++i)
    for (int64_t j = i; j < c; ++j)
      correlation[j * c + i] = correlation[i * c + j] /= rows;
  rt::SymmetricEigen eigen = rt::symmetricEigen(correlation, c);

  // Same effective weight in the new basis: Q_old W = E W_new.
  std::vector<float> &v = params[layer.transformParam];
  std::vector<float> &w = params[layer.weightParam];
  auto q = [&](const std::vector<float> &m, int64_t i, int64_t j) {
    return layer.transformTransposed ? m[j * c + i] : m[i * c + j];
  };
  std::vector<float> effective(w.size(), 0.0f), rebased(w.size(), 0.0f);
  int64_t outer = static_cast<int64_t>(w.size()) / c;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < c; ++i) {
      double sum = 0;
      for (int64_t j = 0; j < c; ++j)
        sum += q(v, i, j) * w[o * c + j];
      effective[o * c + i] = static_cast<float>(sum);
    }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < c; ++j) {
      double sum = 0; // (E^T effective)_j
      for (int64_t i = 0; i < c; ++i)
        sum += eigen.vectors[i * c + j] * effective[o * c + i];
      rebased[o * c + j] = static_cast<float>(sum);
    }
  w = rebased;
  for (int64_t i = 0; i < c; ++i)
    for (int64_t j = 0; j < c; ++j)
      v[layer.transformTransposed ? j * c + i : i * c + j] =
          static_cast<float>(eigen.vectors[i * c + j]);
  // Importance of input channel i: its share of the spectrum,
  // sum_j lambda_j E[i][j]^2, normalized to mean 1.
  if (layer.importanceParam >= 0) {
    std::vector<double> share(c, 0.0);
    double total = 0;
    for (int64_t i = 0; i < c; ++i) {
      for (int64_t j = 0; j < c; ++j)
        share[i] += std::max(eigen.values[j], 0.0) * eigen.vectors[i * c + j] *
                    eigen.vectors[i * c + j];
      total += share[i];
    }
    std::vector<float> &s = params[layer.importanceParam];
    for (size_t k = 0; k < s.size(); ++k)
      s[k] = total > 0 ? static_cast<float>(share[k % c] * c / total) : 1.0f;
    optimizers[layer.importanceParam] = rt::Adam();
  }
  optimizers[layer.transformParam] = rt::Adam();
  optimizers[layer.weightParam] = rt::Adam();
  llvm::outs() << "stage " << stage << ": layer " << layerIndex + 1 << " ("
               << layer.description << ") quantized; transform from the PCA "
               << "of its inputs (eigenvalues "
               << llvm::format("%.3g", eigen.values.front()) << " .. "
               << llvm::format("%.3g", eigen.values.back()) << ")\n";
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// SQ: depth
//===----------------------------------------------------------------------===//

void Trainer::printSqBetas() {
  llvm::outs() << "  SQ beta:";
  for (auto [i, layer] : llvm::enumerate(model.layers))
    if (layer.betaParam >= 0)
      llvm::outs() << llvm::format(" layer %u %.3f", unsigned(i + 1),
                                   params[layer.betaParam][0]);
  llvm::outs() << "\n";
}

/// Each SQ layer whose beta ended in the upper half of its range, nearer
/// pi/2 (binary) than pi/4 (ternary), becomes binary: its threshold is 0
/// from then on, so no zero is left; the others stay ternary.
void Trainer::resolveSqDepths() {
  sqBinary.assign(model.layers.size(), false);
  for (auto [i, layer] : llvm::enumerate(model.layers)) {
    if (layer.kind != LayerKind::Ternary || layer.betaParam < 0)
      continue;
    float beta = params[layer.betaParam][0];
    sqBinary[i] = beta >= 3 * M_PI / 8;
    llvm::outs() << llvm::format("SQ depth: layer %u beta %.3f -> %s\n",
                                 unsigned(i + 1), beta,
                                 sqBinary[i] ? "binary" : "ternary");
  }
  sqResolved = true;
}

void Trainer::trainEpoch(int64_t epoch) {
  // SQ resolves the depths before the last epoch, which trains the
  // weights at the depths they are exported with.
  if (method == Method::SQ && !sqResolved && epoch == epochsFlag - 1 &&
      epochsFlag >= 2)
    resolveSqDepths();
  int64_t stage = stageOf(epoch);
  QuantizationState state = stateForStage(stage);
  ensureCompiled(state, stage);
  if (method == Method::BiTAT && stage >= 1 && pcaStage < stage) {
    initializeTransformFromPca(stage - 1, stage);
    pcaStage = stage;
  }

  int64_t batch = model.batch();
  int64_t classes = model.classes();
  int64_t imageSize = train.rows * train.cols;
  int64_t steps = train.count / batch;
  int64_t epochs = epochsFlag;
  // The learning rate follows a cosine over the run (BiTAT: over each
  // stage, the last stage running to the end).
  int64_t first = 0, last = epochs;
  if (method == Method::BiTAT) {
    first = stage * stageEpochs;
    last = stage < numStages ? first + stageEpochs : epochs;
  }

  std::vector<int64_t> order = rt::shuffledOrder(train.count, seedFlag, epoch);
  std::vector<float> images(batch * imageSize), logits(batch * classes);
  std::vector<int32_t> labels(batch);
  float loss = 0;
  std::vector<std::vector<float>> grads;
  for (const Param &p : model.params)
    grads.emplace_back(p.size);
  std::vector<std::vector<float>> batchStats;
  for (int64_t c : model.batchNormSizes()) {
    batchStats.emplace_back(c);
    batchStats.emplace_back(c);
  }
  bool terminal = isatty(STDERR_FILENO);
  auto start = std::chrono::steady_clock::now();
  double lastDraw = -1, lossSum = 0, lr = 0;
  // The step's buffers, in ABI order; updates are in place.
  std::vector<void *> pointers = {images.data(), labels.data()};
  for (std::vector<float> &p : params)
    pointers.push_back(p.data());
  pointers.push_back(&loss);
  for (std::vector<float> &g : grads)
    pointers.push_back(g.data());
  for (std::vector<float> &b : batchStats)
    pointers.push_back(b.data());
  pointers.push_back(logits.data());
  int64_t correct = 0;
  for (int64_t s = 0; s < steps; ++s) {
    for (int64_t i = 0; i < batch; ++i) {
      int64_t example = order[s * batch + i];
      std::copy_n(train.images.begin() + example * imageSize, imageSize,
                  images.begin() + i * imageSize);
      labels[i] = train.labels[example];
    }
    step.function(pointers.data());
    if (!std::isfinite(loss))
      fatal("the loss is " + std::to_string(loss) + " at epoch " +
            std::to_string(epoch + 1) + ", step " + std::to_string(s + 1) +
            "; training diverged (try a smaller --lr)");
    lossSum += loss;
    for (int64_t i = 0; i < batch; ++i)
      correct += argmax(&logits[i * classes], classes) == labels[i];

    updateRunningStatistics(batchStats);
    lr = rt::cosineLearningRate(static_cast<float>(lrFlag),
                                (epoch - first) * steps + s,
                                (last - first) * steps);
    for (auto [i, p] : llvm::enumerate(model.params)) {
      if (!trainable(p, stage))
        continue;
      optimizers[i].step(
          {{params[i].data(), grads[i].data(), static_cast<size_t>(p.size)}},
          static_cast<float>(lr));
      project(i, state);
    }
    double elapsed = secondsSince(start);
    if (terminal && (elapsed - lastDraw > 0.25 || s + 1 == steps)) {
      llvm::errs() << "\r"
                   << rt::formatProgress(epoch + 1, epochs, s + 1, steps,
                                         lossSum / (s + 1), elapsed);
      lastDraw = elapsed;
    }
  }
  if (terminal)
    llvm::errs() << "\n";

  finishEpoch(epoch, stage, lr, lossSum / steps,
              static_cast<double>(correct) / (steps * batch), start);
}

void Trainer::updateRunningStatistics(
    const std::vector<std::vector<float>> &batchStats) {
  for (unsigned k = 0; k < model.numBatchNorms(); ++k) {
    double momentum = model.batchNormMomenta[k];
    double rows = static_cast<double>(model.batchNormRows[k]);
    double unbias = rows > 1 ? rows / (rows - 1) : 1.0;
    std::vector<float> &mean = stats[2 * k], &var = stats[2 * k + 1];
    for (size_t c = 0; c < mean.size(); ++c) {
      mean[c] = static_cast<float>((1 - momentum) * mean[c] +
                                   momentum * batchStats[2 * k][c]);
      var[c] = static_cast<float>((1 - momentum) * var[c] +
                                  momentum * unbias * batchStats[2 * k + 1][c]);
    }
  }
}

void Trainer::finishEpoch(int64_t epoch, int64_t stage, double learningRate,
                          double trainLoss, double trainAccuracy,
                          std::chrono::steady_clock::time_point start) {
  rt::EpochRecord record;
  record.epoch = epoch + 1;
  record.stage = stage;
  record.learningRate = learningRate;
  record.trainLoss = trainLoss;
  record.trainAccuracy = trainAccuracy;
  record.trainSeconds = secondsSince(start);
  record.testAccuracy =
      evaluate(eval, model.batch(), /*withParams=*/true, nullptr);
  record.seconds = secondsSince(start);
  records.push_back(record);
  int64_t epochs = epochsFlag;
  llvm::outs() << llvm::format("epoch %lld/%lld", (long long)(epoch + 1),
                               (long long)epochs);
  if (method == Method::BiTAT)
    llvm::outs() << llvm::format("  stage %lld", (long long)stage);
  llvm::outs() << llvm::format(
      "  loss %.4f  train %.4f  test %.4f  %.1f s (training %.1f s)\n",
      record.trainLoss, record.trainAccuracy, record.testAccuracy,
      record.seconds, record.trainSeconds);
  if (method == Method::SQ)
    printSqBetas();
  llvm::outs().flush();
}

//===----------------------------------------------------------------------===//
// Checkpoints
//===----------------------------------------------------------------------===//

/// What a checkpoint must agree on with the run that resumes it.
static std::map<std::string, std::string> runSettings(const TrainingModel &m) {
  return {{"model", m.fingerprint()},
          {"method", methodFlag},
          {"epochs", std::to_string(epochsFlag)},
          {"batch", std::to_string(m.batch())},
          {"lr", llvm::formatv("{0}", lrFlag.getValue()).str()},
          {"seed", std::to_string(seedFlag)},
          {"limit", std::to_string(limitFlag)},
          {"sq-lambda", llvm::formatv("{0}", sqLambda.getValue()).str()},
          {"stage-epochs", std::to_string(stageEpochsFlag)}};
}

void Trainer::saveCheckpoint() {
  rt::Checkpoint ckpt;
  for (auto &[key, value] : runSettings(model))
    ckpt.strings["setting." + key] = value;
  for (size_t i = 0; i < params.size(); ++i) {
    std::string n = std::to_string(i);
    ckpt.tensors["param." + n] = params[i];
    ckpt.tensors["adam.m." + n] =
        optimizers[i].m.empty() ? std::vector<float>() : optimizers[i].m[0];
    ckpt.tensors["adam.v." + n] =
        optimizers[i].v.empty() ? std::vector<float>() : optimizers[i].v[0];
    ckpt.integers["adam.steps." + n] = optimizers[i].steps;
  }
  for (size_t i = 0; i < stats.size(); ++i)
    ckpt.tensors["stat." + std::to_string(i)] = stats[i];
  std::vector<float> log;
  for (const rt::EpochRecord &r : records)
    log.insert(log.end(), {float(r.epoch), float(r.stage),
                           float(r.learningRate), float(r.trainLoss),
                           float(r.trainAccuracy), float(r.testAccuracy),
                           float(r.trainSeconds), float(r.seconds)});
  ckpt.tensors["log"] = log;
  ckpt.integers["epochs_done"] = epochsDone;
  ckpt.integers["pca_stage"] = pcaStage;
  int64_t binaryMask = 0;
  for (auto [i, binary] : llvm::enumerate(sqBinary))
    binaryMask |= binary ? int64_t(1) << i : 0;
  ckpt.integers["sq.resolved"] = sqResolved;
  ckpt.integers["sq.binary"] = binaryMask;
  std::string error;
  if (!rt::writeCheckpoint(checkpointFile, ckpt, error))
    fatal(error);
}

void Trainer::loadCheckpoint() {
  std::string error;
  std::optional<rt::Checkpoint> ckpt =
      rt::readCheckpoint(checkpointFile, error);
  if (!ckpt)
    fatal(error);
  for (auto &[key, value] : runSettings(model)) {
    auto it = ckpt->strings.find("setting." + key);
    if (it == ckpt->strings.end())
      fatal("checkpoint '" + checkpointFile +
            "' is not a bnn-train "
            "checkpoint (no '" +
            key + "' setting)");
    if (it->second != value)
      fatal("checkpoint '" + checkpointFile + "' was written by a run with " +
            key + " '" + it->second + "'; this run has '" + value +
            "' (resume with the same model and flags, or start afresh "
            "without --resume)");
  }
  auto tensor = [&](const std::string &name,
                    size_t size) -> std::vector<float> {
    auto it = ckpt->tensors.find(name);
    if (it == ckpt->tensors.end() || it->second.size() != size)
      fatal("checkpoint '" + checkpointFile + "': tensor '" + name +
            "' is missing or has the wrong size");
    return it->second;
  };
  auto integer = [&](const std::string &name) {
    auto it = ckpt->integers.find(name);
    if (it == ckpt->integers.end())
      fatal("checkpoint '" + checkpointFile + "': '" + name + "' is missing");
    return it->second;
  };
  for (size_t i = 0; i < params.size(); ++i) {
    std::string n = std::to_string(i);
    params[i] = tensor("param." + n, params[i].size());
    optimizers[i] = rt::Adam();
    optimizers[i].steps = integer("adam.steps." + n);
    if (optimizers[i].steps > 0) {
      optimizers[i].m = {tensor("adam.m." + n, params[i].size())};
      optimizers[i].v = {tensor("adam.v." + n, params[i].size())};
    }
  }
  for (size_t i = 0; i < stats.size(); ++i)
    stats[i] = tensor("stat." + std::to_string(i), stats[i].size());
  epochsDone = integer("epochs_done");
  pcaStage = integer("pca_stage");
  sqResolved = integer("sq.resolved") != 0;
  sqBinary.clear();
  if (sqResolved)
    for (size_t i = 0; i < model.layers.size(); ++i)
      sqBinary.push_back((integer("sq.binary") >> i) & 1);
  if (epochsDone < 0 || epochsDone > epochsFlag)
    fatal("checkpoint '" + checkpointFile + "': epochs_done out of range");
  std::vector<float> log = tensor("log", static_cast<size_t>(epochsDone) * 8);
  for (int64_t e = 0; e < epochsDone; ++e) {
    const float *r = &log[e * 8];
    records.push_back(
        {int64_t(r[0]), int64_t(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]});
  }
  llvm::outs() << "resumed from '" << checkpointFile << "' after epoch "
               << epochsDone << "\n";
}

//===----------------------------------------------------------------------===//
// Export
//===----------------------------------------------------------------------===//

/// Bits per weight of each SQ layer of the exported model: 1 where the
/// ternary weights hold no zero (the compiler packs them as binary), else 2
/// (two bit planes).
static void reportSqDepth(ModuleOp exported) {
  int64_t weights = 0;
  double bits = 0;
  unsigned index = 0;
  bool any = false;
  exported.walk([&](TernaryOp ternary) {
    any = true;
    ++index;
    DenseElementsAttr w, delta;
    if (!matchPattern(ternary.getX(), m_Constant(&w)) ||
        !matchPattern(ternary.getDelta(), m_Constant(&delta))) {
      llvm::outs() << "SQ layer " << index
                   << ": weights not constant, depth unknown\n";
      return;
    }
    auto values = llvm::to_vector(w.getValues<float>());
    auto deltas = llvm::to_vector(delta.getValues<float>());
    int64_t rows = deltas.size(), perRow = values.size() / rows, zeros = 0;
    for (int64_t o = 0; o < rows; ++o)
      for (int64_t k = 0; k < perRow; ++k)
        zeros += std::fabs(values[o * perRow + k]) <= deltas[o];
    int layerBits = zeros ? 2 : 1;
    weights += values.size();
    bits += double(layerBits) * values.size();
    llvm::outs() << llvm::format(
        "SQ layer %u (%lld weights): %s, %d bit%s per weight (%.2f%% zeros)\n",
        index, (long long)values.size(), zeros ? "ternary" : "binary",
        layerBits, layerBits == 1 ? "" : "s", 100.0 * zeros / values.size());
  });
  if (any && weights)
    llvm::outs() << llvm::format("SQ layers: %.3f bits per weight on average\n",
                                 bits / weights);
}

void Trainer::exportModel() {
  if (method == Method::SQ && !sqResolved)
    resolveSqDepths();
  QuantizationState state = finalState();
  MLIRContext *context = model.function().getContext();
  unsigned count = 0;
  FailureOr<OwningOpRef<ModuleOp>> expressions =
      model.buildParameterExpressions(state, count);
  if (failed(expressions))
    fatal("cannot build the parameter expressions of the model");
  std::vector<std::vector<float>> values;
  if (count) {
    auto function = *(**expressions).getOps<func::FuncOp>().begin();
    SmallVector<Type> types(function.getResultTypes());
    Compiled compiled =
        compile(std::move(expressions), model.name(), "parameter expressions");
    int64_t imageSize = train.rows * train.cols;
    std::vector<float> images(model.batch() * imageSize, 0.0f);
    std::vector<void *> pointers = forwardPointers(images.data(), true);
    for (Type t : types) {
      values.emplace_back(cast<RankedTensorType>(t).getNumElements());
      pointers.push_back(values.back().data());
    }
    compiled.function(pointers.data());
  }
  FailureOr<OwningOpRef<ModuleOp>> exported =
      model.buildExport(state, params, stats, values, exportBatch);
  if (failed(exported))
    fatal("cannot build the inference model (diagnostics above)");

  std::string error;
  auto output = openOutputFile(outputFilename, &error);
  if (!output)
    fatal(error);
  output->os() << "// Trained by bnn-train --method=" << methodFlag
               << " --epochs=" << epochsFlag << " --seed=" << seedFlag
               << " from " << inputFilename << "\n";
  (**exported)
      .print(output->os(), OpPrintingFlags().printLargeElementsAttrWithHex(64));
  output->keep();
  output.reset();

  // Evaluate exactly what was written.
  llvm::SourceMgr sourceMgr;
  OwningOpRef<ModuleOp> written =
      parseSourceFile<ModuleOp>(outputFilename, sourceMgr, context);
  if (!written)
    fatal("cannot read back '" + outputFilename + "'");
  reportSqDepth(*written);
  Compiled compiled =
      compile(std::move(written), model.name(),
              "exported model (batch " + std::to_string(exportBatch) + ")");
  std::vector<int32_t> predictions;
  double accuracy =
      evaluate(compiled, exportBatch, /*withParams=*/false, &predictions);
  if (!predictionsFile.empty()) {
    std::ofstream out(predictionsFile);
    for (int32_t p : predictions)
      out << p << "\n";
    if (!out)
      fatal("cannot write '" + predictionsFile + "'");
  }
  if (!logFile.empty()) {
    std::ofstream out(logFile);
    out << rt::formatCsv(records);
    if (!out)
      fatal("cannot write '" + logFile + "'");
  }
  if (!plotFile.empty() && !rt::plotCurves(records, plotFile, error))
    fatal(error);
  llvm::outs() << llvm::format("test accuracy: %.4f\n", accuracy);
}

void Trainer::run() {
  numStages = static_cast<int64_t>(model.layers.size());
  if (model.layers.size() > 62)
    fatal("the model has " + std::to_string(model.layers.size()) +
          " quantized layers; bnn-train handles up to 62");
  stageEpochs = stageEpochsFlag > 0
                    ? stageEpochsFlag
                    : std::max<int64_t>(1, epochsFlag / (numStages + 1));
  initialize();
  if (resumeFlag) {
    if (llvm::sys::fs::exists(checkpointFile))
      loadCheckpoint();
    else
      llvm::outs() << "no checkpoint '" << checkpointFile
                   << "' yet: starting at epoch 1\n";
  }
  llvm::outs() << "training '" << model.name() << "' (" << model.params.size()
               << " parameters, " << model.layers.size()
               << " quantized layers) with --method=" << methodFlag << " on "
               << train.count << " images, batch " << model.batch() << "\n";
  for (auto [i, layer] : llvm::enumerate(model.layers))
    llvm::outs() << "  layer " << i + 1 << ": " << layer.description << "\n";
  if (method == Method::BiTAT) {
    llvm::outs() << "  BiTAT: " << stageEpochs << " epoch(s) per stage, stage "
                 << "0 in float\n";
    int64_t lastStage = stageOf(epochsFlag - 1);
    if (lastStage < numStages)
      llvm::WithColor::warning(llvm::errs(), "bnn-train")
          << "--epochs=" << epochsFlag << " with --stage-epochs=" << stageEpochs
          << " ends in stage " << lastStage << " of " << numStages
          << ": layers " << lastStage + 1
          << " and above are binarized only in the exported model, "
             "untrained as such\n";
  }
  for (int64_t epoch = epochsDone; epoch < epochsFlag; ++epoch) {
    trainEpoch(epoch);
    epochsDone = epoch + 1;
    if (!logFile.empty()) {
      std::ofstream out(logFile);
      out << rt::formatCsv(records);
    }
    if (!checkpointFile.empty())
      saveCheckpoint();
  }
  exportModel();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static Method parseMethod() {
  if (methodFlag == "float")
    return Method::Float;
  if (methodFlag == "ste")
    return Method::Ste;
  if (methodFlag == "bitat")
    return Method::BiTAT;
  if (methodFlag == "sq")
    return Method::SQ;
  if (methodFlag.empty())
    fatal("no --method; use --method=float, ste, bitat or sq");
  fatal("unknown --method '" + methodFlag +
        "' (expected float, ste, bitat "
        "or sq)");
}

static void trainMain() {
  // Every flag is checked before any work.
  Method method = parseMethod();
  if (outputFilename.empty())
    fatal("no output file; use -o TRAINED.mlir");
  if (epochsFlag < 1)
    fatal("--epochs must be at least 1 (got " + std::to_string(epochsFlag) +
          ")");
  if (batchFlag < 0 || limitFlag < 0 || stageEpochsFlag < 0)
    fatal("--batch, --limit and --stage-epochs must not be negative");
  if (exportBatch < 1)
    fatal("--export-batch must be at least 1");
  if (!(lrFlag > 0) || !std::isfinite(lrFlag))
    fatal("--lr must be a positive number");
  if (!(sqLambda >= 0) || !std::isfinite(sqLambda))
    fatal("--sq-lambda must be a non-negative number");
  if (threadsFlag < 1)
    fatal("--threads must be at least 1");
  if (threadsFlag > 1)
    llvm::WithColor::warning(llvm::errs(), "bnn-train")
        << "--threads=" << threadsFlag
        << ": this version trains on one thread (the compiled step is "
           "single-threaded)\n";
  if (resumeFlag && checkpointFile.empty())
    fatal("--resume needs --checkpoint=FILE");
  if (!checkpointFile.empty() && !resumeFlag &&
      llvm::sys::fs::exists(checkpointFile))
    llvm::WithColor::note(llvm::errs(), "bnn-train")
        << "'" << checkpointFile
        << "' exists; it will be overwritten after the first epoch (pass "
           "--resume to continue from it)\n";

  DialectRegistry registry;
  registerBNNDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  context.getDiagEngine().registerHandler([](Diagnostic &d) {
    return success(d.getSeverity() == DiagnosticSeverity::Remark);
  });
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input)
    fatal(error);
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    exitOnDiagnostics(); // The parser has reported why.
  FailureOr<TrainingModel> model = TrainingModel::analyze(*module);
  if (failed(model))
    exitOnDiagnostics();
  if (batchFlag && batchFlag != model->batch()) {
    if (failed(setBatchSize(model->function(), model->imageArgument(),
                            model->batch(), batchFlag)))
      exitOnDiagnostics();
    model = TrainingModel::analyze(*module);
    if (failed(model))
      exitOnDiagnostics();
  }

  std::optional<rt::Dataset> train =
      rt::readMnistSplit(dataDir, /*train=*/true, error,
                         limitFlag > 0 ? limitFlag.getValue() : -1);
  if (!train)
    fatal(error);
  std::optional<rt::Dataset> test =
      rt::readMnistSplit(dataDir, /*train=*/false, error);
  if (!test)
    fatal(error);
  ArrayRef<int64_t> image = model->imageShape();
  if (image[0] != train->rows || image[1] != train->cols || image[2] != 1)
    fatal(llvm::formatv("the model reads {0}x{1}x{2} images; the data set "
                        "has {3}x{4}x1",
                        image[0], image[1], image[2], train->rows, train->cols)
              .str());
  int32_t maxLabel = 0;
  for (int32_t l : train->labels)
    maxLabel = std::max(maxLabel, l);
  for (int32_t l : test->labels)
    maxLabel = std::max(maxLabel, l);
  if (maxLabel >= model->classes())
    fatal(llvm::formatv("the model has {0} logits; the data set has label {1}",
                        model->classes(), maxLabel)
              .str());
  if (train->count < model->batch())
    fatal(llvm::formatv("{0} training images, fewer than one batch of {1}",
                        train->count, model->batch())
              .str());
  Trainer(*model, method, *train, *test).run();
}

/// Removes `--threads=T` / `-threads=T` / `--threads T` from the arguments
/// and parses T. Returns false (with a message) on a bad value.
static bool extractThreadsFlag(int &argc, char **argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    std::optional<llvm::StringRef> value;
    if (arg.consume_front("--threads") || arg.consume_front("-threads")) {
      if (arg.consume_front("="))
        value = arg;
      else if (arg.empty() && i + 1 < argc)
        value = llvm::StringRef(argv[++i]);
      else if (arg.empty())
        value = llvm::StringRef();
    }
    if (!value) {
      argv[out++] = argv[i];
      continue;
    }
    if (value->getAsInteger(10, threadsFlag)) {
      llvm::WithColor::error(llvm::errs(), "bnn-train")
          << "--threads needs a number, got '" << *value << "'\n";
      return false;
    }
  }
  argc = out;
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (!extractThreadsFlag(argc, argv))
    return 1;
  cl::HideUnrelatedOptions({&trainCategory});
  cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "bnn-mlir version " << BNN_MLIR_VERSION << "\n";
  });
  cl::ParseCommandLineOptions(
      argc, argv,
      "bnn-mlir trainer: trains a training model (docs/Training.md) and "
      "writes the trained inference model\n\n"
      "  --threads=<T>  threads (the compiled step is single-threaded; "
      "this version trains on one)\n");
  trainMain();
  return 0;
}
