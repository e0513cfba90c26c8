// SPDX-License-Identifier: MIT
// Linear-solver benchmarks (STYLE.md part 2): the variable-coefficient potential solve on the
// unit cube N^3 with a 1000x conductivity block (graphite in pyrophyllite), u = 0 on every face,
// rhs = 1 * cell volume, to ||r|| <= 1e-8 ||b||, by MG-PCG and by Eigen CG + IncompleteCholesky;
// the matrix-free stencil apply in GB/s next to a STREAM triad measured by the same binary.
//
//   OMP_NUM_THREADS=2 OMP_PROC_BIND=spread build/bin/hphtsim-bench --benchmark_filter='BM_(Solve|StencilApply|StreamTriad)'
//
// Timed regions exclude setup (MG hierarchy build; Eigen assembly + IC factorisation), which is
// reported in the setup_s counter. Google Benchmark 1.7 appends "/iterations:N/real_time" (or
// "/manual_time") to the registered names, e.g. BM_Solve/mgpcg/128/iterations:5/real_time;
// filter with --benchmark_filter=BM_Solve/mgpcg/128/.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hphtsim/solvers/linear_solver.hpp"
#include "hphtsim/solvers/model_problems.hpp"

namespace hs = hphtsim::solvers;

namespace {

constexpr double kJump = 1000.0;

void BM_SolveMgpcg(benchmark::State& state, int n) {
  std::vector<double> b;
  const hs::StencilOperator op = hs::model::jump_problem(n, n, n, kJump, &b);
  std::unique_ptr<hs::MultigridPCG> mg = std::make_unique<hs::MultigridPCG>(op);
  std::vector<double> x(op.size(), 0.0);
  hs::SolveStats st;
  for (auto _ : state) {
    state.PauseTiming();
    std::fill(x.begin(), x.end(), 0.0);
    state.ResumeTiming();
    st = mg->solve(b, x);
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["iterations"] = st.iterations;
  state.counters["setup_s"] = st.setup_seconds;
  state.counters["rel_residual"] = st.rel_residual;
  state.counters["levels"] = mg->levels();
  state.counters["ns_per_cell"] =
      benchmark::Counter(double(op.size()) * 1e-9, benchmark::Counter::kIsIterationInvariantRate |
                                                       benchmark::Counter::kInvert);
}

// Eigen's call does assembly, factorisation and solve; only its solve time is reported as the
// benchmark time (manual timing), the rest goes to setup_s.
void BM_SolveEigenCgIc(benchmark::State& state, int n) {
  std::vector<double> b;
  const hs::StencilOperator op = hs::model::jump_problem(n, n, n, kJump, &b);
  std::vector<double> x(op.size(), 0.0);
  hs::SolveOptions opts;
  opts.max_iterations = 5000;
  hs::SolveStats st;
  for (auto _ : state) {
    std::fill(x.begin(), x.end(), 0.0);
    st = hs::solve_eigen_cg_ic(op, b, x, opts);
    state.SetIterationTime(st.solve_seconds);
  }
  state.counters["iterations"] = st.iterations;
  state.counters["setup_s"] = st.setup_seconds;
  state.counters["rel_residual"] = st.rel_residual;
}

// y = A u. Byte model, 56 B/cell: u, diag, tx, ty, tz read (40 B), y written (8 B) plus the
// write-allocate read of y's cache lines (8 B); neighbour values of u come from cache. The triad
// below uses STREAM counting (24 B/element, no write-allocate), so stencil GB/s / triad GB/s
// flatters the stencil by at most 56/48 (7/6) compared with a count of real DRAM traffic on both.
void BM_StencilApply(benchmark::State& state) {
  const int n = int(state.range(0));
  const hs::StencilOperator op = hs::model::jump_problem(n, n, n, kJump);
  std::vector<double> u(op.size()), y(op.size(), 0.0);
  std::mt19937 gen(1);
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  for (double& v : u) v = dist(gen);
  for (auto _ : state) {
    op.apply(u.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(op.size()) * 56);
  state.counters["ns_per_cell"] =
      benchmark::Counter(double(op.size()) * 1e-9, benchmark::Counter::kIsIterationInvariantRate |
                                                       benchmark::Counter::kInvert);
}

// STREAM triad a = b + s c over 3 arrays of 32 M doubles (768 MB, far beyond cache), OpenMP
// static schedule with first-touch initialisation; STREAM byte counting, 24 B per element.
void BM_StreamTriad(benchmark::State& state) {
  const std::ptrdiff_t n = std::ptrdiff_t(32) << 20;
  std::unique_ptr<double[]> a(new double[std::size_t(n)]), bb(new double[std::size_t(n)]),
      c(new double[std::size_t(n)]);
  double* pa = a.get();
  double* pb = bb.get();
  double* pc = c.get();
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    pa[i] = 0.0;
    pb[i] = 1.0;
    pc[i] = 2.0;
  }
  const double s = 3.0;
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) pa[i] = pb[i] + s * pc[i];
    benchmark::DoNotOptimize(pa);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(n) * 24);
}

const bool registered = [] {
  for (int n : {64, 128, 256}) {
    benchmark::RegisterBenchmark(("BM_Solve/mgpcg/" + std::to_string(n)).c_str(), BM_SolveMgpcg, n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(n >= 256 ? 2 : 5);
  }
  for (int n : {64, 128}) {
    benchmark::RegisterBenchmark(("BM_Solve/eigen_cg_ic/" + std::to_string(n)).c_str(),
                                 BM_SolveEigenCgIc, n)
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime()
        ->Iterations(n >= 128 ? 1 : 2);
  }
  benchmark::RegisterBenchmark("BM_StencilApply", BM_StencilApply)
      ->Arg(128)
      ->Arg(256)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(0.5);
  benchmark::RegisterBenchmark("BM_StreamTriad", BM_StreamTriad)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(0.5);
  return true;
}();

}  // namespace
