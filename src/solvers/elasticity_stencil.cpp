// SPDX-License-Identifier: MIT
// The elasticity multigrid's building blocks (ElasticityMGPCG, elasticity_multigrid.cpp): the
// per-axis transfer maps, the assembled 27-point block stencil of the coarse levels (apply,
// constraints, inverse diagonal blocks; the storage is described in elasticity_hierarchy.cpp),
// the deterministic level dot product, and the projections of fine element matrices onto a
// coarse cell.
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "elasticity_detail.hpp"

namespace hphtsim::solvers::elasticity_detail {

AxisMap make_axis(const std::vector<double>& fe, std::vector<double>& ce) {
  AxisMap m;
  m.nf = int(fe.size()) - 1;
  for (int i = 0; i <= m.nf; i += 2) m.coarse_edge.push_back(i);
  if (m.nf % 2 == 1) m.coarse_edge.push_back(m.nf);
  m.nc = int(m.coarse_edge.size()) - 1;
  ce.clear();
  for (int e : m.coarse_edge) ce.push_back(fe[std::size_t(e)]);
  m.p0.assign(std::size_t(m.nf) + 1, 0);
  m.p1.assign(std::size_t(m.nf) + 1, 0);
  m.w0.assign(std::size_t(m.nf) + 1, 1.0);
  m.w1.assign(std::size_t(m.nf) + 1, 0.0);
  for (int i = 0; i <= m.nf; ++i) {
    if (i % 2 == 0) {
      m.p0[std::size_t(i)] = m.p1[std::size_t(i)] = i / 2;
    } else if (i == m.nf) {
      m.p0[std::size_t(i)] = m.p1[std::size_t(i)] = m.nc;
    } else {
      const int a = (i - 1) / 2, b = (i + 1) / 2;
      const double t = (fe[std::size_t(i)] - fe[std::size_t(i - 1)]) / (fe[std::size_t(i + 1)] - fe[std::size_t(i - 1)]);
      m.p0[std::size_t(i)] = a;
      m.p1[std::size_t(i)] = b;
      m.w0[std::size_t(i)] = 1.0 - t;
      m.w1[std::size_t(i)] = t;
    }
  }
  std::vector<std::vector<std::pair<int, double>>> kids(std::size_t(m.nc) + 1);
  for (int i = 0; i <= m.nf; ++i) {
    kids[std::size_t(m.p0[std::size_t(i)])].emplace_back(i, m.w0[std::size_t(i)]);
    if (m.w1[std::size_t(i)] != 0.0) kids[std::size_t(m.p1[std::size_t(i)])].emplace_back(i, m.w1[std::size_t(i)]);
  }
  m.cs.push_back(0);
  for (const auto& kv : kids) {
    for (const auto& [f, w] : kv) {
      m.ch.push_back(f);
      m.chw.push_back(w);
    }
    m.cs.push_back(int(m.ch.size()));
  }
  return m;
}

/// Dot product summed per node plane, then in plane order.
double level_dot(const Level& L, const double* a, const double* b) {
  const std::size_t plane = L.plane();
  const int planes = L.NZ();
  std::vector<double> partial(std::size_t(planes), 0.0);
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < planes; ++k) {
    const double* pa = a + plane * std::size_t(k);
    const double* pb = b + plane * std::size_t(k);
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    std::size_t i = 0;
    for (; i + 4 <= plane; i += 4) {
      s0 += pa[i] * pb[i];
      s1 += pa[i + 1] * pb[i + 1];
      s2 += pa[i + 2] * pb[i + 2];
      s3 += pa[i + 3] * pb[i + 3];
    }
    for (; i < plane; ++i) s0 += pa[i] * pb[i];
    partial[std::size_t(k)] = (s0 + s1) + (s2 + s3);
  }
  double s = 0.0;
  for (double v : partial) s += v;
  return s;
}

namespace {

/// Row n = (i, j, k) of y = A u on an assembled level; Check: test that neighbours exist.
template <bool Check>
inline void stencil_row(const Level& L, const double* A, const double* u, double* y, int i, int j, int k) {
  const int NX = L.NX(), NY = L.NY(), NZ = L.NZ();
  const std::size_t n = L.node(i, j, k);
  const std::ptrdiff_t sy = NX, sz = std::ptrdiff_t(NX) * NY;
  const double* An = A + std::size_t(kBlocks * kBlockSize) * n;
  double acc[3];
  elastic::mul3(An, u + 3 * n, acc);
  for (int s = 1; s < kBlocks; ++s) {
    const int di = kOff[s].di, dj = kOff[s].dj, dk = kOff[s].dk;
    const std::ptrdiff_t o = di + dj * sy + dk * sz;
    if (!Check || (i + di >= 0 && i + di < NX && j + dj >= 0 && j + dj < NY && k + dk < NZ))
      elastic::mul3_add(An + kBlockSize * s, u + 3 * (std::ptrdiff_t(n) + o), acc);
    if (!Check || (i - di >= 0 && i - di < NX && j - dj >= 0 && j - dj < NY && k - dk >= 0)) {
      const std::ptrdiff_t m = std::ptrdiff_t(n) - o;
      elastic::mul3t_add(A + kBlocks * kBlockSize * m + kBlockSize * s, u + 3 * m, acc);
    }
  }
  y[3 * n] = acc[0];
  y[3 * n + 1] = acc[1];
  y[3 * n + 2] = acc[2];
}

}  // namespace

/// y = A u on an assembled level.
void stencil_apply(const Level& L, const double* u, double* y) {
  const int NX = L.NX(), NY = L.NY(), NZ = L.NZ();
  const double* A = L.A.data();
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < NZ; ++k)
    for (int j = 0; j < NY; ++j) {
      if (k == 0 || k == NZ - 1 || j == 0 || j == NY - 1 || NX < 3) {
        for (int i = 0; i < NX; ++i) stencil_row<true>(L, A, u, y, i, j, k);
        continue;
      }
      stencil_row<true>(L, A, u, y, 0, j, k);
      for (int i = 1; i < NX - 1; ++i) stencil_row<false>(L, A, u, y, i, j, k);
      stencil_row<true>(L, A, u, y, NX - 1, j, k);
    }
}

/// Zero prescribed rows and columns of an assembled level, identity on their diagonal.
void constrain_stencil(Level& L) {
  const int NX = L.NX(), NY = L.NY(), NZ = L.NZ();
#pragma omp parallel for schedule(static) if (L.parallel())
  for (int k = 0; k < NZ; ++k)
    for (int j = 0; j < NY; ++j)
      for (int i = 0; i < NX; ++i) {
        const std::size_t n = L.node(i, j, k);
        const unsigned fr = L.fixed[n];
        for (int s = 0; s < kBlocks; ++s) {
          const int fi = i + kOff[s].di, fj = j + kOff[s].dj, fk = k + kOff[s].dk;
          if (fi < 0 || fi >= NX || fj < 0 || fj >= NY || fk >= NZ) continue;
          const unsigned fc = L.fixed[L.node(fi, fj, fk)];
          if ((fr | fc) == 0) continue;
          double* blk = L.A.data() + std::size_t(kBlocks * kBlockSize) * n + kBlockSize * s;
          for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
              if ((fr & (1u << r)) || (fc & (1u << c))) blk[3 * r + c] = 0.0;
          if (s == 0)
            for (int r = 0; r < 3; ++r)
              if (fr & (1u << r)) blk[4 * r] = 1.0;
        }
      }
}

/// Inverse diagonal blocks of an assembled level.
void stencil_dinv(Level& L) {
  L.dinv.assign(9 * L.nn, 0.0);
  for (std::size_t n = 0; n < L.nn; ++n)
    elastic::invert3(L.A.data() + std::size_t(kBlocks * kBlockSize) * n, L.dinv.data() + 9 * n);
}

ChildAxis child_axis(const AxisMap& m, const std::vector<double>& spacing) {
  ChildAxis ca;
  const std::size_t nf = std::size_t(m.nf);
  ca.h = spacing;
  ca.t0.assign(nf, 0.0);
  ca.t1.assign(nf, 1.0);
  ca.code.assign(nf, 0);
  for (int E = 0; E < m.nc; ++E) {
    const int f0 = m.coarse_edge[std::size_t(E)], f1 = m.coarse_edge[std::size_t(E) + 1];
    if (f1 - f0 == 2) {
      const double t = spacing[std::size_t(f0)] / (spacing[std::size_t(f0)] + spacing[std::size_t(f0) + 1]);
      ca.t1[std::size_t(f0)] = t;
      ca.t0[std::size_t(f0) + 1] = t;
    }
  }
  std::vector<std::array<double, 3>> seen;
  for (std::size_t i = 0; i < nf; ++i) {
    const std::array<double, 3> key{ca.h[i], ca.t0[i], ca.t1[i]};
    auto it = std::find(seen.begin(), seen.end(), key);
    if (it == seen.end()) {
      ca.code[i] = int(seen.size());
      seen.push_back(key);
    } else {
      ca.code[i] = int(it - seen.begin());
    }
  }
  ca.ncodes = int(seen.size());
  return ca;
}

Projection project_child(const double* h, const double* tp) {
  Projection p;
  p.volume = h[0] * h[1] * h[2];
  elastic::projected_element(h, tp, p.kdev.data(), p.g.data());
  return p;
}

}  // namespace hphtsim::solvers::elasticity_detail
