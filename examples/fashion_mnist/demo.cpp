//===- demo.cpp - Fashion-MNIST: compiled model against the reference ----===//
//
// Runs the binarized CNN of make_model.py on the first N Fashion-MNIST test
// images twice: once through the object bnn-compile made of
// fashion_bnn.mlir (declared by the header it generated), once through the
// same model written with the reference library (bnn::ref, the test oracle)
// from fashion_bnn.weights. Prints one line per image and exits non-zero
// if the two disagree on a prediction or their logits differ by more than
// the tolerance.
//
//   fashion_demo [--weights FILE] [--images FILE] [--labels FILE] [-n N]
//
// Built with zlib, the IDX files may be gzip-compressed (zlib also reads
// uncompressed files); built with -DDEMO_NO_ZLIB they must be uncompressed.
//
// Exit status: 0 all agree, 1 compiled and reference disagree, 2 bad usage
// or a missing/corrupt input file.
//
//===----------------------------------------------------------------------===//

#include "fashion_bnn.h"

#include "bnn/Reference/Reference.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#ifndef DEMO_NO_ZLIB
#include <zlib.h>
#endif

namespace ref = bnn::ref;

namespace {

constexpr float kBnEps = 1e-5f; // make_model.py BN_EPS
// Logits agree when max_j |compiled_j - reference_j| <= kRelTol * max(1,
// max_j |reference_j|). Both sides compute the same binary activations
// exactly (make_model.py keeps every binary sign off ties); what differs is
// float rounding in conv1, the alphas and the classifier (the reference
// accumulates in double), a few ulps.
constexpr double kRelTol = 1e-3;

const char *const kClassNames[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/// An input error: reported on one line, exit status 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The value of a reference result; an error (arguments the reference
/// rejects) is reported like any other error: one line, exit status 2.
template <typename T> T checked(ref::Result<T> result) {
  if (!result)
    throw std::runtime_error(result.error());
  return std::move(result).value();
}

//===----------------------------------------------------------------------===//
// IDX files
//===----------------------------------------------------------------------===//

/// Sequential reader of a (possibly gzip-compressed) file.
class Reader {
public:
  explicit Reader(const std::string &path) : path_(path) {
#ifndef DEMO_NO_ZLIB
    file_ = gzopen(path.c_str(), "rb");
#else
    file_ = std::fopen(path.c_str(), "rb");
#endif
    if (!file_)
      throw InputError(path + ": cannot open: " + std::strerror(errno));
  }
  ~Reader() {
#ifndef DEMO_NO_ZLIB
    gzclose(file_);
#else
    std::fclose(file_);
#endif
  }
  Reader(const Reader &) = delete;
  Reader &operator=(const Reader &) = delete;

  /// Reads exactly `size` bytes or throws naming `what`.
  void read(void *data, size_t size, const char *what) {
    size_t done = 0;
    auto *out = static_cast<unsigned char *>(data);
    while (done < size) {
#ifndef DEMO_NO_ZLIB
      unsigned chunk =
          static_cast<unsigned>(std::min<size_t>(size - done, 1u << 30));
      int n = gzread(file_, out + done, chunk);
      if (n < 0)
        throw InputError(path_ + ": corrupt gzip data while reading " + what +
                         ": " + gzipError());
#else
      size_t n = std::fread(out + done, 1, size - done, file_);
      if (std::ferror(file_))
        throw InputError(path_ + ": read error while reading " + what);
#endif
      if (n == 0)
        throw InputError(path_ + ": truncated: end of file while reading " +
                         what);
      done += static_cast<size_t>(n);
    }
  }

  /// Reads the remaining `size` bytes and checks that the file ends there
  /// (with zlib this also checks the gzip CRC).
  void skipToEnd(uint64_t size, const char *what) {
    std::vector<unsigned char> chunk(1 << 16);
    while (size > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(size, chunk.size()));
      read(chunk.data(), n, what);
      size -= n;
    }
    unsigned char extra;
#ifndef DEMO_NO_ZLIB
    int n = gzread(file_, &extra, 1);
    if (n < 0)
      throw InputError(path_ +
                       ": corrupt gzip data at the end: " + gzipError());
#else
    size_t n = std::fread(&extra, 1, 1, file_);
#endif
    if (n != 0)
      throw InputError(path_ + ": trailing bytes after " + what);
  }

  uint32_t readBigEndian32(const char *what) {
    unsigned char b[4];
    read(b, 4, what);
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) |
           (uint32_t(b[2]) << 8) | uint32_t(b[3]);
  }

  const std::string &path() const { return path_; }

private:
#ifndef DEMO_NO_ZLIB
  /// zlib's message, without the "path: " it starts with.
  std::string gzipError() {
    int code = 0;
    std::string msg = gzerror(file_, &code);
    if (msg.rfind(path_ + ": ", 0) == 0)
      msg.erase(0, path_.size() + 2);
    return msg;
  }
#endif

  std::string path_;
#ifndef DEMO_NO_ZLIB
  gzFile file_;
#else
  FILE *file_;
#endif
};

/// Reads the IDX header: checks the magic (0x0000 0x08 = ubyte, rank) and
/// returns the dimensions.
std::vector<uint32_t> readIdxHeader(Reader &r, uint32_t expectedMagic) {
  uint32_t magic = r.readBigEndian32("the IDX magic number");
  if (magic != expectedMagic) {
    char buf[128];
    if ((magic >> 16) == 0x1f8b)
      std::snprintf(buf, sizeof buf,
                    "gzip-compressed, but this build reads uncompressed IDX "
                    "files (DEMO_NO_ZLIB): decompress it with gzip -dc");
    else
      std::snprintf(buf, sizeof buf,
                    "bad IDX magic number 0x%08x, expected 0x%08x", magic,
                    expectedMagic);
    throw InputError(r.path() + ": " + buf);
  }
  std::vector<uint32_t> dims(magic & 0xff);
  for (uint32_t &d : dims)
    d = r.readBigEndian32("the IDX dimensions");
  return dims;
}

struct Dataset {
  std::vector<std::vector<float>> images; // 28*28 pixels in [0, 1]
  std::vector<int> labels;
};

Dataset readDataset(const std::string &imagesPath,
                    const std::string &labelsPath, size_t count) {
  Dataset data;
  Reader images(imagesPath);
  std::vector<uint32_t> idims = readIdxHeader(images, 0x00000803);
  if (idims.size() != 3 || idims[1] != 28 || idims[2] != 28)
    throw InputError(imagesPath + ": expected N x 28 x 28 images");
  Reader labels(labelsPath);
  std::vector<uint32_t> ldims = readIdxHeader(labels, 0x00000801);
  if (ldims.size() != 1)
    throw InputError(labelsPath + ": expected a 1-d label file");
  if (idims[0] != ldims[0])
    throw InputError(imagesPath + " holds " + std::to_string(idims[0]) +
                     " images but " + labelsPath + " holds " +
                     std::to_string(ldims[0]) + " labels");
  if (count > idims[0])
    throw InputError(imagesPath + " holds only " + std::to_string(idims[0]) +
                     " images, " + std::to_string(count) + " requested");

  std::vector<unsigned char> pixels(28 * 28);
  for (size_t i = 0; i < count; ++i) {
    images.read(pixels.data(), pixels.size(), "the pixels");
    std::vector<float> image(pixels.size());
    for (size_t p = 0; p < pixels.size(); ++p)
      image[p] = static_cast<float>(pixels[p]) / 255.0f;
    data.images.push_back(std::move(image));
    unsigned char label;
    labels.read(&label, 1, "the labels");
    if (label > 9)
      throw InputError(labelsPath + ": label " + std::to_string(label) +
                       " of image " + std::to_string(i) + " is not in 0..9");
    data.labels.push_back(label);
  }
  // The rest is not used, but a truncated or corrupt file is an error.
  const uint64_t total = idims[0];
  images.skipToEnd((total - count) * 28 * 28, "the images");
  labels.skipToEnd(total - count, "the labels");
  return data;
}

//===----------------------------------------------------------------------===//
// Weights (format: make_model.py)
//===----------------------------------------------------------------------===//

uint32_t littleEndian32(const unsigned char *b) {
  return uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16) |
         (uint32_t(b[3]) << 24);
}

std::map<std::string, ref::Tensor> readWeights(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::vector<unsigned char> bytes;
  unsigned char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    bytes.insert(bytes.end(), buf, buf + n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed)
    throw InputError(path + ": read error");

  size_t pos = 0;
  auto need = [&](size_t size) {
    if (bytes.size() - pos < size)
      throw InputError(path + ": truncated at byte " + std::to_string(pos));
  };
  auto u32 = [&]() {
    need(4);
    uint32_t v = littleEndian32(&bytes[pos]);
    pos += 4;
    return v;
  };
  need(4);
  if (std::memcmp(bytes.data(), "BNNW", 4) != 0)
    throw InputError(path + ": not a weights file (magic is not BNNW)");
  pos = 4;
  if (uint32_t version = u32(); version != 1)
    throw InputError(path + ": unsupported version " + std::to_string(version));
  std::map<std::string, ref::Tensor> tensors;
  for (uint32_t count = u32(), t = 0; t < count; ++t) {
    uint32_t nameLength = u32();
    need(nameLength);
    std::string name(reinterpret_cast<const char *>(&bytes[pos]), nameLength);
    pos += nameLength;
    ref::Tensor tensor;
    uint32_t rank = u32();
    if (rank > 8)
      throw InputError(path + ": tensor " + name + " has rank " +
                       std::to_string(rank));
    uint64_t elements = 1;
    for (uint32_t d = 0; d < rank; ++d) {
      uint32_t dim = u32();
      if (dim != 0 && elements > bytes.size() / dim) // also no overflow
        throw InputError(path + ": truncated in tensor " + name);
      tensor.shape.push_back(dim);
      elements *= dim;
    }
    if (elements > (bytes.size() - pos) / 4)
      throw InputError(path + ": truncated in tensor " + name);
    tensor.data.resize(elements);
    for (float &v : tensor.data) {
      uint32_t bits = littleEndian32(&bytes[pos]);
      std::memcpy(&v, &bits, 4);
      pos += 4;
    }
    tensors[name] = std::move(tensor);
  }
  if (pos != bytes.size())
    throw InputError(path + ": " + std::to_string(bytes.size() - pos) +
                     " trailing bytes");
  return tensors;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// The reference model
//===----------------------------------------------------------------------===//

struct BatchNorm {
  std::vector<float> mean, var, gamma, beta;
};

class ReferenceModel {
public:
  explicit ReferenceModel(const std::map<std::string, ref::Tensor> &weights)
      : weights_(weights) {
    conv1W_ = get("conv1.w", {16, 3, 3, 1});
    conv1B_ = get("conv1.b", {16}).data;
    bn1_ = getBatchNorm("bn1", 16);
    // The binary weights: importance_sign(W, S), as the model computes them.
    conv2W_ = checked(ref::importanceSign(get("conv2.w", {32, 3, 3, 16}),
                                          get("conv2.s", {3, 3, 16})));
    bn2_ = getBatchNorm("bn2", 32);
    conv3W_ = checked(ref::importanceSign(get("conv3.w", {32, 3, 3, 32}),
                                          get("conv3.s", {3, 3, 32})));
    bn3_ = getBatchNorm("bn3", 32);
    dense4W_ = checked(ref::importanceSign(get("dense4.w", {64, 288}),
                                           get("dense4.s", {288})));
    bn4_ = getBatchNorm("bn4", 64);
    dense5W_ = get("dense5.w", {10, 64});
    dense5B_ = get("dense5.b", {10}).data;
  }

  /// Logits of one 28x28 image.
  std::vector<float> run(const std::vector<float> &pixels) {
    ref::Tensor x{{1, 28, 28, 1}, pixels};

    ref::Conv2DParams pad1;
    pad1.padding = {1, 1, 1, 1};
    ref::Pool2DParams pool2;
    pool2.kernel = {2, 2};
    pool2.strides = {2, 2};

    // conv1 (float) + bias, BN, sign.
    pad1.channelsIn = 1;
    ref::Tensor h = checked(ref::conv2d(x, conv1W_, pad1, 0.0f));
    addBias(h, conv1B_);
    h = signOfBatchNorm(h, bn1_);
    // conv2 (binary), BN, sign, max pool.
    pad1.channelsIn = 16;
    h = checked(ref::conv2d(h, conv2W_, pad1, 0.0f));
    h = checked(ref::maxPool2d(signOfBatchNorm(h, bn2_), pool2));
    // conv3 (binary, stride 2), BN, sign, max pool.
    ref::Conv2DParams pad1Stride2 = pad1;
    pad1Stride2.channelsIn = 32;
    pad1Stride2.strides = {2, 2};
    h = checked(ref::conv2d(h, conv3W_, pad1Stride2, 0.0f));
    h = checked(ref::maxPool2d(signOfBatchNorm(h, bn3_), pool2));
    // Flatten (h, w, c): row-major data is already in that order.
    h.shape = {1, checked(ref::numElements(h.shape))};
    // dense4 (binary), BN, sign; dense5 (float) + bias.
    h = signOfBatchNorm(checked(ref::dense(h, dense4W_)), bn4_);
    h = checked(ref::dense(h, dense5W_));
    addBias(h, dense5B_);
    return h.data;
  }

  /// The smallest |batch-norm output| that went into a sign so far: how
  /// close any activation came to a tie.
  float smallestSignInput() const { return smallestSignInput_; }

private:
  ref::Tensor get(const std::string &name, const std::vector<int64_t> &shape) {
    auto it = weights_.find(name);
    if (it == weights_.end())
      throw InputError("weights: tensor " + name + " is missing");
    if (it->second.shape != shape)
      throw InputError("weights: tensor " + name + " has shape " +
                       shapeString(it->second.shape) + ", expected " +
                       shapeString(shape));
    return it->second;
  }

  BatchNorm getBatchNorm(const std::string &prefix, int64_t channels) {
    return {get(prefix + ".mean", {channels}).data,
            get(prefix + ".var", {channels}).data,
            get(prefix + ".gamma", {channels}).data,
            get(prefix + ".beta", {channels}).data};
  }

  static void addBias(ref::Tensor &t, const std::vector<float> &bias) {
    for (size_t i = 0; i < t.data.size(); ++i)
      t.data[i] += bias[i % bias.size()];
  }

  /// sign(batch_norm(t)) over the innermost axis, in float with the model's
  /// order of operations: (x - mean) / sqrt(var + eps) * gamma + beta.
  ref::Tensor signOfBatchNorm(ref::Tensor t, const BatchNorm &bn) {
    const size_t c = bn.mean.size();
    for (size_t i = 0; i < t.data.size(); ++i) {
      const size_t o = i % c;
      float sd = std::sqrt(bn.var[o] + kBnEps);
      float centred = t.data[i] - bn.mean[o];
      float normed = centred / sd;
      float scaled = normed * bn.gamma[o];
      t.data[i] = scaled + bn.beta[o];
      smallestSignInput_ = std::min(smallestSignInput_, std::fabs(t.data[i]));
    }
    return checked(ref::sign(t));
  }

  const std::map<std::string, ref::Tensor> &weights_;
  ref::Tensor conv1W_, conv2W_, conv3W_, dense4W_, dense5W_;
  std::vector<float> conv1B_, dense5B_;
  BatchNorm bn1_, bn2_, bn3_, bn4_;
  float smallestSignInput_ = INFINITY;
};

int argmax(const std::vector<float> &v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

[[noreturn]] void usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s [--weights FILE] [--images FILE] [--labels FILE] "
               "[-n N]\n",
               argv0);
  std::exit(2);
}

} // namespace

int main(int argc, char **argv) {
#ifndef DEMO_NO_ZLIB
  const std::string dataDir = "/usr/share/datasets/fashion-mnist/";
  std::string imagesPath = dataDir + "t10k-images-idx3-ubyte.gz";
  std::string labelsPath = dataDir + "t10k-labels-idx1-ubyte.gz";
#else
  std::string imagesPath = "t10k-images-idx3-ubyte";
  std::string labelsPath = "t10k-labels-idx1-ubyte";
#endif
  std::string weightsPath = "fashion_bnn.weights";
  long count = 10;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc)
      usage(argv[0]);
    if (arg == "--weights")
      weightsPath = argv[++i];
    else if (arg == "--images")
      imagesPath = argv[++i];
    else if (arg == "--labels")
      labelsPath = argv[++i];
    else if (arg == "-n") {
      char *end = nullptr;
      count = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || count < 1 || count > 1000000)
        usage(argv[0]);
    } else
      usage(argv[0]);
  }

  try {
    Dataset data = readDataset(imagesPath, labelsPath, size_t(count));
    std::map<std::string, ref::Tensor> weights = readWeights(weightsPath);
    ReferenceModel model(weights);

    std::printf("%5s  %-11s  %-11s  %-11s  %s\n", "image", "true label",
                "compiled", "reference", "max|logit diff|");
    int disagreements = 0, correct = 0;
    double worstRelative = 0.0;
    double compiledSeconds = 0.0, referenceSeconds = 0.0;
    uint64_t logitsHash =
        1469598103934665603ull; // FNV-1a of the compiled logits
    for (size_t i = 0; i < data.images.size(); ++i) {
      std::vector<float> compiled(10, NAN);
      auto t0 = std::chrono::steady_clock::now();
      fashion_bnn(data.images[i].data(), compiled.data());
      auto t1 = std::chrono::steady_clock::now();
      std::vector<float> reference = model.run(data.images[i]);
      auto t2 = std::chrono::steady_clock::now();
      compiledSeconds += std::chrono::duration<double>(t1 - t0).count();
      referenceSeconds += std::chrono::duration<double>(t2 - t1).count();

      const unsigned char *bytes =
          reinterpret_cast<const unsigned char *>(compiled.data());
      for (size_t b = 0; b < compiled.size() * sizeof(float); ++b)
        logitsHash = (logitsHash ^ bytes[b]) * 1099511628211ull;

      double maxDiff = 0.0, maxRef = 1.0;
      for (int j = 0; j < 10; ++j) {
        double d = std::fabs(double(compiled[j]) - double(reference[j]));
        maxDiff = std::isnan(d) ? INFINITY : std::max(maxDiff, d);
        maxRef = std::max(maxRef, std::fabs(double(reference[j])));
      }
      int predicted = argmax(compiled), expected = argmax(reference);
      bool agree = predicted == expected && maxDiff <= kRelTol * maxRef;
      worstRelative = std::max(worstRelative, maxDiff / maxRef);
      disagreements += !agree;
      correct += predicted == data.labels[i];
      std::printf("%5zu  %-11s  %-11s  %-11s  %.2e%s\n", i,
                  kClassNames[data.labels[i]], kClassNames[predicted],
                  kClassNames[expected], maxDiff,
                  agree ? "" : "  <-- DISAGREE");
    }
    const size_t n = data.images.size();
    std::printf("accuracy: %d/%zu correct (compiled model)\n", correct, n);
    std::printf("compiled vs reference: %zu/%zu agree, worst max|logit diff| "
                "= %.2e of max(1, max|logit|) (tolerance %.0e); smallest "
                "|sign input| %.2e\n",
                n - size_t(disagreements), n, worstRelative, kRelTol,
                double(model.smallestSignInput()));
    std::printf("time per image: compiled %.1f us, reference %.1f us\n",
                1e6 * compiledSeconds / double(n),
                1e6 * referenceSeconds / double(n));
    std::printf("compiled logits FNV-1a: %016llx\n",
                static_cast<unsigned long long>(logitsHash));
    if (disagreements) {
      std::fprintf(stderr,
                   "FAIL: %d image(s) where compiled and reference "
                   "disagree\n",
                   disagreements);
      return 1;
    }
    return 0;
  } catch (const InputError &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
