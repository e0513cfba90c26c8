// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "hphtsim/core/format.hpp"

namespace hphtsim::core {
namespace {

TEST(Format, NumbersHaveSixSignificantDigitsUnlessAsked) {
  EXPECT_EQ(format_number(1800.0), "1800");
  EXPECT_EQ(format_number(1.0 / 3.0), "0.333333");
  EXPECT_EQ(format_number(1814400.0), "1.8144e+06");
  EXPECT_EQ(format_number(3.14159265, 3), "3.14");
}

TEST(Format, DurationsAreSecondsAndTheLargestUnitFromAMinuteUp) {
  EXPECT_EQ(format_duration(0.0), "0 s");
  EXPECT_EQ(format_duration(42.5), "42.5 s");
  EXPECT_EQ(format_duration(90.0), "90 s (1.5 min)");
  EXPECT_EQ(format_duration(7200.0), "7200 s (2 h)");
  EXPECT_EQ(format_duration(21 * 86400.0), "1.8144e+06 s (21 d)");
  EXPECT_EQ(format_duration(-120.0), "-120 s (-2 min)");
}

}  // namespace
}  // namespace hphtsim::core
