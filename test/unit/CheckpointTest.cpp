//===- CheckpointTest.cpp - Round trip, corruption, atomic writes ---------===//

#include "bnn/Runtime/Checkpoint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unistd.h>

using namespace bnn::runtime;

namespace {

class CheckpointTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("bnn-checkpoint-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    path = (dir / "run.ckpt").string();
    sample.tensors["w1"] = {1.5f, -0.0f, 3.25e-8f,
                            std::numeric_limits<float>::infinity()};
    sample.tensors["empty"] = {};
    sample.integers["epoch"] = 7;
    sample.integers["step"] = -3;
    sample.strings["rng"] = std::string("state\0with zero", 15);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string bytes() {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void setBytes(const std::string &b) {
    std::ofstream(path, std::ios::binary) << b;
  }

  std::filesystem::path dir;
  std::string path;
  Checkpoint sample;
};

TEST_F(CheckpointTest, RoundTripsBitExactly) {
  std::string error;
  ASSERT_TRUE(writeCheckpoint(path, sample, error)) << error;
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::optional<Checkpoint> read = readCheckpoint(path, error);
  ASSERT_TRUE(read) << error;
  ASSERT_EQ(read->tensors.size(), 2u);
  const std::vector<float> &w = read->tensors["w1"];
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0], 1.5f);
  EXPECT_TRUE(std::signbit(w[1]));
  EXPECT_EQ(w[2], 3.25e-8f);
  EXPECT_TRUE(std::isinf(w[3]));
  EXPECT_TRUE(read->tensors["empty"].empty());
  EXPECT_EQ(read->integers["epoch"], 7);
  EXPECT_EQ(read->integers["step"], -3);
  EXPECT_EQ(read->strings["rng"], sample.strings["rng"]);
}

TEST_F(CheckpointTest, OverwritesTheOldCheckpoint) {
  std::string error;
  ASSERT_TRUE(writeCheckpoint(path, sample, error)) << error;
  sample.integers["epoch"] = 8;
  ASSERT_TRUE(writeCheckpoint(path, sample, error)) << error;
  EXPECT_EQ(readCheckpoint(path, error)->integers["epoch"], 8);
}

TEST_F(CheckpointTest, FlippedByteFailsTheChecksum) {
  std::string error;
  ASSERT_TRUE(writeCheckpoint(path, sample, error)) << error;
  std::string b = bytes();
  b[b.size() / 2] ^= 0x20;
  setBytes(b);
  EXPECT_FALSE(readCheckpoint(path, error));
  EXPECT_NE(error.find("checksum mismatch"), std::string::npos) << error;
}

TEST_F(CheckpointTest, TruncatedFileIsNamed) {
  std::string error;
  ASSERT_TRUE(writeCheckpoint(path, sample, error)) << error;
  std::string b = bytes();
  setBytes(b.substr(0, b.size() - 7));
  EXPECT_FALSE(readCheckpoint(path, error));
  EXPECT_NE(error.find("run.ckpt: truncated"), std::string::npos) << error;
}

TEST_F(CheckpointTest, OtherFilesAreRejected) {
  std::string error;
  setBytes("not a checkpoint at all");
  EXPECT_FALSE(readCheckpoint(path, error));
  EXPECT_NE(error.find("not a bnn-train checkpoint"), std::string::npos)
      << error;
  EXPECT_FALSE(readCheckpoint((dir / "missing").string(), error));
  EXPECT_NE(error.find("cannot open the checkpoint"), std::string::npos)
      << error;
}

} // namespace
