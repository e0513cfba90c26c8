// SPDX-License-Identifier: MIT
// End-to-end: the default cell's coupled steady electro-thermal solve (Picard over electric +
// thermal MG-PCG solves with T-dependent properties), at the default 64^3 grid and at 48^3.
#include <benchmark/benchmark.h>

#include <string>

#include "hphtsim/simulation/simulation.hpp"

namespace {

void BM_DefaultCellSteady(benchmark::State& state) {
  const int n = int(state.range(0));
  auto model = hphtsim::simulation::Model::from_file(std::string(HPHTSIM_SOURCE_DIR) + "/configs/tgm_default.yaml",
                                                     {std::string("cell.cells=").append(std::to_string(n))});
  int picard = 0, linear = 0;
  double tmax = 0.0;
  for (auto _ : state) {
    state.PauseTiming();
    hphtsim::simulation::Simulation sim(model);  // includes the initial electric solve
    state.ResumeTiming();
    sim.solve_steady();
    picard = sim.diagnostics().coupling_iterations;
    linear = sim.diagnostics().linear_iterations;
    tmax = sim.diagnostics().T_max;
  }
  state.counters["coupling_iterations"] = picard;
  state.counters["linear_iterations"] = linear;
  state.counters["T_max_degC"] = tmax - 273.15;
}

}  // namespace

BENCHMARK(BM_DefaultCellSteady)->Arg(48)->Arg(64)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
