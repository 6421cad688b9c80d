//===- ThresholdSolverTest.cpp - bnn-fuse-threshold's solver -------------===//

#include "bnn/Transforms/ThresholdSolver.h"

#include <gtest/gtest.h>

#include <limits>

using namespace mlir::bnn;

namespace {

constexpr int32_t kAlways = std::numeric_limits<int32_t>::min();
constexpr int32_t kNever = std::numeric_limits<int32_t>::max();

TEST(ThresholdSolver, RisingBitGivesItsCrossing) {
  auto solved = solveChannelThreshold(10, Monotonicity::Unknown,
                                      [](int64_t acc) { return acc >= 3; });
  ASSERT_TRUE(solved);
  EXPECT_EQ(*solved, (ChannelThreshold{3, false}));
}

TEST(ThresholdSolver, FallingBitFlipsTheChannel) {
  // +1 iff acc <= 2 iff -acc >= -2.
  auto solved = solveChannelThreshold(10, Monotonicity::Unknown,
                                      [](int64_t acc) { return acc <= 2; });
  ASSERT_TRUE(solved);
  EXPECT_EQ(*solved, (ChannelThreshold{-2, true}));
  for (int64_t acc = -10; acc <= 10; ++acc)
    EXPECT_EQ(-acc >= solved->threshold, acc <= 2) << "acc " << acc;
}

TEST(ThresholdSolver, CrossingsAtTheEndsOfTheRange) {
  auto low = solveChannelThreshold(4, Monotonicity::Unknown,
                                   [](int64_t acc) { return acc >= -3; });
  ASSERT_TRUE(low);
  EXPECT_EQ(*low, (ChannelThreshold{-3, false}));
  auto high = solveChannelThreshold(4, Monotonicity::Unknown,
                                    [](int64_t acc) { return acc >= 4; });
  ASSERT_TRUE(high);
  EXPECT_EQ(*high, (ChannelThreshold{4, false}));
}

TEST(ThresholdSolver, ConstantBitsAreAlwaysOrNever) {
  auto always = solveChannelThreshold(5, Monotonicity::Unknown,
                                      [](int64_t) { return true; });
  ASSERT_TRUE(always);
  EXPECT_EQ(*always, (ChannelThreshold{kAlways, false}));
  auto never = solveChannelThreshold(5, Monotonicity::Unknown,
                                     [](int64_t) { return false; });
  ASSERT_TRUE(never);
  EXPECT_EQ(*never, (ChannelThreshold{kNever, false}));
}

TEST(ThresholdSolver, ZeroBoundHasOneValue) {
  auto solved = solveChannelThreshold(0, Monotonicity::Unknown,
                                      [](int64_t) { return false; });
  ASSERT_TRUE(solved);
  EXPECT_EQ(solved->threshold, kNever);
}

TEST(ThresholdSolver, NonMonotoneBitIsRefused) {
  // +1 in a band only: two changes.
  EXPECT_FALSE(
      solveChannelThreshold(10, Monotonicity::Unknown,
                            [](int64_t acc) { return acc >= -2 && acc <= 2; }));
  // One odd value in the middle of a rising bit.
  EXPECT_FALSE(
      solveChannelThreshold(10, Monotonicity::Unknown,
                            [](int64_t acc) { return acc >= 3 || acc == -5; }));
}

TEST(ThresholdSolver, EveryValueIsEvaluatedOnce) {
  int64_t calls = 0;
  (void)solveChannelThreshold(100, Monotonicity::Unknown, [&](int64_t acc) {
    ++calls;
    return acc > 0;
  });
  EXPECT_EQ(calls, 201);
}

TEST(ThresholdSolver, BisectionAgreesWithTheExhaustiveSearch) {
  // Every crossing of a rising and a falling bit on a small range, and the
  // constant bits: the bisection of a proven monotone channel must give
  // what evaluating every value gives.
  for (int64_t bound : {0, 1, 2, 7, 64}) {
    for (int64_t at = -bound - 1; at <= bound + 1; ++at) {
      auto rising = [&](int64_t acc) { return acc >= at; };
      auto falling = [&](int64_t acc) { return acc < at; };
      EXPECT_EQ(
          solveChannelThreshold(bound, Monotonicity::NonDecreasing, rising),
          solveChannelThreshold(bound, Monotonicity::Unknown, rising))
          << "bound " << bound << " at " << at;
      EXPECT_EQ(
          solveChannelThreshold(bound, Monotonicity::NonIncreasing, falling),
          solveChannelThreshold(bound, Monotonicity::Unknown, falling))
          << "bound " << bound << " at " << at;
    }
  }
}

TEST(ThresholdSolver, BisectionEvaluatesLogarithmicallyMany) {
  int64_t calls = 0;
  auto solved = solveChannelThreshold(
      int64_t(1) << 30, Monotonicity::NonDecreasing, [&](int64_t acc) {
        ++calls;
        return acc >= 12345;
      });
  ASSERT_TRUE(solved);
  EXPECT_EQ(*solved, (ChannelThreshold{12345, false}));
  EXPECT_LE(calls, 34);
  calls = 0;
  auto constant = solveChannelThreshold(int64_t(1) << 30,
                                        Monotonicity::Constant, [&](int64_t) {
                                          ++calls;
                                          return true;
                                        });
  ASSERT_TRUE(constant);
  EXPECT_EQ(constant->threshold, kAlways);
  EXPECT_EQ(calls, 1);
}

TEST(ThresholdSolver, ComposesMonotonicity) {
  using M = Monotonicity;
  EXPECT_EQ(compose(M::NonDecreasing, M::NonIncreasing), M::NonIncreasing);
  EXPECT_EQ(compose(M::NonIncreasing, M::NonIncreasing), M::NonDecreasing);
  EXPECT_EQ(compose(M::Constant, M::Unknown), M::Constant);
  EXPECT_EQ(compose(M::Unknown, M::NonDecreasing), M::Unknown);
}

TEST(ThresholdSolver, BoundsOutsideTheSearchableRangeAreRefused) {
  EXPECT_FALSE(solveChannelThreshold(int64_t(1) << 31,
                                     Monotonicity::NonDecreasing,
                                     [](int64_t) { return true; }));
  EXPECT_FALSE(solveChannelThreshold(-1, Monotonicity::Unknown,
                                     [](int64_t) { return true; }));
  EXPECT_FALSE(solveChannelThreshold(int64_t(1) << 31, Monotonicity::Unknown,
                                     [](int64_t) { return true; }));
}

} // namespace
