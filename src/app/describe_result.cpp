// SPDX-License-Identifier: MIT
#include "hphtsim/app/describe_result.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "hphtsim/core/format.hpp"

namespace hphtsim::app {

namespace {

using core::format_number;

void unreadable(std::ostream& os, const std::string& part, const std::string& error) {
  if (!error.empty()) os << part << ": unreadable (" << error << ")\n";
}

void describe_grid(std::ostream& os, const io::ResultSummary::Grid& grid) {
  const auto& e = grid.edges;
  if (grid.axisymmetric)
    os << "grid: " << (e[0].size() - 1) << " x " << (e[2].size() - 1) << " cells (nr x nz), axisymmetric\n";
  else
    os << "grid: " << (e[0].size() - 1) << " x " << (e[1].size() - 1) << " x " << (e[2].size() - 1)
       << " cells (nx x ny x nz)\n";
  const char* axes[3] = {grid.axisymmetric ? "r" : "x", "y", "z"};
  for (int a = 0; a < 3; ++a) {
    if (e[a].size() < 2 || (grid.axisymmetric && a == 1)) continue;  // the angle: the whole revolution
    os << "  " << axes[a] << ": " << format_number(e[a].front() * 1e3) << " .. "
       << format_number(e[a].back() * 1e3) << " mm\n";
  }
}

void describe_series(std::ostream& os, const io::ResultSummary::Series& s) {
  os << "  " << s.name << " [" << (s.units.empty() ? "-" : s.units) << "]";
  if (s.rank == 2) os << " x" << s.columns;
  os << ": " << s.rows << " rows";
  if (!s.last.empty()) {
    os << ", last ";
    if (s.rank == 2) os << "[";
    for (std::size_t c = 0; c < s.last.size(); ++c) {
      os << (c > 0 ? ", " : "") << format_number(s.last[c]);
    }
    if (s.rank == 2) os << "]";
  }
  os << "\n";
}

}  // namespace

namespace {

// What a grower reads first: the run summary's figures (simulation/run_summary.cpp writes
// them into /meta) in degC, GPa, hours, ct; per seed, then the cell.
void run_summary(std::ostream& os, const std::vector<io::ResultSummary::KeyFigure>& figures) {
  auto find = [&](const std::string& name) -> const double* {
    for (const auto& f : figures)
      if (f.name == name) return &f.value;
    return nullptr;
  };
  const double* peak = find("peak_T_max");
  const double* energy = find("electrical_energy");
  const double* hold_start = find("hold_start");
  const double* hold_end = find("hold_end");
  if (!peak || !energy || !hold_start || !hold_end) return;  // a file from before the run summary
  char buf[400];
  std::snprintf(buf, sizeof buf, "run summary (main hold %.4g h .. %.4g h):\n", *hold_start / 3600.0,
                *hold_end / 3600.0);
  os << buf;
  for (const auto& f : figures) {
    const std::string prefix = "final_mass[";
    if (f.name.rfind(prefix, 0) != 0) continue;
    const std::string key = f.name.substr(prefix.size() - 1);  // "[seed]"
    auto get = [&](const std::string& n) {
      const double* v = find(n + key);
      return v ? *v : std::nan("");
    };
    std::snprintf(buf, sizeof buf,
                  "  seed '%s': %.3f ct, %.2f mg/h over the hold, %.1f h and %.1f mg above the critical rate, "
                  "smallest margins in the hold %.1f K to the graphite-diamond line and %.1f K to the eutectic\n",
                  key.substr(1, key.size() - 2).c_str(), f.value, get("hold_growth_rate"),
                  get("hours_above_critical_rate"), get("mass_above_critical_rate"), get("hold_min_line_margin"),
                  get("hold_min_eutectic_margin"));
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "  cell: peak %.1f degC, %.2f kWh", *peak - 273.15, *energy);
  os << buf;
  const double* p_lo = find("hold_p_cell_min");
  const double* p_hi = find("hold_p_cell_max");
  if (p_lo && p_hi) {
    std::snprintf(buf, sizeof buf, ", p_cell %.3f .. %.3f GPa in the hold", *p_lo * 1e-9, *p_hi * 1e-9);
    os << buf;
  }
  os << "\n";
}

}  // namespace

std::string describe_result(const std::filesystem::path& path) {
  return describe_result(path, io::summarize_result(path));
}

std::string describe_result(const std::filesystem::path& path, const io::ResultSummary& summary) {
  std::ostringstream os;
  os << "result file " << path.string() << "\n";

  const auto& meta = summary.meta;
  if (meta.present) {
    os << "  version       " << meta.version << "\n"
       << "  git revision  " << meta.git_revision << "\n"
       << "  created       " << meta.created << "\n";
  }
  unreadable(os, "meta", meta.error);

  if (summary.grid.present && summary.grid.error.empty()) describe_grid(os, summary.grid);
  unreadable(os, "grid", summary.grid.error);

  const auto& materials = summary.materials;
  if (materials.present && materials.error.empty()) {
    os << "materials:\n";
    for (const auto& m : materials.materials) {
      os << "  " << m.id << ": " << (m.named ? m.name : "(no name)") << "  " << m.cells
         << " cells\n";
    }
  }
  unreadable(os, "materials", materials.error);

  const auto& snapshots = summary.snapshots;
  if (snapshots.error.empty()) {
    os << "snapshots: " << snapshots.count << "\n";
    if (snapshots.count > 0) {
      os << "  last: " << snapshots.last_name
         << " at t = " << core::format_duration(snapshots.last_time) << "\n";
      for (const auto& field : snapshots.last_fields) {
        os << "    " << field.name << ": " << format_number(field.min) << " .. "
           << format_number(field.max);
        if (!field.units.empty()) os << " " << field.units;
        os << "\n";
      }
    }
  }
  unreadable(os, "snapshots", snapshots.error);

  const auto& timeseries = summary.timeseries;
  if (timeseries.present && timeseries.error.empty()) {
    os << "time series: " << timeseries.series.size() << "\n";
    for (const auto& s : timeseries.series) {
      if (s.error.empty()) describe_series(os, s);
      unreadable(os, "  " + s.name, s.error);
    }
  }
  unreadable(os, "time series", timeseries.error);

  run_summary(os, meta.figures);
  if (!meta.figures.empty()) {
    os << "key figures:\n";
    for (const auto& figure : meta.figures) {
      os << "  " << figure.name << " = " << format_number(figure.value);
      if (!figure.units.empty()) os << " " << figure.units;
      os << "\n";
    }
  }
  os << "config:\n";
  std::istringstream lines(meta.config);
  for (std::string line; std::getline(lines, line);) os << "  " << line << "\n";
  return os.str();
}

}  // namespace hphtsim::app
