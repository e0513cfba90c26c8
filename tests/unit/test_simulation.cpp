// SPDX-License-Identifier: MIT
// The simulation module's own units: the one output table (and the docs generated from it),
// the step controller's expected-step count behind the ETA, and the run summary.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/simulation/eta.hpp"
#include "hphtsim/simulation/outputs.hpp"
#include "hphtsim/simulation/run_summary.hpp"
#include "hphtsim/simulation/simulation.hpp"
#include "hphtsim/simulation/time_stepper.hpp"

namespace {

using namespace hphtsim;
const std::string source_dir = HPHTSIM_SOURCE_DIR;

simulation::Model slab(const std::vector<std::string>& sets = {}) {
  return simulation::Model::from_file(source_dir + "/tests/data/slab.yaml", sets);
}

TEST(Outputs, LayoutRowAndFieldsComeFromOneTable) {
  simulation::Simulation sim(simulation::Model::from_file(source_dir + "/tests/data/small_cell.yaml"));
  const auto layout = sim.series_layout();
  int width = 0;
  for (const auto& c : layout) width += c.columns;
  EXPECT_EQ(std::size_t(width), sim.series_row().size());
  EXPECT_EQ(layout.size(), sim.outputs().series().size());
  // A temperature recipe adds its two columns; the probe gets its own.
  auto has = [&](const std::string& n) {
    for (const auto& c : layout)
      if (c.name == n) return true;
    return false;
  };
  EXPECT_TRUE(has("T_control") && has("T_setpoint") && has("T_probe_thermocouple"));
  EXPECT_FALSE(has("mass") || has("p_cell"));
  // Every field has units and meaning; the field() view is the table's data.
  for (const auto& f : sim.outputs().fields()) {
    EXPECT_FALSE(f.units.empty()) << f.name;
    EXPECT_FALSE(f.meaning.empty()) << f.name;
    EXPECT_EQ(&sim.field_view(f.name), &f.view());
  }
  EXPECT_EQ(sim.field("T").data(), sim.field_view("T").data());
  // A missing field names every field there is.
  try {
    sim.field("p");
    FAIL() << "no pressure field in this run";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("T, phi, q"), std::string::npos) << e.what();
  }
}

TEST(Outputs, OutputOnlyFieldsAreReadOnly) {
  simulation::Simulation sim(simulation::Model::from_file(
      source_dir + "/configs/tgm_lab_small.yaml", {"cell.cells=24", "seeds.0.size=\"2 mm\"", "pressure.field=false"}));
  EXPECT_NO_THROW(sim.field_view("crystal"));
  EXPECT_THROW(sim.field("crystal"), std::invalid_argument);
  EXPECT_NO_THROW(sim.field("carbon"));
}

// docs/outputs.md holds the generated catalogue between two markers; regenerate it with
// `hphtsim outputs > table` when this fails.
TEST(Outputs, TheDocsTableIsTheCodesTable) {
  std::ifstream in(source_dir + "/docs/outputs.md");
  ASSERT_TRUE(in) << "docs/outputs.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str(), begin = "<!-- outputs:begin -->\n", end = "<!-- outputs:end -->";
  const auto a = doc.find(begin), b = doc.find(end);
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_EQ(doc.substr(a + begin.size(), b - a - begin.size()), simulation::catalogue_markdown())
      << "docs/outputs.md is stale: paste the output of `hphtsim outputs` between the markers";
}

TEST(Outputs, TheCatalogueListsEveryOutputOfARun) {
  const std::string cat = simulation::catalogue_markdown();
  simulation::Simulation sim(simulation::Model::from_file(
      source_dir + "/configs/tgm_lab_small.yaml", {"cell.cells=24", "seeds.0.size=\"2 mm\""}));
  for (const auto& f : sim.outputs().fields()) EXPECT_NE(cat.find("| `" + f.name + "` |"), std::string::npos) << f.name;
  for (const auto& s : sim.outputs().series()) {
    if (s.name.rfind("T_probe_", 0) == 0) continue;  // one catalogue row for every probe
    EXPECT_NE(cat.find("| `" + s.name + "` |"), std::string::npos) << s.name;
  }
}

// With a tolerance the error estimate never reaches, the controller's steps are the expected
// count: growth by step_growth to max_step, landing on snapshots.
TEST(TimeStepper, ExpectedStepsMatchAnUnlimitedRun) {
  simulation::Simulation sim(slab({"time.tolerance=\"1e6 K\"", "time.end=\"2 h\"", "time.max_step=\"7 min\"",
                                   "output.snapshot_interval=\"25 min\""}));
  simulation::StepOutlook outlook;
  outlook.next_dt = sim.model().time.step;
  const double expected = simulation::expected_steps(sim.model(), 0.0, sim.model().time.end, 1, outlook).total();
  simulation::RunOptions opts;
  ASSERT_TRUE(sim.run(opts));
  EXPECT_EQ(double(sim.diagnostics().steps), expected);
  EXPECT_GT(expected, 10.0);
}

TEST(RunSummary, FiguresFromASeriesTable) {
  // Three rows: 0, 1 h, 2 h at 100 W, 200 W; the energy is sum P dt = 0.3 kWh.
  simulation::Model m = slab({"time.end=\"2 h\""});
  std::vector<std::vector<double>> rows = {{0.0, 300.0, 0.0}, {3600.0, 400.0, 100.0}, {7200.0, 350.0, 200.0}};
  const auto table = simulation::series_table({"time", "T_max", "heater_power"}, {1, 1, 1}, rows);
  const auto s = simulation::summarize(m, table);
  EXPECT_DOUBLE_EQ(s.energy / 3.6e6, 0.3);
  EXPECT_DOUBLE_EQ(s.T_peak, 400.0);
  EXPECT_DOUBLE_EQ(s.final_T_max, 350.0);
  EXPECT_TRUE(std::isnan(s.p_cell_min));
  EXPECT_TRUE(s.seeds.empty());
}

TEST(RunSummary, HoldRateAndTimeAboveTheCriticalRate) {
  // The default recipe's main hold is its longest heater hold; a seed that grows 10 mg per
  // hour in the hold, above the critical rate in one of its steps.
  simulation::Model m = simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml",
                                                     {"cell.cells=24", "seeds.0.size=\"2 mm\""});
  const auto hold = m.main_hold();
  ASSERT_GT(hold[1] - hold[0], 86400.0);
  std::vector<std::vector<double>> rows;
  const double t0 = hold[0];
  //            time        mass  mass_ct risk line eut
  rows.push_back({0.0, 3.0, 0.015, 0.0, 500.0, 100.0});
  rows.push_back({t0, 4.0, 0.02, 0.0, 400.0, 60.0});
  rows.push_back({t0 + 3600.0, 14.0, 0.07, 1.0, 300.0, 50.0});
  rows.push_back({t0 + 7200.0, 24.0, 0.12, 0.0, 350.0, 40.0});
  const auto table = simulation::series_table(
      {"time", "mass", "mass_ct", "inclusion_risk", "line_margin_K", "eutectic_margin_K"}, {1, 1, 1, 1, 1, 1}, rows);
  const auto s = simulation::summarize(m, table);
  ASSERT_EQ(s.seeds.size(), 1u);
  EXPECT_DOUBLE_EQ(s.seeds[0].hold_rate, 10.0);
  EXPECT_DOUBLE_EQ(s.seeds[0].hours_above_critical, 1.0);
  EXPECT_DOUBLE_EQ(s.seeds[0].mass_above_critical, 10.0);
  EXPECT_DOUBLE_EQ(s.seeds[0].min_line_margin_K, 300.0);  // in the hold only (500 K was before)
  EXPECT_DOUBLE_EQ(s.seeds[0].min_eutectic_margin_K, 40.0);
  EXPECT_DOUBLE_EQ(s.seeds[0].mass_ct, 0.12);
  EXPECT_DOUBLE_EQ(s.hold_end, t0 + 7200.0);  // clipped to the run
  EXPECT_TRUE(std::isnan(s.seeds[0].quench_mass)) << "the run ended inside the hold";
  EXPECT_TRUE(std::isnan(s.seeds[0].source_contact_time));
}

TEST(RunSummary, QuenchGrowthAndContactTimes) {
  // Rows: start, hold start, touch of the source in the hold, hold end, one row after it.
  simulation::Model m = simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml",
                                                     {"cell.cells=24", "seeds.0.size=\"2 mm\""});
  const auto hold = m.main_hold();
  std::vector<std::vector<double>> rows;
  //            time        mass  mass_ct contact source nucleated
  rows.push_back({0.0, 3.0, 0.015, 0.0, 1.0, 0.0});
  rows.push_back({hold[0], 4.0, 0.02, 0.0, 0.9, 1e-6});
  rows.push_back({hold[0] + 3600.0, 14.0, 0.07, 1.0, 0.5, 1e-6});
  rows.push_back({hold[1], 24.0, 0.12, 3.0, 0.4, 2e-6});
  rows.push_back({hold[1] + 1800.0, 24.5, 0.1225, 3.0, 0.4, 5e-6});
  const auto table = simulation::series_table({"time", "mass", "mass_ct", "contact", "source_remaining", "carbon_nucleated"},
                                              {1, 1, 1, 1, 1, 1}, rows);
  const auto s = simulation::summarize(m, table);
  ASSERT_EQ(s.seeds.size(), 1u);
  EXPECT_DOUBLE_EQ(s.seeds[0].quench_mass, 0.5);
  EXPECT_DOUBLE_EQ(s.seeds[0].source_contact_time, hold[0] + 3600.0);
  EXPECT_DOUBLE_EQ(s.seeds[0].wall_contact_time, hold[1]);
  EXPECT_DOUBLE_EQ(s.source_remaining, 0.4);
  EXPECT_DOUBLE_EQ(s.carbon_nucleated, 5.0);
  EXPECT_NE(s.text().find("0.50 mg after the hold"), std::string::npos) << s.text();
}

}  // namespace

// A heater ramp not yet started is counted at the steps the finished ones took, whatever its
// length; the one in progress at the step its local error allows. The default recipe has two
// (heat-up 0.5-1.5 h, cool-down 481.5-484.5 h).
TEST(Eta, HeaterRampsCountAtTheStepsPerRampSeen) {
  const auto m = simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml",
                                              {"cell.cells=24", "seeds.0.size=\"2 mm\""});
  using simulation::CyclePhase;
  const double end = m.time.end;  // the recipe's end, the release included
  simulation::StepOutlook outlook;
  outlook.next_dt = m.time.step;
  outlook.steps_per_heater_ramp = 10.0;
  const auto all = simulation::expected_steps(m, 0.0, end, 1, outlook);
  EXPECT_NEAR(all[CyclePhase::heater_ramp], 20.0, 1e-9);
  EXPECT_GT(all[CyclePhase::hot], 40.0);  // 20 d at 12 h steps at least
  EXPECT_GT(all[CyclePhase::cold], 2.0);  // pressurise
  EXPECT_GT(all[CyclePhase::cooling], 5.0);  // release, the last hold (after the heater was hot)
  // Half-way through the heat-up, at the 300 s its error allows: 6 steps, then the cool-down.
  outlook.next_dt = outlook.error_limited_dt = 300.0;
  const auto mid = simulation::expected_steps(m, 3600.0, end, 1, outlook);
  EXPECT_NEAR(mid[CyclePhase::heater_ramp], 16.0, 1e-9);
  // A hold whose steps the error limits to 3 h: 8 steps from day 2 to day 3, none beyond.
  simulation::StepOutlook hold;
  hold.next_dt = hold.error_limited_dt = 3 * 3600.0;
  const auto day = simulation::expected_steps(m, 2 * 86400.0, 3 * 86400.0, 3, hold);
  EXPECT_NEAR(day[CyclePhase::hot], 8.0, 1e-9);
  EXPECT_EQ(day[CyclePhase::heater_ramp] + day[CyclePhase::cold], 0.0);
  EXPECT_GT(mid[CyclePhase::cooling], 0.0);  // the release and the last hold are still to come
  EXPECT_LT(mid[CyclePhase::cold], all[CyclePhase::cold]);  // the pressurisation is behind
  // The cooling counted at the steps the estimator expects (the ramp down's) instead of the
  // growth rule.
  outlook.cooling_steps = 25.0;
  const auto counted = simulation::expected_steps(m, 3600.0, end, 1, outlook);
  EXPECT_NEAR(counted[CyclePhase::cooling], 25.0, 1e-9);
}

TEST(Eta, PhasesOfTheDefaultCycle) {
  const auto m = simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml",
                                              {"cell.cells=24", "seeds.0.size=\"2 mm\""});
  using simulation::CyclePhase;
  const double h = 3600.0;
  EXPECT_EQ(simulation::cycle_phase(m, 0.0), CyclePhase::cold);  // pressurise, heater off
  EXPECT_EQ(simulation::cycle_phase(m, 0.5 * h), CyclePhase::heater_ramp);  // the segment starting here
  EXPECT_EQ(simulation::cycle_phase(m, 1.5 * h), CyclePhase::hot);
  EXPECT_EQ(simulation::cycle_phase(m, 300.0 * h), CyclePhase::hot);
  EXPECT_EQ(simulation::cycle_phase(m, 482.0 * h), CyclePhase::heater_ramp);
  EXPECT_EQ(simulation::cycle_phase(m, 485.0 * h), CyclePhase::cooling);  // release: cold after the hold
  EXPECT_EQ(simulation::cycle_phase(m, 1000.0 * h), CyclePhase::cooling);  // past the end
  // The gem cell's program: its 5 and 15 day ramps through the hold step like the hold (hot), its
  // 1 h heat-up and 5 min quench are fast ramps.
  const auto gem = simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", {"cell.cells=16"});
  EXPECT_EQ(simulation::cycle_phase(gem, 0.5 * h), CyclePhase::heater_ramp);
  EXPECT_EQ(simulation::cycle_phase(gem, 1.5 * h), CyclePhase::hot);     // the soft-start hold
  EXPECT_EQ(simulation::cycle_phase(gem, 7.5 * h), CyclePhase::hot);     // 5 d ramp
  EXPECT_EQ(simulation::cycle_phase(gem, 200.0 * h), CyclePhase::hot);   // 15 d ramp
  EXPECT_EQ(simulation::cycle_phase(gem, 487.5 * h), CyclePhase::heater_ramp);  // the quench
  EXPECT_EQ(simulation::cycle_phase(gem, 488.0 * h), CyclePhase::cooling);
}

// The cooling after a quench, while the error limits its steps: they grow by a steady factor r
// per step (the departure from the coolant decays exponentially), so that about 1/ln r steps are
// left, not the quench's count less those done (which priced the default cycle's last 6 s at
// 19 s).
TEST(Eta, ErrorLimitedCoolingCountsItsDecay) {
  const auto gem = simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", {"cell.cells=16"});
  using simulation::CyclePhase;
  simulation::EtaEstimator eta;
  for (int i = 0; i < 47; ++i) {
    eta.accepted(CyclePhase::heater_ramp, i == 46);
    eta.charge(CyclePhase::heater_ramp, 1.0);
    eta.set_error_limit(2.0, 2.0, true);
  }
  double allowed = 5.0;
  for (int i = 0; i < 20; ++i) {
    eta.accepted(CyclePhase::cooling, false);
    eta.charge(CyclePhase::cooling, 0.5);
    eta.set_error_limit(allowed * 1.1, allowed, true);
    allowed *= 1.1;
  }
  const double t = 488.2 * 3600.0, until = gem.time.end;
  ASSERT_EQ(simulation::cycle_phase(gem, t), CyclePhase::cooling);
  const int snap = int(t / gem.time.snapshot_interval) + 1;
  const double left = eta.remaining(gem, t, allowed, until, snap);
  const double decay = (1.0 - std::exp(-(until - t) * std::log(1.1) / (allowed / 1.1))) / std::log(1.1);
  EXPECT_NEAR(left, 0.5 * decay, 0.05);
  EXPECT_LT(left, 0.5 * (47 - 20) * 0.5);  // well under the quench's count
}

TEST(Eta, CostPerStepPerPhaseWithFallbacks) {
  using simulation::CyclePhase;
  simulation::EtaEstimator eta;
  EXPECT_EQ(eta.cost_per_step(CyclePhase::hot), 0.0);  // nothing measured
  for (int i = 0; i < 4; ++i) {
    eta.accepted(CyclePhase::cold, false);
    eta.charge(CyclePhase::cold, 0.5);
  }
  eta.charge(CyclePhase::cold, 1.0);  // a rejected attempt counts against the accepted steps
  EXPECT_DOUBLE_EQ(eta.cost_per_step(CyclePhase::cold), 0.75);
  EXPECT_DOUBLE_EQ(eta.cost_per_step(CyclePhase::hot), 0.75);  // only cold seen: its cost
  // The hot hold's cost follows its recent steps: 8 at 10 s then 40 at 2 s ends near 2 s.
  for (int i = 0; i < 8; ++i) {
    eta.accepted(CyclePhase::hot, false);
    eta.charge(CyclePhase::hot, 10.0);
  }
  EXPECT_DOUBLE_EQ(eta.cost_per_step(CyclePhase::hot), 10.0);
  for (int i = 0; i < 40; ++i) {
    eta.accepted(CyclePhase::hot, false);
    eta.charge(CyclePhase::hot, 2.0);
  }
  EXPECT_NEAR(eta.cost_per_step(CyclePhase::hot), 2.0, 0.05);
  EXPECT_NEAR(eta.cost_per_step(CyclePhase::heater_ramp), 2.0, 0.05);  // unseen: the other hot one
  // Once a heater ramp is seen, a hot step costs no less than a ramp step.
  eta.accepted(CyclePhase::heater_ramp, false);
  eta.charge(CyclePhase::heater_ramp, 6.0);
  EXPECT_DOUBLE_EQ(eta.cost_per_step(CyclePhase::heater_ramp), 6.0);
  EXPECT_DOUBLE_EQ(eta.cost_per_step(CyclePhase::hot), 6.0);
  // Cold steps forget too: the cooling after a quench costs what its recent steps cost, not
  // the mean with the cheap cold pressurisation (20 steps at 0.05 s, then 30 at 2 s).
  simulation::EtaEstimator cooling;
  for (int i = 0; i < 20; ++i) {
    cooling.accepted(CyclePhase::cold, false);
    cooling.charge(CyclePhase::cold, 0.05);
  }
  for (int i = 0; i < 30; ++i) {
    cooling.accepted(CyclePhase::cold, false);
    cooling.charge(CyclePhase::cold, 2.0);
  }
  EXPECT_NEAR(cooling.cost_per_step(CyclePhase::cold), 2.0, 0.05);
  // The cooling after the heater went cold, not seen yet, costs what the ramp down's steps did
  // (not the cheap cold pressurisation's); then its own.
  simulation::EtaEstimator quench;
  for (int i = 0; i < 10; ++i) {
    quench.accepted(CyclePhase::cold, false);
    quench.charge(CyclePhase::cold, 0.05);
  }
  for (int i = 0; i < 5; ++i) {
    quench.accepted(CyclePhase::heater_ramp, i == 4);
    quench.charge(CyclePhase::heater_ramp, 3.0);
  }
  EXPECT_DOUBLE_EQ(quench.cost_per_step(CyclePhase::cooling), 3.0);
  quench.accepted(CyclePhase::cooling, false);
  quench.charge(CyclePhase::cooling, 1.0);
  EXPECT_DOUBLE_EQ(quench.cost_per_step(CyclePhase::cooling), 1.0);
}

namespace {

// The slab of tests/data/slab.yaml (constant properties) driven by a recipe instead of a
// constant voltage.
simulation::Model slab_with_recipe(const std::string& recipe, const std::string& time_lines = "") {
  std::ifstream in(source_dir + "/tests/data/slab.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string yaml = ss.str();
  const auto a = yaml.find("heater:\n"), b = yaml.find("time:\n");
  yaml = yaml.substr(0, a) + "heater: {}\n" + recipe + "time:\n" + time_lines + yaml.substr(b + 6);
  return simulation::Model::from_config(core::Config::load_string(yaml));
}

}  // namespace

// Production presses run programs of the heater's voltage or current: the electric solve holds
// the programmed value at each step, and the Joule heat follows V^2 / R.
TEST(HeaterRecipe, VoltageAndCurrentProgramsAreHeld) {
  simulation::Simulation v(slab_with_recipe(
      "recipe:\n  heater:\n    control: voltage\n    start: \"0.1 V\"\n    segments: [{ramp_to: \"0.2 V\", duration: \"1 min\"}]\n"));
  simulation::RunOptions opts;
  ASSERT_TRUE(v.run(opts));
  EXPECT_NEAR(v.diagnostics().electric.voltage, 0.2, 1e-12);
  const double R = v.diagnostics().electric.resistance;
  EXPECT_NEAR(v.diagnostics().electric.power, 0.04 / R, 1e-9 * 0.04 / R);
  simulation::Simulation i(slab_with_recipe(
      "recipe:\n  heater:\n    control: current\n    start: \"50 A\"\n    segments: [{hold: \"1 min\"}]\n"));
  ASSERT_TRUE(i.run(opts));
  EXPECT_NEAR(i.diagnostics().electric.current, 50.0, 1e-9);
  EXPECT_NEAR(i.diagnostics().electric.power, 2500.0 * i.diagnostics().electric.resistance, 1e-6);
  EXPECT_THROW(slab_with_recipe("recipe:\n  heater:\n    control: voltage\n    start: \"2 A\"\n    segments: [{hold: \"1 min\"}]\n"),
               hphtsim::ConfigError);
}

// With constant properties the temperature rise over the coolant does not depend on the
// coolant's temperature: a coolant program 100 K warmer shifts the whole field by 100 K.
TEST(HeaterRecipe, TheCoolantProgramShiftsTheField) {
  const std::string heater = "recipe:\n  heater:\n    control: power\n    start: \"20 W\"\n    segments: [{hold: \"1 min\"}]\n";
  simulation::Simulation cold(slab_with_recipe(heater));
  simulation::Simulation warm(slab_with_recipe(
      heater + "  coolant_temperature:\n    start: \"400 K\"\n    segments: [{hold: \"1 min\"}]\n",
      "  initial_temperature: \"400 K\"\n"));  // both start at their coolant's temperature
  simulation::RunOptions opts;
  ASSERT_TRUE(cold.run(opts));
  ASSERT_TRUE(warm.run(opts));
  EXPECT_EQ(cold.outputs().series().size() + 1, warm.outputs().series().size()) << "T_coolant is a series";
  const auto& Tc = cold.field("T");
  const auto& Tw = warm.field("T");
  double worst = 0.0;
  for (std::size_t c = 0; c < Tc.size(); ++c) worst = std::max(worst, std::abs(Tw[c] - Tc[c] - 100.0));
  EXPECT_LT(worst, 1e-6);
}

// A production power program ramps through its growth stage: the main hold is the longest
// heater segment near full output, not its longest flat hold (here a 5 min soft start).
TEST(HeaterRecipe, TheMainHoldOfAPowerProgramIsItsLongestHighSegment) {
  const simulation::Model m = slab_with_recipe(
      "recipe:\n  heater:\n    control: power\n    start: \"0 W\"\n    segments: [{ramp_to: \"8 W\", duration: \"1 min\"}, "
      "{hold: \"5 min\"}, {ramp_to: \"10 W\", duration: \"2 min\"}, {ramp_to: \"12 W\", duration: \"10 min\"}, "
      "{ramp_to: \"0 W\", duration: \"1 min\"}, {hold: \"20 min\"}]\n");
  const auto hold = m.main_hold();
  EXPECT_DOUBLE_EQ(hold[0], 8 * 60.0);
  EXPECT_DOUBLE_EQ(hold[1], 18 * 60.0);
}

TEST(ObservedWindow, EachSeedGetsItsFacesWindowOrTheConfigs) {
  const std::string cfg = source_dir + "/configs/tgm_default.yaml";
  auto lower_of = [&](std::vector<std::string> sets) {
    sets.push_back("cell.cells=24");  // the window does not depend on the grid: a small one is quick
    const simulation::Model m = simulation::Model::from_file(cfg, sets);
    return m.growth->seed_windows.at(0).lower - 273.15;
  };
  EXPECT_NEAR(lower_of({}), 1206.0, 1e-9);                          // Fe64Ni36, (100) seed
  EXPECT_NEAR(lower_of({"seeds.0.orientation=\"111\""}), 1233.0, 1e-9);
  EXPECT_NEAR(lower_of({"growth.window={lower: \"1250 degC\", upper: \"1300 degC\"}"}), 1250.0, 1e-9);
  EXPECT_TRUE(std::isnan(lower_of({"growth.window=none"})));
  try {
    simulation::Model::from_file(cfg, {"cell.cells=24", "growth.window={lower: \"1300 degC\", upper: \"1250 degC\"}"});
    FAIL() << "upper below lower";
  } catch (const hphtsim::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("growth.window.upper"), std::string::npos) << e.what();
  }
}
