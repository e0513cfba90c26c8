// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/run_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

namespace hphtsim::simulation {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double kelvin = 273.15;
}  // namespace

const SeriesTable::Column* SeriesTable::find(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

std::size_t SeriesTable::rows() const {
  const Column* t = find("time");
  return t ? t->values.size() : 0;
}

SeriesTable series_table(const std::vector<std::string>& names, const std::vector<int>& widths,
                         const std::vector<std::vector<double>>& rows) {
  SeriesTable t;
  std::size_t offset = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    SeriesTable::Column c{names[i], widths[i], {}};
    c.values.reserve(rows.size() * std::size_t(widths[i]));
    for (const auto& r : rows) c.values.insert(c.values.end(), r.begin() + long(offset), r.begin() + long(offset) + widths[i]);
    offset += std::size_t(widths[i]);
    t.columns.push_back(std::move(c));
  }
  return t;
}

RunSummary summarize(const Model& model, const SeriesTable& series) {
  RunSummary s;
  const auto* time = series.find("time");
  const std::size_t rows = series.rows();
  if (!time || rows == 0) return s;
  const auto& t = time->values;
  auto value = [&](const char* name, std::size_t row, int col = 0) {
    const auto* c = series.find(name);
    return c ? c->values[row * std::size_t(c->width) + std::size_t(col)] : nan;
  };
  s.time = t.back();
  const auto hold = model.main_hold();
  s.hold_start = std::min(hold[0], s.time);
  s.hold_end = std::min(hold[1], s.time);
  auto in_hold = [&](std::size_t r) { return t[r] >= s.hold_start - 1e-9 && t[r] <= s.hold_end + 1e-9; };
  s.final_T_max = value("T_max", rows - 1);
  s.final_power = value("heater_power", rows - 1);
  s.T_peak = 0.0;
  s.p_cell_min = nan;
  s.p_cell_max = nan;
  const bool has_p = series.find("p_cell") != nullptr;
  for (std::size_t r = 0; r < rows; ++r) {
    s.T_peak = std::max(s.T_peak, value("T_max", r));
    if (r > 0) s.energy += value("heater_power", r) * (t[r] - t[r - 1]);  // backward Euler: P at the step's end
    if (has_p && in_hold(r)) {
      const double p = value("p_cell", r);
      s.p_cell_min = std::isnan(s.p_cell_min) ? p : std::min(s.p_cell_min, p);
      s.p_cell_max = std::isnan(s.p_cell_max) ? p : std::max(s.p_cell_max, p);
    }
  }
  s.p_scale_spread = nan;
  if (!model.calibration.empty() && !model.oil_pressure.empty())
    s.p_scale_spread = model.calibration.scale_spread(model.oil_pressure.value(s.hold_end));
  s.source_remaining = value("source_remaining", rows - 1);
  s.carbon_nucleated = value("carbon_nucleated", rows - 1) * 1e6;
  const auto* mass = series.find("mass");
  if (mass) {
    const int n = mass->width;
    for (int k = 0; k < n; ++k) {
      SeedSummary sd;
      sd.name = std::size_t(k) < model.assembly.seeds.size() ? model.assembly.seeds[std::size_t(k)].name : "";
      sd.mass_ct = value("mass_ct", rows - 1, k);
      double m_start = nan, m_end = nan, t_start = nan, t_end = nan;
      sd.min_line_margin_K = nan;
      sd.min_eutectic_margin_K = nan;
      sd.min_window_margin_K = nan;
      for (std::size_t r = 0; r < rows; ++r) {
        if (r > 0 && value("inclusion_risk", r, k) > 0.5) {
          sd.hours_above_critical += (t[r] - t[r - 1]) / 3600.0;
          sd.mass_above_critical += value("mass", r, k) - value("mass", r - 1, k);
        }
        if (!in_hold(r)) continue;
        if (std::isnan(m_start)) {
          m_start = value("mass", r, k);
          t_start = t[r];
        }
        m_end = value("mass", r, k);
        t_end = t[r];
        const double win = value("window_margin_K", r, k);
        if (!std::isnan(win)) sd.min_window_margin_K = std::isnan(sd.min_window_margin_K) ? win : std::min(sd.min_window_margin_K, win);
        const double line = value("line_margin_K", r, k), eut = value("eutectic_margin_K", r, k);
        sd.min_line_margin_K = std::isnan(sd.min_line_margin_K) ? line : std::min(sd.min_line_margin_K, line);
        sd.min_eutectic_margin_K = std::isnan(sd.min_eutectic_margin_K) ? eut : std::min(sd.min_eutectic_margin_K, eut);
      }
      sd.hold_rate = t_end > t_start ? (m_end - m_start) / ((t_end - t_start) / 3600.0) : nan;
      // Quench growth: what grew after the hold, when the run got past it.
      sd.quench_mass = s.time > s.hold_end + 1e-9 && !std::isnan(m_end) ? value("mass", rows - 1, k) - m_end : nan;
      sd.source_contact_time = nan;
      sd.wall_contact_time = nan;
      if (series.find("contact"))
        for (std::size_t r = 0; r < rows; ++r) {
          const int bits = int(value("contact", r, k));
          if ((bits & 1) && std::isnan(sd.source_contact_time)) sd.source_contact_time = t[r];
          if ((bits & 2) && std::isnan(sd.wall_contact_time)) sd.wall_contact_time = t[r];
        }
      sd.max_stress = nan;
      sd.max_crack_risk = nan;
      if (series.find("crack_risk"))
        for (std::size_t r = 0; r < rows; ++r) {
          const double st = value("crystal_max_stress", r, k), risk = value("crack_risk", r, k);
          sd.max_stress = std::isnan(sd.max_stress) ? st : std::max(sd.max_stress, st);
          sd.max_crack_risk = std::isnan(sd.max_crack_risk) ? risk : std::max(sd.max_crack_risk, risk);
        }
      s.seeds.push_back(sd);
    }
  }
  return s;
}

std::vector<std::tuple<std::string, double, std::string>> RunSummary::figures() const {
  std::vector<std::tuple<std::string, double, std::string>> f = {
      {"final_time", time, "s"},
      {"final_T_max", final_T_max, "K"},
      {"final_heater_power", final_power, "W"},
      {"peak_T_max", T_peak, "K"},
      {"electrical_energy", energy / 3.6e6, "kWh"},
      {"hold_start", hold_start, "s"},
      {"hold_end", hold_end, "s"},
  };
  if (!std::isnan(p_cell_min)) {
    f.emplace_back("hold_p_cell_min", p_cell_min, "Pa");
    f.emplace_back("hold_p_cell_max", p_cell_max, "Pa");
    if (!std::isnan(p_scale_spread)) f.emplace_back("p_scale_spread", p_scale_spread, "Pa");
  }
  for (const auto& s : seeds) {
    const std::string k = "[" + s.name + "]";
    f.emplace_back("final_mass" + k, s.mass_ct, "ct");
    f.emplace_back("hold_growth_rate" + k, s.hold_rate, "mg/h");
    f.emplace_back("hours_above_critical_rate" + k, s.hours_above_critical, "h");
    f.emplace_back("mass_above_critical_rate" + k, s.mass_above_critical, "mg");
    f.emplace_back("hold_min_line_margin" + k, s.min_line_margin_K, "K");
    f.emplace_back("hold_min_eutectic_margin" + k, s.min_eutectic_margin_K, "K");
    f.emplace_back("hold_min_window_margin" + k, s.min_window_margin_K, "K");
    f.emplace_back("quench_growth" + k, s.quench_mass, "mg");
    f.emplace_back("source_contact_time" + k, s.source_contact_time, "s");
    f.emplace_back("wall_contact_time" + k, s.wall_contact_time, "s");
    if (!std::isnan(s.max_crack_risk)) {
      f.emplace_back("max_crystal_stress" + k, s.max_stress, "Pa");
      f.emplace_back("max_crack_risk" + k, s.max_crack_risk, "1");
    }
  }
  if (!seeds.empty()) {
    f.emplace_back("source_remaining", source_remaining, "1");
    f.emplace_back("carbon_nucleated", carbon_nucleated, "mg");
  }
  return f;
}

std::string RunSummary::text() const {
  char buf[512];
  std::string out;
  for (const auto& s : seeds) {
    std::snprintf(buf, sizeof buf,
                  "[hphtsim] seed '%s': %.3f ct, %.2f mg/h over the hold, %.1f h / %.1f mg above the critical rate, "
                  "smallest margins in the hold %.1f K to the graphite-diamond line, %.1f K to the eutectic",
                  s.name.c_str(), s.mass_ct, s.hold_rate, s.hours_above_critical, s.mass_above_critical,
                  s.min_line_margin_K, s.min_eutectic_margin_K);
    out += buf;
    if (!std::isnan(s.min_window_margin_K)) {
      std::snprintf(buf, sizeof buf, ", %.1f K from the edge of the observed growth window", s.min_window_margin_K);
      out += buf;
    }
    if (!std::isnan(s.quench_mass)) {
      std::snprintf(buf, sizeof buf, ", %.2f mg after the hold", s.quench_mass);
      out += buf;
    }
    if (!std::isnan(s.max_crack_risk)) {
      std::snprintf(buf, sizeof buf, "; largest principal stress %.2f GPa, crack risk %.2f", s.max_stress * 1e-9,
                    s.max_crack_risk);
      out += buf;
    }
    if (!std::isnan(s.source_contact_time)) {
      std::snprintf(buf, sizeof buf, "; touched the source at %.1f h", s.source_contact_time / 3600.0);
      out += buf;
    }
    if (!std::isnan(s.wall_contact_time)) {
      std::snprintf(buf, sizeof buf, "; outgrew its melt at %.1f h", s.wall_contact_time / 3600.0);
      out += buf;
    }
    out += "\n";
  }
  std::snprintf(buf, sizeof buf, "[hphtsim] cell: peak %.1f degC, %.3f kWh", T_peak - kelvin, energy / 3.6e6);
  out += buf;
  if (!std::isnan(p_cell_min)) {
    std::snprintf(buf, sizeof buf, ", p_cell %.3f-%.3f GPa in the hold", p_cell_min * 1e-9, p_cell_max * 1e-9);
    out += buf;
    if (!std::isnan(p_scale_spread)) {
      std::snprintf(buf, sizeof buf, " (+-%.2f GPa between pressure scales)", 0.5 * p_scale_spread * 1e-9);
      out += buf;
    }
  }
  if (!seeds.empty() && !std::isnan(source_remaining)) {
    std::snprintf(buf, sizeof buf, ", %.0f %% of the source left, %.1f mg to spontaneous nuclei",
                  100.0 * source_remaining, carbon_nucleated);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, " (hold %.4g-%.4g h)\n", hold_start / 3600.0, hold_end / 3600.0);
  out += buf;
  return out;
}

}  // namespace hphtsim::simulation
