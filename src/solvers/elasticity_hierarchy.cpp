// SPDX-License-Identifier: MIT
// The elasticity multigrid hierarchy (ElasticityMGPCG, elasticity_multigrid.cpp): the coarse
// grids, the Galerkin coarse operators P^T A P, the dense Cholesky of the coarsest one, and
// refresh() (construction and update()), which also re-estimates the smoothers' lambda_max and
// the fluid-region correction.
//
// Hierarchy. Each coarse grid keeps every other edge of the finer one along each axis (and the
// last edge when the cell count is odd, so the last coarse cell holds one fine cell), while the
// level has more than kCoarsestNodes nodes and some axis has at least 2 cells. The coarse Q1
// space is then a subspace of the fine one and the prolongation P is the trilinear
// interpolation of the coarse nodal values at the fine nodes (exact, graded grids included).
//
// Coarse operators are Galerkin, A_c = P^T A P, so coefficient jumps (melt to diamond: 1 to
// 1000 GPa) and near-incompressibility are inherited exactly rather than averaged. Level 1
// comes from the fine element matrices: for each coarse cell, the sum over its fine children of
// P_c^T (mu Kdev + K V g g^T) P_c, P_c the 24x24 interpolation from the coarse cell's corners to
// the child's; P_c^T Kdev P_c and P_c^T g depend only on the child's size and position, so they
// are computed once per distinct (size, position) when there are few (up to kMaxProjections),
// else per fine cell in their tensor-product form (elastic::projected_element, ~4k flops), and
// each coarse cell costs 8 scaled 24x24 sums. Coarse levels are stored assembled: per node its 3x3 diagonal block and the blocks to
// its 13 "forward" neighbours (the other 13 are their transposes, stored at the neighbour),
// 126 doubles a node. Levels 2.. are P^T A P of these stencils. Constraints: a fine prescribed
// dof interpolates only from coarse prescribed dofs of the same face, so the free-free block of
// P^T A P is the Galerkin product of the free-free block; prescribed rows and columns are then
// reset to the identity on every level.
//
// The coarsest level (<= kCoarsestNodes nodes) is solved by a dense Cholesky.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "elasticity_detail.hpp"
#include "hphtsim/core/error.hpp"

namespace hphtsim::solvers {

using namespace elasticity_detail;

namespace {

constexpr std::size_t kCoarsestNodes = 216;
/// Distinct (child size, child position) projections kept for level 1; beyond, computed per cell.
constexpr std::size_t kMaxProjections = 512;

}  // namespace

void ElasticityMGPCG::Impl::build_hierarchy() {
  const core::Grid& g = op->grid();
  levels.clear();
  levels.emplace_back();
  Level& L0 = levels.back();
  L0.nx = g.nx;
  L0.ny = g.ny;
  L0.nz = g.nz;
  L0.xe = g.x;
  L0.ye = g.y;
  L0.ze = g.z;
  for (;;) {
    Level& F = levels.back();
    F.nn = std::size_t(F.NX()) * std::size_t(F.NY()) * std::size_t(F.NZ());
    F.fixed.assign(F.nn, 0);
    const FaceConstraints fc = op->constraints();
    for (int k = 0; k < F.NZ(); ++k)
      for (int j = 0; j < F.NY(); ++j)
        for (int i = 0; i < F.NX(); ++i) {
          unsigned b = 0;
          if (i == 0) b |= fc[0];
          if (i == F.nx) b |= fc[1];
          if (j == 0) b |= fc[2];
          if (j == F.ny) b |= fc[3];
          if (k == 0) b |= fc[4];
          if (k == F.nz) b |= fc[5];
          F.fixed[F.node(i, j, k)] = (unsigned char)b;
        }
    for (auto* v : {&F.x, &F.b, &F.r, &F.d, &F.w}) v->assign(F.dofs(), 0.0);
    const bool can = F.nx >= 2 || F.ny >= 2 || F.nz >= 2;
    if (F.nn <= kCoarsestNodes || !can) break;
    Level C;
    // Axes with a single cell stay as they are (identity transfer).
    auto axis = [](const std::vector<double>& fe, std::vector<double>& ce) {
      if (fe.size() == 2) {
        AxisMap m;
        m.nf = m.nc = 1;
        m.coarse_edge = {0, 1};
        m.p0 = {0, 1};
        m.p1 = {0, 1};
        m.w0 = {1.0, 1.0};
        m.w1 = {0.0, 0.0};
        m.cs = {0, 1, 2};
        m.ch = {0, 1};
        m.chw = {1.0, 1.0};
        ce = fe;
        return m;
      }
      return make_axis(fe, ce);
    };
    F.mx = axis(F.xe, C.xe);
    F.my = axis(F.ye, C.ye);
    F.mz = axis(F.ze, C.ze);
    C.nx = int(C.xe.size()) - 1;
    C.ny = int(C.ye.size()) - 1;
    C.nz = int(C.ze.size()) - 1;
    levels.push_back(std::move(C));
  }
  for (std::size_t l = 1; l < levels.size(); ++l) levels[l].A.assign(std::size_t(kBlocks * kBlockSize) * levels[l].nn, 0.0);
  if (levels.size() > 1) {
    const Level& L0r = levels[0];
    std::vector<double> sx(std::size_t(L0r.nx)), sy(std::size_t(L0r.ny)), sz(std::size_t(L0r.nz));
    for (int i = 0; i < L0r.nx; ++i) sx[std::size_t(i)] = op->hx(i);
    for (int j = 0; j < L0r.ny; ++j) sy[std::size_t(j)] = op->hy(j);
    for (int k = 0; k < L0r.nz; ++k) sz[std::size_t(k)] = op->hz(k);
    cx = child_axis(L0r.mx, sx);
    cy = child_axis(L0r.my, sy);
    cz = child_axis(L0r.mz, sz);
    proj.clear();
    const std::size_t combos = std::size_t(cx.ncodes) * std::size_t(cy.ncodes) * std::size_t(cz.ncodes);
    if (combos <= kMaxProjections) {
      // One representative fine cell per code and axis.
      std::vector<int> rx(std::size_t(cx.ncodes)), ry(std::size_t(cy.ncodes)), rz(std::size_t(cz.ncodes));
      for (int i = L0r.nx - 1; i >= 0; --i) rx[std::size_t(cx.code[std::size_t(i)])] = i;
      for (int j = L0r.ny - 1; j >= 0; --j) ry[std::size_t(cy.code[std::size_t(j)])] = j;
      for (int k = L0r.nz - 1; k >= 0; --k) rz[std::size_t(cz.code[std::size_t(k)])] = k;
      proj.resize(combos);
      for (int c3 = 0; c3 < cz.ncodes; ++c3)
        for (int c2 = 0; c2 < cy.ncodes; ++c2)
          for (int c1 = 0; c1 < cx.ncodes; ++c1) {
            const int i = rx[std::size_t(c1)], j = ry[std::size_t(c2)], k = rz[std::size_t(c3)];
            proj[std::size_t(c1) + std::size_t(cx.ncodes) * (std::size_t(c2) + std::size_t(cy.ncodes) * std::size_t(c3))] =
                child_projection(i, j, k);
          }
    }
  }
}

Projection ElasticityMGPCG::Impl::child_projection(int i, int j, int k) const {
  const double tp[6] = {cx.t0[std::size_t(i)], cx.t1[std::size_t(i)], cy.t0[std::size_t(j)],
                        cy.t1[std::size_t(j)], cz.t0[std::size_t(k)], cz.t1[std::size_t(k)]};
  const double h[3] = {op->hx(i), op->hy(j), op->hz(k)};
  return project_child(h, tp);
}

/// Level 1 = P^T A0 P from the fine element matrices.
void ElasticityMGPCG::Impl::galerkin_from_elements() {
  const Level& F = levels[0];
  Level& C = levels[1];
  std::fill(C.A.begin(), C.A.end(), 0.0);
  const std::vector<double>& mu = op->shear();
  const std::vector<double>& kb = op->cell_bulk();
  const core::Grid& g = op->grid();
  for (int phase = 0; phase < 2; ++phase) {
#pragma omp parallel for schedule(static) if (C.parallel())
    for (int K = phase; K < C.nz; K += 2) {
      std::vector<double> KE(std::size_t(kDofs * kDofs));
      const std::unique_ptr<Projection> local = proj.empty() ? std::make_unique<Projection>() : nullptr;
      for (int J = 0; J < C.ny; ++J)
        for (int I = 0; I < C.nx; ++I) {
          std::fill(KE.begin(), KE.end(), 0.0);
          for (int k = F.mz.coarse_edge[std::size_t(K)]; k < F.mz.coarse_edge[std::size_t(K) + 1]; ++k)
            for (int j = F.my.coarse_edge[std::size_t(J)]; j < F.my.coarse_edge[std::size_t(J) + 1]; ++j)
              for (int i = F.mx.coarse_edge[std::size_t(I)]; i < F.mx.coarse_edge[std::size_t(I) + 1]; ++i) {
                const std::size_t c = g.index(i, j, k);
                const Projection* p;
                if (!proj.empty()) {
                  p = &proj[std::size_t(cx.code[std::size_t(i)]) +
                            std::size_t(cx.ncodes) * (std::size_t(cy.code[std::size_t(j)]) +
                                                      std::size_t(cy.ncodes) * std::size_t(cz.code[std::size_t(k)]))];
                } else {
                  *local = child_projection(i, j, k);
                  p = local.get();
                }
                const double m = mu[c], kv = kb[c] * p->volume;
                for (int col = 0; col < kDofs; ++col) {
                  const double gc = kv * p->g[std::size_t(col)];
                  const double* kd = p->kdev.data() + col * kDofs;
                  double* out = KE.data() + col * kDofs;
                  for (int r = 0; r < kDofs; ++r) out[r] += m * kd[r] + gc * p->g[std::size_t(r)];
                }
              }
          // Scatter into the nodal blocks: the pair (a, b) goes to node a's slot for b - a when
          // that offset is forward (or zero); backward pairs are the transposes stored at b.
          for (int a = 0; a < kNodes; ++a) {
            const int ai = a & 1, aj = (a >> 1) & 1, ak = (a >> 2) & 1;
            const std::size_t na = C.node(I + ai, J + aj, K + ak);
            double* An = C.A.data() + std::size_t(kBlocks * kBlockSize) * na;
            for (int b = 0; b < kNodes; ++b) {
              const int s = slot_of((b & 1) - ai, ((b >> 1) & 1) - aj, ((b >> 2) & 1) - ak);
              if (s < 0) continue;
              double* blk = An + kBlockSize * s;
              for (int r = 0; r < 3; ++r)
                for (int cc = 0; cc < 3; ++cc) blk[3 * r + cc] += KE[std::size_t((3 * b + cc) * kDofs + 3 * a + r)];
            }
          }
        }
    }
  }
  constrain_stencil(C);
}

/// Level l+1 = P^T A_l P for assembled levels.
void ElasticityMGPCG::Impl::galerkin_from_stencil(std::size_t l) {
  const Level& F = levels[l];
  Level& C = levels[l + 1];
  const int FNX = F.NX(), FNY = F.NY(), FNZ = F.NZ();
  const int CNX = C.NX(), CNY = C.NY(), CNZ = C.NZ();
  const double* A = F.A.data();
#pragma omp parallel for schedule(static) if (C.parallel())
  for (int K = 0; K < CNZ; ++K)
    for (int J = 0; J < CNY; ++J)
      for (int I = 0; I < CNX; ++I) {
        double* Ac = C.A.data() + std::size_t(kBlocks * kBlockSize) * C.node(I, J, K);
        std::fill(Ac, Ac + kBlocks * kBlockSize, 0.0);
        for (int ck = F.mz.cs[std::size_t(K)]; ck < F.mz.cs[std::size_t(K) + 1]; ++ck)
          for (int cj = F.my.cs[std::size_t(J)]; cj < F.my.cs[std::size_t(J) + 1]; ++cj)
            for (int ci = F.mx.cs[std::size_t(I)]; ci < F.mx.cs[std::size_t(I) + 1]; ++ci) {
              const int fi = F.mx.ch[std::size_t(ci)], fj = F.my.ch[std::size_t(cj)], fk = F.mz.ch[std::size_t(ck)];
              const double wf = F.mx.chw[std::size_t(ci)] * F.my.chw[std::size_t(cj)] * F.mz.chw[std::size_t(ck)];
              const std::size_t nf = F.node(fi, fj, fk);
              for (int dk = -1; dk <= 1; ++dk)
                for (int dj = -1; dj <= 1; ++dj)
                  for (int di = -1; di <= 1; ++di) {
                    const int gi = fi + di, gj = fj + dj, gk = fk + dk;
                    if (gi < 0 || gi >= FNX || gj < 0 || gj >= FNY || gk < 0 || gk >= FNZ) continue;
                    // Block A(f, g), row-major.
                    double B[9];
                    const int s = slot_of(di, dj, dk);
                    if (s >= 0) {
                      std::memcpy(B, A + std::size_t(kBlocks * kBlockSize) * nf + kBlockSize * s, sizeof B);
                    } else {
                      const double* T = A + std::size_t(kBlocks * kBlockSize) * F.node(gi, gj, gk) +
                                        kBlockSize * slot_of(-di, -dj, -dk);
                      for (int r = 0; r < 3; ++r)
                        for (int c = 0; c < 3; ++c) B[3 * r + c] = T[3 * c + r];
                    }
                    // Coarse parents of g.
                    for_each_parent(F, gi, gj, gk, [&](int pi, int pj, int pk, double wx, double wy, double wz) {
                      const int oi = pi - I, oj = pj - J, ok = pk - K;
                      if (oi < -1 || oi > 1 || oj < -1 || oj > 1 || ok < -1 || ok > 1) return;
                      const int slot = slot_of(oi, oj, ok);
                      if (slot < 0) return;
                      const double w = wf * wx * wy * wz;
                      double* out = Ac + kBlockSize * slot;
                      for (int e = 0; e < 9; ++e) out[e] += w * B[e];
                    });
                  }
            }
      }
  constrain_stencil(C);
}

void ElasticityMGPCG::Impl::refresh() {
  // Fine diagonal blocks.
  Level& L0 = levels[0];
  std::vector<double> d;
  op->diagonal_blocks(d);
  L0.dinv.assign(d.size(), 0.0);
  for (std::size_t n = 0; n < L0.nn; ++n) elastic::invert3(d.data() + 9 * n, L0.dinv.data() + 9 * n);
  if (levels.size() > 1) galerkin_from_elements();
  for (std::size_t l = 1; l + 1 < levels.size(); ++l) galerkin_from_stencil(l);
  for (std::size_t l = 1; l < levels.size(); ++l) stencil_dinv(levels[l]);
  for (std::size_t l = 0; l + 1 < levels.size(); ++l) levels[l].lmax = estimate_lmax(l);
  // Coarsest: dense Cholesky.
  const Level& Lc = levels.back();
  if (levels.size() == 1) {
    // Single level: assemble densely from the matrix-free operator (small grids only).
    const std::size_t n = Lc.dofs();
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(Eigen::Index(n), Eigen::Index(n));
    std::vector<double> e(n, 0.0), y(n);
    for (std::size_t c = 0; c < n; ++c) {
      e[c] = 1.0;
      op->apply_elements(e.data(), y.data());
      e[c] = 0.0;
      for (std::size_t r = 0; r < n; ++r) M(Eigen::Index(r), Eigen::Index(c)) = y[r];
    }
    coarse.compute(0.5 * (M + M.transpose()));
  } else {
    const std::size_t n = Lc.dofs();
    Eigen::MatrixXd M = Eigen::MatrixXd::Zero(Eigen::Index(n), Eigen::Index(n));
    for (int k = 0; k < Lc.NZ(); ++k)
      for (int j = 0; j < Lc.NY(); ++j)
        for (int i = 0; i < Lc.NX(); ++i) {
          const std::size_t a = Lc.node(i, j, k);
          for (int s = 0; s < kBlocks; ++s) {
            const int fi = i + kOff[s].di, fj = j + kOff[s].dj, fk = k + kOff[s].dk;
            if (fi < 0 || fi >= Lc.NX() || fj < 0 || fj >= Lc.NY() || fk >= Lc.NZ()) continue;
            const std::size_t b = Lc.node(fi, fj, fk);
            const double* blk = Lc.A.data() + std::size_t(kBlocks * kBlockSize) * a + kBlockSize * s;
            for (int r = 0; r < 3; ++r)
              for (int c = 0; c < 3; ++c) {
                M(Eigen::Index(3 * a + std::size_t(r)), Eigen::Index(3 * b + std::size_t(c))) = blk[3 * r + c];
                if (s != 0) M(Eigen::Index(3 * b + std::size_t(c)), Eigen::Index(3 * a + std::size_t(r))) = blk[3 * r + c];
              }
          }
        }
    coarse.compute(M);
  }
  if (coarse.info() != Eigen::Success)
    throw SolverError("elasticity multigrid: the coarsest operator is not positive definite (rigid-body modes not "
                      "removed by the constraints?)");
  prepare_regions();
}

}  // namespace hphtsim::solvers
