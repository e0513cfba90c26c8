// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/memory.hpp"

#include <string>

#include "hphtsim/core/error.hpp"

namespace hphtsim::simulation {
namespace {

// Peak resident memory measured with `/usr/bin/time -v build/bin/hphtsim run
// configs/tgm_default.yaml --set cell.cells=N --set pressure.field=F --until "1 h" -q`
// (OMP_NUM_THREADS=1; "1 h" so that the heater has started and the thermo-elastic solver and
// its multigrid exist; 10 min is still cold and stays below), Release build, in KiB:
//
//   cells          field, growth   no field, growth   field, no growth   no field, no growth
//   48^3 = 110592       215188          111040
//   64^3 = 262144       478320          234504             396792               153764
//   80^3 = 512000       910192          438860
//
// The whole 20-day cycle at 48^3 (field and growth) peaks at 201412 KiB, no higher than its first
// hour: the first solves set the peak. The peak is linear in
// the cell count: per cell about 519 B for the electro-thermal fields and their multigrid, 938 B
// more for the pressure field (node displacements, the elasticity operator and its multigrid),
// 318 B more for growth (carbon field and transport operator), on about 22 MB of program and
// libraries. The figures below round these up by 15-30 %, so the estimate is an upper bound
// 18-27 % above every measurement in the table (+29 % over the whole cycle at 48^3).
constexpr double fixed_bytes = 32.0 * 1024 * 1024;
constexpr double bytes_per_cell = 600.0;
constexpr double pressure_field_bytes_per_cell = 1100.0;
constexpr double growth_bytes_per_cell = 400.0;

}  // namespace

double estimated_run_bytes(std::size_t cells, bool pressure_field, bool growth) {
  double per_cell = bytes_per_cell;
  if (pressure_field) per_cell += pressure_field_bytes_per_cell;
  if (growth) per_cell += growth_bytes_per_cell;
  return fixed_bytes + per_cell * double(cells);
}

void check_run_memory(int nx, int ny, int nz, bool pressure_field, bool growth,
                      const std::optional<core::MemoryBudget>& available, const std::string& key) {
  if (!available) return;
  const std::size_t cells = std::size_t(nx) * std::size_t(ny) * std::size_t(nz);
  const double need = estimated_run_bytes(cells, pressure_field, growth);
  if (need <= double(available->bytes)) return;
  std::string what = std::to_string(nx) + " x " + std::to_string(ny) + " x " + std::to_string(nz) + " grid (" +
                     std::to_string(cells) + " cells";
  if (pressure_field) what += ", pressure field";
  if (growth) what += ", growth";
  what += ")";
  throw ConfigError(key, "a " + what + " needs about " + core::format_bytes(need) + ", " +
                                      core::format_bytes(double(available->bytes)) + " available (" +
                                      available->source + "; " + core::memory_limit_variable +
                                      " overrides it): use fewer cells");
}

}  // namespace hphtsim::simulation
