// SPDX-License-Identifier: MIT
#include "hphtsim/app/describe_result.hpp"

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
  os << "grid: " << (e[0].size() - 1) << " x " << (e[1].size() - 1) << " x " << (e[2].size() - 1)
     << " cells (nx x ny x nz)\n";
  const char* axes[3] = {"x", "y", "z"};
  for (int a = 0; a < 3; ++a) {
    if (e[a].size() < 2) continue;
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
