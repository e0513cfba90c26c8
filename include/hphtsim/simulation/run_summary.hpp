// SPDX-License-Identifier: MIT
// What a grower looks at after a run: per seed the final mass in ct, the mean growth rate over
// the main hold, the hours and the mass grown above the critical rate (inclusion risk), the
// smallest margins to the graphite-diamond line and to the eutectic during the hold, the quench
// growth after the hold and when the crystal first touched the source or a wall; for the cell
// the peak temperature, the p_cell range in the hold, the electrical energy, the source left
// and the carbon lost to spontaneous nucleation. Computed
// from the time series (in memory or read back from a result file, so a restarted run's
// summary covers the whole run).
#pragma once

#include <functional>
#include <tuple>
#include <string>
#include <vector>

#include "hphtsim/simulation/model.hpp"

namespace hphtsim::simulation {

/// The time series of a run: name -> values row by row (width values per row).
struct SeriesTable {
  struct Column {
    std::string name;
    int width = 1;
    std::vector<double> values;
  };
  std::vector<Column> columns;
  const Column* find(const std::string& name) const;
  std::size_t rows() const;
};

struct SeedSummary {
  std::string name;
  double mass_ct = 0.0;                ///< final
  double hold_rate = 0.0;              ///< mg/h, mean over the main hold (as far as the run got)
  double hours_above_critical = 0.0;   ///< h with the growth rate above the critical rate
  double mass_above_critical = 0.0;    ///< mg grown during those steps
  double min_line_margin_K = 0.0;      ///< K, smallest margin to the graphite-diamond line in the hold
  double min_eutectic_margin_K = 0.0;  ///< K, smallest margin to the eutectic in the hold
  double min_window_margin_K = 0.0;    ///< K, smallest margin inside the observed growth window in the hold (NaN: none)
  /// mg grown after the main hold ended (cool-down, release): quench growth; NaN when the run
  /// ended inside the hold.
  double quench_mass = 0.0;
  /// s at which the crystal first touched the carbon source / another solid part (NaN: never).
  double source_contact_time = 0.0, wall_contact_time = 0.0;
  /// Over the run: the largest crystal_max_stress (Pa) and crack_risk (NaN without the columns).
  double max_stress = 0.0, max_crack_risk = 0.0;
};

struct RunSummary {
  double time = 0.0;                 ///< s, end of the run
  double hold_start = 0.0, hold_end = 0.0;  ///< s, the main hold (Model::main_hold), clipped to the run
  double T_peak = 0.0;               ///< K, hottest cell over the run
  double final_T_max = 0.0;          ///< K
  double final_power = 0.0;          ///< W
  double energy = 0.0;               ///< J of electrical energy (sum of P dt)
  double p_cell_min = 0.0, p_cell_max = 0.0;  ///< Pa in the hold (NaN without a pressure section)
  /// Pa: the calibrated pressure at the end of the hold over the known pressure scales, largest
  /// minus smallest (PressureCalibration::scale_spread; NaN without fixed-point labels).
  double p_scale_spread = 0.0;
  int steps = 0, rejected_steps = 0;
  double source_remaining = 0.0;     ///< fraction of the carbon source left at the end (NaN without growth)
  double carbon_nucleated = 0.0;     ///< mg precipitated as spontaneous nuclei over the run (NaN without growth)
  std::vector<SeedSummary> seeds;    ///< with growth

  /// (name, value, units) of every figure, for /meta and `hphtsim info`.
  std::vector<std::tuple<std::string, double, std::string>> figures() const;
  /// One line per seed and one for the cell, for the end of a run on the console.
  std::string text() const;
};

SeriesTable series_table(const std::vector<std::string>& names, const std::vector<int>& widths,
                         const std::vector<std::vector<double>>& rows);

RunSummary summarize(const Model& model, const SeriesTable& series);

}  // namespace hphtsim::simulation
