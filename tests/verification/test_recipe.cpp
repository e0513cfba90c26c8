// SPDX-License-Identifier: MIT
// The recipe machinery on a small cell: the PID holds the thermocouple on its setpoint after
// the ramp, and the step size grows to hours in the hold and shrinks at a segment change.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "hphtsim/simulation/simulation.hpp"

using namespace hphtsim;

namespace {
const std::string source_dir = HPHTSIM_SOURCE_DIR;
}

TEST(Recipe, PidHoldsTheThermocoupleAndStepsGrowInTheHold) {
  auto model = simulation::Model::from_file(source_dir + "/tests/data/small_cell.yaml");
  simulation::Simulation sim(std::move(model));
  simulation::RunOptions opts;
  opts.until = 20 * 60 + 86400 + 600;  // ramp, hold, 10 min into the cooling ramp
  sim.run(opts);
  const auto& rows = sim.series_history();
  const auto layout = sim.series_layout();
  auto col = [&](const std::string& name) {
    for (std::size_t i = 0, off = 0; i < layout.size(); off += layout[i].columns, ++i)
      if (layout[i].name == name) return off;
    ADD_FAILURE() << "no column " << name;
    return std::size_t(0);
  };
  const std::size_t t = col("time"), dt = col("time_step"), tc = col("T_control"), sp = col("T_setpoint");
  const double ramp_end = 20 * 60.0, hold_end = ramp_end + 86400.0;
  double worst = 0.0, largest_hold_step = 0.0, step_after_change = 1e30;
  int steps = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row[t] > ramp_end + 300.0 && row[t] <= hold_end) worst = std::max(worst, std::abs(row[tc] - row[sp]));
    if (row[t] > ramp_end && row[t] <= hold_end) largest_hold_step = std::max(largest_hold_step, row[dt]);
    if (row[t] > hold_end && step_after_change > 1e29) step_after_change = row[dt];
    ++steps;
  }
  std::cout << "[ recipe ] " << steps << " steps; |T_tc - setpoint| <= " << worst
            << " K in the hold; largest hold step " << largest_hold_step / 3600 << " h; first step after the hold "
            << step_after_change << " s\n";
  EXPECT_LT(worst, 1.0);
  EXPECT_GE(largest_hold_step, 3600.0) << "steps grow to hours in a hold";
  EXPECT_LE(step_after_change, 10.0) << "and shrink at a segment change";
}
