// SPDX-License-Identifier: MIT
// A verification figure as a row of `hphtsim benchmark` (docs/benchmark.md). The test checks the
// figure with this one comparison and records the same row with RecordProperty, so that it lands
// in GoogleTest's JSON report (--gtest_output=json:FILE) under the key "benchmark_row:CASE/QUANTITY";
// the benchmark command collects those rows. The suite and the report therefore cannot disagree:
// a row that fails here fails the test.
//
//   EXPECT_TRUE(benchmark_row({"Joule slab", "peak temperature error", ...}));
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace hphtsim::testing {

/// How value is compared with reference (error is value - reference, relative: divided by |reference|):
///   absolute  |error| <= tolerance        relative  |error| / |reference| <= tolerance
///   at_least  value >= reference - tolerance   at_most   value <= reference + tolerance
enum class Compare { absolute, relative, at_least, at_most };

struct BenchmarkRow {
  std::string case_name;   ///< e.g. "MMS scalar diffusion, graded grid"
  std::string quantity;    ///< e.g. "observed order 32->64"
  double reference = 0.0;
  double value = 0.0;
  double tolerance = 0.0;
  Compare compare = Compare::absolute;
  std::string units;       ///< of reference, value and (absolute comparisons) tolerance; "" for ratios
  std::string source;      ///< where the reference comes from (an analytic solution, a paper)
};

namespace detail {
inline const char* compare_name(Compare c) {
  switch (c) {
    case Compare::absolute: return "absolute";
    case Compare::relative: return "relative";
    case Compare::at_least: return "at_least";
    case Compare::at_most: return "at_most";
  }
  return "absolute";
}
inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) { out += ' '; continue; }
    out += c;
  }
  return out + "\"";
}
inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
}  // namespace detail

/// Records the row and returns whether it passes (use inside EXPECT_TRUE / ASSERT_TRUE).
inline ::testing::AssertionResult benchmark_row(const BenchmarkRow& r) {
  const double diff = r.value - r.reference;
  double error = diff;
  bool pass = false;
  switch (r.compare) {
    case Compare::absolute: pass = std::fabs(diff) <= r.tolerance; break;
    case Compare::relative:
      error = r.reference != 0.0 ? diff / std::fabs(r.reference) : diff;
      pass = std::fabs(error) <= r.tolerance;
      break;
    case Compare::at_least: pass = r.value >= r.reference - r.tolerance; break;
    case Compare::at_most: pass = r.value <= r.reference + r.tolerance; break;
  }
  if (!std::isfinite(r.value)) pass = false;
  const std::string json = "{\"case\": " + detail::json_string(r.case_name) +
                           ", \"quantity\": " + detail::json_string(r.quantity) +
                           ", \"reference\": " + detail::json_number(r.reference) +
                           ", \"value\": " + detail::json_number(r.value) +
                           ", \"error\": " + detail::json_number(error) +
                           ", \"tolerance\": " + detail::json_number(r.tolerance) +
                           ", \"comparison\": " + detail::json_string(detail::compare_name(r.compare)) +
                           ", \"units\": " + detail::json_string(r.units) +
                           ", \"source\": " + detail::json_string(r.source) +
                           ", \"pass\": " + (pass ? "true" : "false") + "}";
  ::testing::Test::RecordProperty("benchmark_row:" + r.case_name + "/" + r.quantity, json);
  if (pass) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.case_name << ", " << r.quantity << ": value " << r.value << " " << r.units
                                       << " against reference " << r.reference << " (" << detail::compare_name(r.compare)
                                       << ", tolerance " << r.tolerance << ")";
}

}  // namespace hphtsim::testing
