//===- DatasetTest.cpp - IDX reading: real files and broken ones ----------===//

#include "bnn/Runtime/Dataset.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace bnn::runtime;

namespace {

std::vector<unsigned char> idxHeader(uint32_t magic,
                                     const std::vector<uint32_t> &dims) {
  std::vector<unsigned char> bytes;
  for (uint32_t value : std::vector<uint32_t>{magic}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<unsigned char>(value >> shift));
  }
  for (uint32_t value : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<unsigned char>(value >> shift));
  return bytes;
}

class DatasetTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("bnn-dataset-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string gzipFile(const std::string &name,
                       const std::vector<unsigned char> &bytes) {
    std::string path = (dir / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return path;
  }
  std::string rawFile(const std::string &name,
                      const std::vector<unsigned char> &bytes) {
    std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    return path;
  }
  /// Three 2x3 images with pixels 0, 51, ..., and labels 7, 0, 9.
  std::pair<std::string, std::string> smallSet() {
    auto images = idxHeader(0x803, {3, 2, 3});
    for (int i = 0; i < 18; ++i)
      images.push_back(static_cast<unsigned char>((i % 6) * 51));
    auto labels = idxHeader(0x801, {3});
    for (unsigned char l : {7, 0, 9})
      labels.push_back(l);
    return {gzipFile("images.gz", images), gzipFile("labels.gz", labels)};
  }

  std::filesystem::path dir;
};

TEST_F(DatasetTest, ReadsImagesScaledToUnitRangeAndLabels) {
  auto [images, labels] = smallSet();
  std::string error;
  std::optional<Dataset> data = readIdx(images, labels, error);
  ASSERT_TRUE(data) << error;
  EXPECT_EQ(data->count, 3);
  EXPECT_EQ(data->rows, 2);
  EXPECT_EQ(data->cols, 3);
  ASSERT_EQ(data->images.size(), 18u);
  EXPECT_FLOAT_EQ(data->images[0], 0.0f);
  EXPECT_FLOAT_EQ(data->images[5], 1.0f);
  EXPECT_FLOAT_EQ(data->images[7], 51.0f / 255.0f);
  EXPECT_EQ(data->labels, (std::vector<int32_t>{7, 0, 9}));
}

TEST_F(DatasetTest, LimitKeepsTheFirstExamples) {
  auto [images, labels] = smallSet();
  std::string error;
  std::optional<Dataset> data = readIdx(images, labels, error, 2);
  ASSERT_TRUE(data) << error;
  EXPECT_EQ(data->count, 2);
  EXPECT_EQ(data->images.size(), 12u);
  EXPECT_EQ(data->labels, (std::vector<int32_t>{7, 0}));
}

TEST_F(DatasetTest, MissingFileIsNamed) {
  auto [images, labels] = smallSet();
  std::string error;
  EXPECT_FALSE(readIdx((dir / "nope.gz").string(), labels, error));
  EXPECT_NE(error.find("nope.gz: cannot open the file"), std::string::npos)
      << error;
}

TEST_F(DatasetTest, WrongMagicIsNamed) {
  auto [images, labels] = smallSet();
  std::string error;
  // Labels given as images.
  EXPECT_FALSE(readIdx(labels, labels, error));
  EXPECT_NE(error.find("labels.gz: not an IDX file of this kind (magic "
                       "0x00000801, expected 0x00000803)"),
            std::string::npos)
      << error;
}

TEST_F(DatasetTest, TruncatedFileIsNamed) {
  auto images = idxHeader(0x803, {3, 2, 3});
  images.resize(images.size() + 10, 0); // 10 of 18 pixels
  std::string imagesPath = gzipFile("short.gz", images);
  auto [unused, labels] = smallSet();
  std::string error;
  EXPECT_FALSE(readIdx(imagesPath, labels, error));
  EXPECT_NE(error.find("short.gz: truncated: the images end after 10 of 18 "
                       "bytes"),
            std::string::npos)
      << error;
}

TEST_F(DatasetTest, CorruptCompressedDataIsNamed) {
  auto [images, labels] = smallSet();
  // A gzip header followed by garbage.
  std::vector<unsigned char> bytes = {0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3};
  for (int i = 0; i < 200; ++i)
    bytes.push_back(static_cast<unsigned char>(i * 37 + 11));
  std::string corrupt = rawFile("corrupt.gz", bytes);
  std::string error;
  EXPECT_FALSE(readIdx(corrupt, labels, error));
  EXPECT_NE(error.find("corrupt.gz: "), std::string::npos) << error;
}

TEST_F(DatasetTest, CountsThatDifferAreNamed) {
  auto [images, unused] = smallSet();
  auto labels = idxHeader(0x801, {2});
  labels.push_back(1);
  labels.push_back(2);
  std::string labelsPath = gzipFile("two.gz", labels);
  std::string error;
  EXPECT_FALSE(readIdx(images, labelsPath, error));
  EXPECT_NE(error.find("3 images but"), std::string::npos) << error;
  EXPECT_NE(error.find("two.gz has 2 labels"), std::string::npos) << error;
}

// The data set of the demo and of bnn-train, as Debian installs it (a
// dependency of every build: scripts/install-deps.sh).
TEST(FashionMnist, TestSplitAsDebianInstallsIt) {
  std::string error;
  std::optional<Dataset> data =
      readMnistSplit(kFashionMnistDir, /*train=*/false, error);
  ASSERT_TRUE(data) << error;
  EXPECT_EQ(data->count, 10000);
  EXPECT_EQ(data->rows, 28);
  EXPECT_EQ(data->cols, 28);
  // The first test image is an ankle boot (class 9), the second a pullover.
  EXPECT_EQ(data->labels[0], 9);
  EXPECT_EQ(data->labels[1], 2);
  std::vector<int> perClass(10, 0);
  for (int32_t l : data->labels) {
    ASSERT_GE(l, 0);
    ASSERT_LT(l, 10);
    ++perClass[l];
  }
  for (int count : perClass)
    EXPECT_EQ(count, 1000);
}

} // namespace
