// SPDX-License-Identifier: MIT
#include "hphtsim/solvers/axisymmetric_elasticity.hpp"

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <Eigen/SparseCholesky>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numeric>

#include "hphtsim/core/error.hpp"

namespace hphtsim::solvers {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kDofs = 8;  // 4 nodes x (u_r, u_z); node a = a1 + 2 a2 (a1: r low/high, a2: z low/high)
using Element = std::array<double, kDofs * kDofs>;  // column-major
using Divergence = std::array<double, kDofs>;

/// Kdev (unit shear modulus: 2 integral of B^T P B dV, |dev eps|^2 = eps^T P eps with the
/// engineering shear gamma_rz), the mean divergence g and the volume of the ring element
/// [r0, r0 + hr] x [z0, z0 + hz] over the whole revolution.
void ring_element(double r0, double hr, double hz, Element& kdev, Divergence& g, double& volume) {
  const double gp[2] = {0.5 - 0.28867513459481288225, 0.5 + 0.28867513459481288225};
  kdev.fill(0.0);
  g.fill(0.0);
  volume = 0.0;
  for (int q = 0; q < 4; ++q) {
    const double xi = gp[q & 1], eta = gp[q >> 1];
    const double r = r0 + xi * hr;
    const double w = 2.0 * M_PI * r * hr * hz * 0.25;
    // B rows: eps_rr, eps_zz, eps_tt (hoop), gamma_rz.
    double B[4][kDofs] = {};
    for (int a = 0; a < 4; ++a) {
      const int a1 = a & 1, a2 = a >> 1;
      const double Nr = a1 ? xi : 1.0 - xi, Nz = a2 ? eta : 1.0 - eta;
      const double dNr = (a1 ? 1.0 : -1.0) / hr * Nz, dNz = Nr * (a2 ? 1.0 : -1.0) / hz;
      B[0][2 * a] = dNr;
      B[1][2 * a + 1] = dNz;
      B[2][2 * a] = Nr * Nz / r;
      B[3][2 * a] = dNz;
      B[3][2 * a + 1] = dNr;
    }
    for (int m = 0; m < kDofs; ++m) g[std::size_t(m)] += w * (B[0][m] + B[1][m] + B[2][m]);
    volume += w;
    for (int m = 0; m < kDofs; ++m)
      for (int n = 0; n < kDofs; ++n) {
        // eps^T P eps = sum of the normal parts squared - tr^2 / 3 + gamma^2 / 2.
        const double tr_m = B[0][m] + B[1][m] + B[2][m], tr_n = B[0][n] + B[1][n] + B[2][n];
        const double normal = B[0][m] * B[0][n] + B[1][m] * B[1][n] + B[2][m] * B[2][n] - tr_m * tr_n / 3.0;
        kdev[std::size_t(m + kDofs * n)] += 2.0 * w * (normal + 0.5 * B[3][m] * B[3][n]);
      }
  }
  for (double& v : g) v /= volume;
}

}  // namespace

struct AxisymmetricElasticity::Impl {
  int nr = 0, nz = 0;
  std::size_t ndof = 0;
  std::vector<unsigned char> fixed;   // per dof
  std::vector<int> free_index;        // per dof: index among the free dofs, -1 if prescribed
  std::vector<Element> kdev;          // per cell
  std::vector<Divergence> g;          // per cell
  std::vector<double> volume;         // per cell
  std::vector<double> mu, bulk, kvol; // per cell; kvol = bulk, 0 in fluid cells
  std::vector<int> cell_region;
  std::vector<FluidRegion> regions;
  Eigen::SparseMatrix<double> A;      // element part, all dofs
  Eigen::SparseMatrix<double> Aff;    // element part, free dofs
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> ldlt;  // of Aff at the last factorisation
  Eigen::MatrixXd G;                  // free dofs x regions, current
  Eigen::VectorXd D;                  // K_R / V_R per region, current
  // The factorisation's own Woodbury terms (its regions): P^-1 = (Aff + Gp Dp Gp^T)^-1 exactly
  // for the moduli it was made with, a preconditioner after they change.
  Eigen::MatrixXd Gp, Yp, Sp_inv;     // Gp, Aff^-1 Gp, (Dp^-1 + Gp^T Yp)^-1
  bool factored = false, analysed = false;
  bool fresh = false;                 // the factorisation is of the current moduli
  std::vector<unsigned char> fluid_in;  // the flags of the last set_moduli
  AxisymmetricElasticity::Factorised factorised;

  std::array<std::size_t, kDofs> dofs(int i, int k) const {
    const std::size_t n0 = std::size_t(i) + std::size_t(nr + 1) * std::size_t(k);
    const std::size_t o[4] = {n0, n0 + 1, n0 + std::size_t(nr + 1), n0 + std::size_t(nr + 2)};
    std::array<std::size_t, kDofs> d{};
    for (int a = 0; a < 4; ++a) {
      d[std::size_t(2 * a)] = 2 * o[a];
      d[std::size_t(2 * a + 1)] = 2 * o[a] + 1;
    }
    return d;
  }
  /// Sum over the fluid regions of (K_R / V_R) G_R (G_R . u), added to y.
  void add_regions(const double* u, double* y) const {
    for (const auto& R : regions) {
      double t = 0.0;
      for (std::size_t q = 0; q < R.dofs.size(); ++q) t += R.g[q] * u[R.dofs[q]];
      const double s = R.bulk / R.volume * t;
      for (std::size_t q = 0; q < R.dofs.size(); ++q) y[R.dofs[q]] += s * R.g[q];
    }
  }
};

AxisymmetricElasticity::AxisymmetricElasticity(const core::Grid& grid) : grid_(grid), impl_(std::make_unique<Impl>()) {
  HPHTSIM_CHECK(grid.is_cylindrical() && grid.ny == 1, "axisymmetric elasticity needs a cylindrical (r, z) grid");
  Impl& m = *impl_;
  m.nr = grid.nx;
  m.nz = grid.nz;
  m.ndof = 2 * std::size_t(m.nr + 1) * std::size_t(m.nz + 1);
  m.fixed.assign(m.ndof, 0);
  for (int k = 0; k <= m.nz; ++k)
    for (int i = 0; i <= m.nr; ++i) {
      const std::size_t n = node(i, k);
      if (i == 0 || i == m.nr) m.fixed[2 * n] = 1;      // the axis (symmetry) and the mantle wall
      if (k == 0 || k == m.nz) m.fixed[2 * n + 1] = 1;  // the end walls
    }
  m.free_index.assign(m.ndof, -1);
  int nf = 0;
  for (std::size_t d = 0; d < m.ndof; ++d)
    if (!m.fixed[d]) m.free_index[d] = nf++;
  const std::size_t n = grid.size();
  m.kdev.resize(n);
  m.g.resize(n);
  m.volume.resize(n);
  for (int k = 0; k < m.nz; ++k)
    for (int i = 0; i < m.nr; ++i) {
      const std::size_t c = grid.index(i, 0, k);
      ring_element(grid.x[std::size_t(i)], grid.dx(i), grid.dz(k), m.kdev[c], m.g[c], m.volume[c]);
    }
}

AxisymmetricElasticity::~AxisymmetricElasticity() = default;
AxisymmetricElasticity::AxisymmetricElasticity(AxisymmetricElasticity&&) noexcept = default;
AxisymmetricElasticity& AxisymmetricElasticity::operator=(AxisymmetricElasticity&&) noexcept = default;

std::size_t AxisymmetricElasticity::num_dofs() const { return impl_->ndof; }
bool AxisymmetricElasticity::fixed(std::size_t dof) const { return impl_->fixed[dof] != 0; }
const std::vector<FluidRegion>& AxisymmetricElasticity::fluid_regions() const { return impl_->regions; }

void AxisymmetricElasticity::set_moduli(const std::vector<double>& shear, const std::vector<double>& bulk,
                                        const std::vector<unsigned char>* fluid) {
  Impl& m = *impl_;
  const std::size_t n = grid_.size();
  HPHTSIM_CHECK(shear.size() == n && bulk.size() == n && (!fluid || fluid->size() == n), "axisymmetric elasticity: moduli sizes");
  m.mu = shear;
  m.bulk = bulk;
  m.kvol = bulk;
  if (fluid) m.fluid_in = *fluid;
  else m.fluid_in.assign(n, 0);
  // Fluid regions: face-connected sets of fluid cells, the largest kMaxFluidRegions kept.
  m.cell_region.assign(n, -1);
  m.regions.clear();
  if (fluid) {
    std::vector<std::vector<std::size_t>> sets = core::face_connected_sets(grid_, *fluid);
    std::vector<std::size_t> order(sets.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sets[a].size() > sets[b].size(); });
    for (std::size_t r = 0; r < order.size() && r < ElasticOperator::kMaxFluidRegions; ++r) {
      FluidRegion R;
      R.cells = sets[order[r]];  // ascending
      double compliance = 0.0;
      std::vector<double> gd(m.ndof, 0.0);
      std::vector<unsigned char> touched(m.ndof, 0);
      for (std::size_t c : R.cells) {
        R.volume += m.volume[c];
        compliance += m.volume[c] / bulk[c];
        m.kvol[c] = 0.0;
        m.cell_region[c] = int(r);
        const int i = int(c % std::size_t(m.nr)), k = int(c / std::size_t(m.nr));
        const auto d = m.dofs(i, k);
        for (int q = 0; q < kDofs; ++q) {
          gd[d[std::size_t(q)]] += m.volume[c] * m.g[c][std::size_t(q)];
          touched[d[std::size_t(q)]] = 1;
        }
      }
      R.bulk = R.volume / compliance;
      for (std::size_t d = 0; d < m.ndof; ++d)
        if (touched[d]) {
          R.dofs.push_back(d);
          R.g.push_back(gd[d]);
        }
      m.regions.push_back(std::move(R));
    }
  }
  // Assemble the element part over all dofs and over the free ones.
  std::vector<Eigen::Triplet<double>> all, free;
  all.reserve(grid_.size() * kDofs * kDofs);
  free.reserve(grid_.size() * kDofs * kDofs);
  for (int k = 0; k < m.nz; ++k)
    for (int i = 0; i < m.nr; ++i) {
      const std::size_t c = grid_.index(i, 0, k);
      const auto d = m.dofs(i, k);
      for (int b = 0; b < kDofs; ++b)
        for (int a = 0; a < kDofs; ++a) {
          const double v = m.mu[c] * m.kdev[c][std::size_t(a + kDofs * b)] +
                           m.kvol[c] * m.volume[c] * m.g[c][std::size_t(a)] * m.g[c][std::size_t(b)];
          const std::size_t da = d[std::size_t(a)], db = d[std::size_t(b)];
          all.emplace_back(int(da), int(db), v);
          if (m.free_index[da] >= 0 && m.free_index[db] >= 0) free.emplace_back(m.free_index[da], m.free_index[db], v);
        }
    }
  const int nf = int(std::count_if(m.free_index.begin(), m.free_index.end(), [](int v) { return v >= 0; }));
  m.A.resize(int(m.ndof), int(m.ndof));
  m.A.setFromTriplets(all.begin(), all.end());
  m.Aff.resize(nf, nf);
  m.Aff.setFromTriplets(free.begin(), free.end());
  const int nreg = int(m.regions.size());
  m.G = Eigen::MatrixXd::Zero(nf, nreg);
  m.D.resize(nreg);
  for (int r = 0; r < nreg; ++r) {
    const auto& R = m.regions[std::size_t(r)];
    m.D(r) = R.bulk / R.volume;
    for (std::size_t q = 0; q < R.dofs.size(); ++q)
      if (m.free_index[R.dofs[q]] >= 0) m.G(m.free_index[R.dofs[q]], r) = R.g[q];
  }
  // Refactorise only when the old factorisation stopped being a good preconditioner: moduli
  // that follow the temperature and a melt whose extent moves change the matrix a little at
  // each pressure update, and a few PCG iterations on the old factors cost less than a new
  // factorisation (0.3 s at 128 x 256).
  // The factorisation is exact for these moduli if they are the ones it was made with.
  m.fresh = m.factored && m.mu == m.factorised.shear && m.bulk == m.factorised.bulk && m.fluid_in == m.factorised.fluid;
  if (!m.factored) refactorise();
}

void AxisymmetricElasticity::refactorise() {
  Impl& m = *impl_;
  // The sparsity pattern is the grid's: its ordering (AMD) and symbolic factorisation are
  // done once, later moduli only refactorise numerically.
  if (!m.analysed) {
    m.ldlt.analyzePattern(m.Aff);
    m.analysed = true;
  }
  m.ldlt.factorize(m.Aff);
  if (m.ldlt.info() != Eigen::Success)
    throw SolverError("axisymmetric elasticity: the stiffness matrix is not positive definite (check the moduli)");
  m.Gp = m.G;
  if (m.G.cols() > 0) {
    m.Yp = m.ldlt.solve(m.Gp);
    Eigen::MatrixXd S = m.Gp.transpose() * m.Yp;
    for (Eigen::Index r = 0; r < m.D.size(); ++r) S(r, r) += 1.0 / m.D(r);
    m.Sp_inv = S.inverse();
  }
  m.factored = m.fresh = true;
  m.factorised = {m.mu, m.bulk, m.fluid_in};
}

const AxisymmetricElasticity::Factorised& AxisymmetricElasticity::factorised() const { return impl_->factorised; }

void AxisymmetricElasticity::apply(const double* u, double* y) const {
  const Impl& m = *impl_;
  Eigen::Map<const Eigen::VectorXd> uu(u, Eigen::Index(m.ndof));
  Eigen::Map<Eigen::VectorXd> yy(y, Eigen::Index(m.ndof));
  yy = m.A * uu;
  m.add_regions(u, y);
}

SolveStats AxisymmetricElasticity::solve(const std::vector<double>& f, std::vector<double>& u,
                                         const SolveOptions& opts) {
  Impl& m = *impl_;
  HPHTSIM_CHECK(m.factored, "axisymmetric elasticity: solve before set_moduli");
  HPHTSIM_CHECK(f.size() == m.ndof && u.size() == m.ndof, "axisymmetric elasticity: vector sizes");
  const auto t0 = Clock::now();
  // Lifting: r = f - A u_p, u_p = u with its free values zeroed.
  std::vector<double> up(m.ndof, 0.0), r(m.ndof);
  for (std::size_t d = 0; d < m.ndof; ++d)
    if (m.fixed[d]) up[d] = u[d];
  apply(up.data(), r.data());
  double ref = 0.0;
  for (std::size_t d = 0; d < m.ndof; ++d) {
    r[d] = f[d] - r[d];
    ref += r[d] * r[d];
  }
  ref = std::sqrt(ref);
  const Eigen::Index nf = m.Aff.rows();
  Eigen::VectorXd b(nf);
  for (std::size_t d = 0; d < m.ndof; ++d)
    if (m.free_index[d] >= 0) b(m.free_index[d]) = r[d];
  auto precondition = [&](const Eigen::VectorXd& v) {
    Eigen::VectorXd z = m.ldlt.solve(v);
    if (m.Gp.cols() > 0) z -= m.Yp * (m.Sp_inv * (m.Gp.transpose() * z));
    return z;
  };
  Eigen::VectorXd x(nf);
  for (std::size_t d = 0; d < m.ndof; ++d)
    if (m.free_index[d] >= 0) x(m.free_index[d]) = u[d];  // the warm start
  int iterations = 1;
  bool converged = false;
  if (!m.fresh) {
    // PCG on Aff + G D G^T for the correction to the warm start, preconditioned by the last
    // factorisation, at most kRefactorIterations iterations.
    auto op = [&](const Eigen::VectorXd& v) -> Eigen::VectorXd {
      Eigen::VectorXd y = m.Aff * v;
      if (m.G.cols() > 0) y += m.G * (m.D.asDiagonal() * (m.G.transpose() * v));
      return y;
    };
    Eigen::VectorXd res = b - op(x), z = precondition(res), dir = z;
    double rz = res.dot(z);
    const double bnorm = b.norm(), tol = opts.rel_tol * (bnorm > 0.0 ? bnorm : 1.0);
    iterations = 0;
    converged = res.norm() <= tol;
    while (!converged && iterations < kRefactorIterations) {
      const Eigen::VectorXd q = op(dir);
      const double alpha = rz / dir.dot(q);
      x += alpha * dir;
      res -= alpha * q;
      z = precondition(res);
      const double rz_new = res.dot(z);
      dir = z + (rz_new / rz) * dir;
      rz = rz_new;
      ++iterations;
      converged = res.norm() <= tol;
    }
    if (!converged) refactorise();  // then solved directly below
  }
  if (!converged) {
    x = precondition(b);  // exact: the factorisation is of this operator
    iterations += 1;
  }
  for (std::size_t d = 0; d < m.ndof; ++d) u[d] = m.free_index[d] >= 0 ? x(m.free_index[d]) : up[d];
  // The residual on the free dofs, for the record.
  std::vector<double> Au(m.ndof);
  apply(u.data(), Au.data());
  double res = 0.0;
  for (std::size_t d = 0; d < m.ndof; ++d)
    if (!m.fixed[d]) res += (f[d] - Au[d]) * (f[d] - Au[d]);
  SolveStats st;
  st.iterations = iterations;
  st.rel_residual = ref > 0.0 ? std::sqrt(res) / ref : 0.0;
  st.solve_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return st;
}

void AxisymmetricElasticity::add_eigenstrain_load(const double* e, double* f) const {
  const Impl& m = *impl_;
  for (int k = 0; k < m.nz; ++k)
    for (int i = 0; i < m.nr; ++i) {
      const std::size_t c = grid_.index(i, 0, k);
      if (m.kvol[c] == 0.0 || e[c] == 0.0) continue;
      const auto d = m.dofs(i, k);
      const double s = m.kvol[c] * e[c] * m.volume[c];
      for (int q = 0; q < kDofs; ++q) f[d[std::size_t(q)]] += s * m.g[c][std::size_t(q)];
    }
  for (const auto& R : m.regions) {
    double eR = 0.0;
    for (std::size_t c : R.cells) eR += m.volume[c] * e[c];
    eR /= R.volume;
    for (std::size_t q = 0; q < R.dofs.size(); ++q) f[R.dofs[q]] += R.bulk * eR * R.g[q];
  }
}

void AxisymmetricElasticity::cell_pressure(const double* u, const double* e, double* p) const {
  const Impl& m = *impl_;
  for (int k = 0; k < m.nz; ++k)
    for (int i = 0; i < m.nr; ++i) {
      const std::size_t c = grid_.index(i, 0, k);
      if (m.cell_region[c] >= 0) continue;
      const auto d = m.dofs(i, k);
      double theta = 0.0;
      for (int q = 0; q < kDofs; ++q) theta += m.g[c][std::size_t(q)] * u[d[std::size_t(q)]];
      p[c] = m.bulk[c] * ((e ? e[c] : 0.0) - theta);
    }
  for (const auto& R : m.regions) {
    double theta = 0.0, eR = 0.0;
    for (std::size_t q = 0; q < R.dofs.size(); ++q) theta += R.g[q] * u[R.dofs[q]];
    theta /= R.volume;
    if (e)
      for (std::size_t c : R.cells) eR += m.volume[c] * e[c];
    eR /= R.volume;
    for (std::size_t c : R.cells) p[c] = R.bulk * (eR - theta);
  }
}

void AxisymmetricElasticity::unit_compression(std::vector<double>& u) const {
  const Impl& m = *impl_;
  u.assign(m.ndof, 0.0);
  const double R = grid_.x.back(), cz = 0.5 * (grid_.z.front() + grid_.z.back()), lz = grid_.z.back() - grid_.z.front();
  for (int k = 0; k <= m.nz; ++k)
    for (int i = 0; i <= m.nr; ++i) {
      const std::size_t n = node(i, k);
      u[2 * n] = -grid_.x[std::size_t(i)] / R;
      u[2 * n + 1] = -2.0 * (grid_.z[std::size_t(k)] - cz) / lz;
    }
}

void AxisymmetricElasticity::cell_centre_values(const double* u, std::vector<double>& ur, std::vector<double>& uz) const {
  const Impl& m = *impl_;
  ur.assign(grid_.size(), 0.0);
  uz.assign(grid_.size(), 0.0);
  for (int k = 0; k < m.nz; ++k)
    for (int i = 0; i < m.nr; ++i) {
      const std::size_t c = grid_.index(i, 0, k);
      const auto d = m.dofs(i, k);
      for (int a = 0; a < 4; ++a) {
        ur[c] += 0.25 * u[d[std::size_t(2 * a)]];
        uz[c] += 0.25 * u[d[std::size_t(2 * a + 1)]];
      }
    }
}

}  // namespace hphtsim::solvers
