// SPDX-License-Identifier: MIT
// Deterministic OpenMP reductions: each k-plane's partial result is computed by whichever
// thread owns it, then the planes are combined serially in order. Results therefore do not
// depend on the number of threads (a requirement: 1 and 2 threads agree to round-off).
#pragma once

#include <algorithm>
#include <vector>

namespace hphtsim::core {

/// Sum over k = 0..nz-1 of plane(k), combined in k order.
template <class PlaneFn>
double plane_sum(int nz, PlaneFn plane) {
  std::vector<double> partial(std::size_t(std::max(nz, 0)), 0.0);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < nz; ++k) partial[std::size_t(k)] = plane(k);
  double s = 0.0;
  for (double v : partial) s += v;
  return s;
}

/// Maximum over k of plane(k).
template <class PlaneFn>
double plane_max(int nz, PlaneFn plane, double init) {
  std::vector<double> partial(std::size_t(std::max(nz, 0)), init);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < nz; ++k) partial[std::size_t(k)] = plane(k);
  double m = init;
  for (double v : partial) m = std::max(m, v);
  return m;
}

}  // namespace hphtsim::core
