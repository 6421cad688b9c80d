//===- TrainingLogTest.cpp - bnn-train's CSV and progress lines ----------===//

#include "bnn/Runtime/TrainingLog.h"

#include <gtest/gtest.h>

using namespace bnn::runtime;

namespace {

TEST(TrainingLog, CsvHasAHeaderAndOneLinePerEpoch) {
  std::vector<EpochRecord> records = {{1, 0, 1e-3, 0.5, 0.8, 0.75, 10, 12.345},
                                      {2, 1, 5e-4, 0.25, 0.9, 0.875, 9, 11.0}};
  EXPECT_EQ(formatCsv(records),
            "epoch,stage,learning_rate,train_loss,train_accuracy,"
            "test_accuracy,train_seconds,seconds\n"
            "1,0,0.001,0.500000,0.8000,0.7500,10.00,12.35\n"
            "2,1,0.0005,0.250000,0.9000,0.8750,9.00,11.00\n");
  EXPECT_EQ(formatCsv({}), "epoch,stage,learning_rate,train_loss,"
                           "train_accuracy,test_accuracy,train_seconds,"
                           "seconds\n");
}

TEST(TrainingLog, ProgressBarFillsWithTheSteps) {
  EXPECT_EQ(formatProgress(2, 10, 0, 100, 0.0, 0.0),
            "epoch 2/10 [..............................] 0/100 loss 0.0000 0s");
  EXPECT_EQ(
      formatProgress(2, 10, 50, 100, 1.5, 3.0),
      "epoch 2/10 [###############...............] 50/100 loss 1.5000 3s");
  EXPECT_EQ(formatProgress(2, 10, 100, 100, 1.5, 3.0).substr(11, 32),
            "[##############################]");
}

} // namespace
