// SPDX-License-Identifier: MIT
// Elasticity benchmarks (docs/mechanics.md): the cell-mechanics problem on an N^3 cube of
// pyrophyllite (E 60 GPa, nu 0.25) with a diamond block (1050 GPa) and a molten block (fluid
// region, K 100 GPa, mu 0.1 GPa), a thermal eigenstrain rising along z, all six anvils pushed in
// by 0.1 mm: 3 (N+1)^3 unknowns, solved to ||r|| <= 1e-8 ||load|| from a zero guess.
//
//   BM_Solve/elasticity/N        MG-PCG (ElasticityMGPCG::solve), hierarchy built outside the timing
//   BM_Solve/elasticity_eigen/N  Eigen CG + IncompleteCholesky on the same matrix (the fluid region
//                                by the Woodbury formula: two CG solves), manual time = solve only
//   BM_Mechanics/N               one physics::Mechanics::solve_for_mean_pressure as the simulation
//                                calls it: moduli changed (hierarchy rebuilt) and both parts solved
//   BM_ElasticApply/N            one matrix-free operator application
//   .../graded64, BM_ElasticApply/-64: the same cell on the default cell's conforming graded grid
//                                (budget 64: 63 x 63 x 64 cells, 17 x 17 x 22 cell-size classes)
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=spread build/bin/hphtsim-bench --benchmark_filter='elasticity|Elastic|Mechanics'
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/physics/mechanics.hpp"
#include "hphtsim/simulation/model.hpp"
#include "hphtsim/solvers/elasticity.hpp"
#include "hphtsim/solvers/elasticity_reference.hpp"

namespace hs = hphtsim::solvers;
namespace hp = hphtsim::physics;
namespace hc = hphtsim::core;

namespace {

constexpr double kL = 32.5e-3;

struct Cell {
  hc::Grid g;
  std::vector<double> E, nu, eig;
  std::vector<unsigned char> melt;
};

/// The cell on a uniform n^3 grid (n > 0), or on the default cell's conforming graded grid of
/// budget -n (n < 0: configs/tgm_lab_small.yaml at cell.cells = -n, 6358 cell-size classes at 64).
hc::Grid bench_grid(int n) {
  if (n > 0) return hc::Grid::uniform(n, n, n, kL, kL, kL, -kL / 2, -kL / 2, -kL / 2);
  return hphtsim::simulation::Model::from_file(std::string(HPHTSIM_SOURCE_DIR) + "/configs/tgm_lab_small.yaml",
                                               {std::string("cell.cells=").append(std::to_string(-n))})
      .grid;
}

Cell make_cell(int n) {
  Cell c{bench_grid(n), {}, {}, {}, {}};
  const std::size_t N = c.g.size();
  c.E.assign(N, 60e9);
  c.nu.assign(N, 0.25);
  c.eig.assign(N, 0.0);
  c.melt.assign(N, 0);
  const hp::ElasticModuli m = hp::melt_moduli(100e9);
  for (int k = 0; k < c.g.nz; ++k)
    for (int j = 0; j < c.g.ny; ++j)
      for (int i = 0; i < c.g.nx; ++i) {
        const double x = c.g.xc(i) / kL, y = c.g.yc(j) / kL, z = c.g.zc(k) / kL;
        const std::size_t id = c.g.index(i, j, k);
        c.eig[id] = 3.0 * 1.5e-5 * (600.0 + 400.0 * (0.5 + z));
        if (std::abs(x + 0.15) < 0.12 && std::abs(y) < 0.2 && std::abs(z + 0.05) < 0.15) {
          c.E[id] = 1050e9;
          c.nu[id] = 0.1;
        }
        if (std::abs(x - 0.15) < 0.13 && std::abs(y - 0.05) < 0.2 && std::abs(z - 0.05) < 0.17) {
          c.E[id] = m.youngs_modulus;
          c.nu[id] = m.poisson_ratio;
          c.melt[id] = 1;
        }
      }
  return c;
}

/// The linear system of one solve: operator, load, prescribed wall displacement.
struct System {
  Cell cell;
  std::unique_ptr<hs::ElasticOperator> op;
  std::vector<double> f, u0;
};

System make_system(int n) {
  System s{make_cell(n), nullptr, {}, {}};
  const hc::Grid& g = s.cell.g;
  s.op = std::make_unique<hs::ElasticOperator>(g, hs::kNormalWalls);
  std::vector<double> mu(g.size()), kb(g.size());
  for (std::size_t c = 0; c < g.size(); ++c) {
    mu[c] = hp::shear_modulus(s.cell.E[c], s.cell.nu[c]);
    kb[c] = hp::bulk_modulus(s.cell.E[c], s.cell.nu[c]);
  }
  s.op->set_moduli(mu, kb, &s.cell.melt);
  s.f.assign(s.op->num_dofs(), 0.0);
  s.op->add_eigenstrain_load(s.cell.eig.data(), s.f.data());
  s.u0.assign(s.op->num_dofs(), 0.0);
  const double delta = 0.1e-3;
  for (int k = 0; k <= g.nz; ++k)
    for (int j = 0; j <= g.ny; ++j)
      for (int i = 0; i <= g.nx; ++i) {
        const std::size_t d = 3 * s.op->node(i, j, k);
        s.u0[d] = i == 0 ? delta : (i == g.nx ? -delta : 0.0);
        s.u0[d + 1] = j == 0 ? delta : (j == g.ny ? -delta : 0.0);
        s.u0[d + 2] = k == 0 ? delta : (k == g.nz ? -delta : 0.0);
      }
  return s;
}

void BM_SolveElasticity(benchmark::State& state, int n) {
  const System s = make_system(n);
  const auto t0 = std::chrono::steady_clock::now();
  hs::ElasticityMGPCG mg(*s.op);
  const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<double> u;
  hs::SolveStats st;
  hs::SolveOptions opts;
  opts.rel_tol = 1e-8;
  for (auto _ : state) {
    state.PauseTiming();
    u = s.u0;
    state.ResumeTiming();
    st = mg.solve(s.f, u, opts);
    benchmark::DoNotOptimize(u.data());
  }
  state.counters["iterations"] = st.iterations;
  state.counters["setup_s"] = setup;
  state.counters["rel_residual"] = st.rel_residual;
  state.counters["levels"] = mg.levels();
  state.counters["dofs"] = double(s.op->num_dofs());
}

void BM_SolveElasticityEigen(benchmark::State& state, int n) {
  const System s = make_system(n);
  std::vector<double> u;
  hs::SolveStats st;
  hs::SolveOptions opts;
  opts.rel_tol = 1e-8;
  opts.max_iterations = 100000;
  for (auto _ : state) {
    u = s.u0;
    st = hs::solve_elasticity_eigen(*s.op, s.f, u, opts);
    state.SetIterationTime(st.solve_seconds);
  }
  state.counters["iterations"] = st.iterations;
  state.counters["setup_s"] = st.setup_seconds;
  state.counters["rel_residual"] = st.rel_residual;
  state.counters["dofs"] = double(s.op->num_dofs());
}

// Each iteration changes the moduli slightly (as a time step does), so the hierarchy is rebuilt,
// and warm-starts both parts from the previous step's solution.
void BM_Mechanics(benchmark::State& state, int n) {
  Cell c = make_cell(n);
  hp::Mechanics mech(c.g);
  std::vector<double> p;
  hs::SolveOptions opts;
  opts.rel_tol = 1e-8;
  mech.solve_for_mean_pressure({&c.E, &c.nu, &c.eig, &c.melt}, 5.5e9, c.melt, p, opts);
  hp::MechanicsResult r;
  double scale = 1.0;
  for (auto _ : state) {
    state.PauseTiming();
    scale *= 1.001;
    for (std::size_t id = 0; id < c.g.size(); ++id) c.eig[id] *= 1.001;
    c.E[0] = 60e9 * scale;
    state.ResumeTiming();
    r = mech.solve_for_mean_pressure({&c.E, &c.nu, &c.eig, &c.melt}, 5.5e9, c.melt, p, opts);
    benchmark::DoNotOptimize(p.data());
  }
  state.counters["iterations_unit"] = r.iterations_unit;
  state.counters["iterations_free"] = r.iterations_free;
  state.counters["delta_mm"] = r.delta * 1e3;
}

void BM_ElasticApply(benchmark::State& state) {
  const int n = int(state.range(0));
  const System s = make_system(n);
  std::vector<double> y(s.op->num_dofs());
  for (auto _ : state) {
    s.op->apply(s.u0.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.counters["ns_per_cell"] = benchmark::Counter(
      double(s.cell.g.size()) * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

const bool registered = [] {
  for (int n : {32, 64, -64}) {
    const std::string name = n > 0 ? std::to_string(n) : "graded" + std::to_string(-n);
    benchmark::RegisterBenchmark(("BM_Solve/elasticity/" + name).c_str(), BM_SolveElasticity, n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(n == 32 ? 5 : 3);
  }
  // CG + IC needs O(N^(1/3)) more iterations per halving of h and 3x the memory of MG; 32^3
  // (107 k unknowns) finishes in well under a minute on 2 cores, 64^3 would not.
  benchmark::RegisterBenchmark("BM_Solve/elasticity_eigen/32", BM_SolveElasticityEigen, 32)
      ->Unit(benchmark::kMillisecond)
      ->UseManualTime()
      ->Iterations(1);
  for (int n : {64, -64})
    benchmark::RegisterBenchmark(("BM_Mechanics/" + (n > 0 ? std::to_string(n) : "graded" + std::to_string(-n))).c_str(),
                                 BM_Mechanics, n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(3);
  // Negative: the default cell's graded grid of that budget (bench_grid).
  benchmark::RegisterBenchmark("BM_ElasticApply", BM_ElasticApply)
      ->Arg(64)
      ->Arg(-64)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(0.5);
  return true;
}();

}  // namespace
