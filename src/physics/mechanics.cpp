// SPDX-License-Identifier: MIT
#include "hphtsim/physics/mechanics.hpp"

#include <chrono>
#include <cmath>
#include <sstream>

#include "hphtsim/core/error.hpp"

namespace hphtsim::physics {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

ElasticModuli melt_moduli(double bulk_modulus, double shear_fraction) {
  HPHTSIM_CHECK(bulk_modulus > 0.0 && shear_fraction > 0.0 && shear_fraction < 1.5,
                "melt_moduli: need K > 0 and 0 < shear_fraction < 1.5");
  const double K = bulk_modulus, mu = shear_fraction * bulk_modulus;
  // E = 9 K mu / (3 K + mu), nu = (3 K - 2 mu) / (2 (3 K + mu)).
  return {9.0 * K * mu / (3.0 * K + mu), (3.0 * K - 2.0 * mu) / (2.0 * (3.0 * K + mu))};
}

Mechanics::Mechanics(const core::Grid& grid) : grid_(grid) {
  // In (r, z) the four side anvils are the mantle wall and the axis is a symmetry line
  // (solvers/axisymmetric_elasticity.hpp); in 3-D six frictionless walls.
  if (grid_.is_cylindrical()) ring_ = std::make_unique<solvers::AxisymmetricElasticity>(grid_);
  else op_ = std::make_unique<solvers::ElasticOperator>(grid_, solvers::kNormalWalls);
}
Mechanics::~Mechanics() = default;
Mechanics::Mechanics(Mechanics&&) noexcept = default;
Mechanics& Mechanics::operator=(Mechanics&&) noexcept = default;

int Mechanics::multigrid_levels() const { return mg_ ? mg_->levels() : (ring_ && moduli_set_ ? 1 : 0); }

const solvers::ElasticOperator& Mechanics::op() const {
  HPHTSIM_CHECK(op_, "mechanics: the 3-D operator of an axisymmetric cell was asked for");
  return *op_;
}

std::size_t Mechanics::num_dofs() const { return ring_ ? ring_->num_dofs() : op_->num_dofs(); }

solvers::SolveStats Mechanics::solve_system(const std::vector<double>& f, std::vector<double>& u,
                                            const solvers::SolveOptions& opts) {
  return ring_ ? ring_->solve(f, u, opts) : mg_->solve(f, u, opts);
}

void Mechanics::cell_pressures(const std::vector<double>& u, const std::vector<double>* e, std::vector<double>& p) const {
  p.resize(grid_.size());
  const double* ep = e ? e->data() : nullptr;
  if (ring_) ring_->cell_pressure(u.data(), ep, p.data());
  else op_->cell_pressure(u.data(), ep, p.data());
}

void Mechanics::set_material(const MechanicsInput& in) {
  const std::size_t n = grid_.size();
  HPHTSIM_CHECK(in.youngs_modulus && in.poisson_ratio, "mechanics: Young's modulus and Poisson's ratio are required");
  HPHTSIM_CHECK(in.youngs_modulus->size() == n && in.poisson_ratio->size() == n &&
                    (!in.eigenstrain || in.eigenstrain->size() == n) && (!in.fluid || in.fluid->size() == n),
                "mechanics: per-cell inputs need " << n << " entries");
  std::vector<double> mu(n), kb(n);
  for (std::size_t c = 0; c < n; ++c) {
    const double E = (*in.youngs_modulus)[c], nu = (*in.poisson_ratio)[c];
    if (!(E > 0.0) || !std::isfinite(E) || !(nu > -1.0) || !(nu < 0.5)) {
      std::ostringstream os;
      os << "cell " << c << ": youngs_modulus " << E << " Pa and poisson_ratio " << nu
         << " are not an elastic solid (need E > 0 and -1 < nu < 0.5; a melt is nu just below 0.5, see melt_moduli)";
      throw ConfigError("materials", os.str());
    }
    mu[c] = shear_modulus(E, nu);
    kb[c] = bulk_modulus(E, nu);
  }
  E_in_ = *in.youngs_modulus;
  nu_in_ = *in.poisson_ratio;
  std::vector<unsigned char> fluid(n, 0);
  if (in.fluid)
    for (std::size_t c = 0; c < n; ++c) fluid[c] = (*in.fluid)[c] != 0;
  const bool changed = !moduli_set_ || mu != mu_ || kb != kb_ || fluid != fluid_;
  if (changed) {
    mu_ = std::move(mu);
    kb_ = std::move(kb);
    fluid_ = std::move(fluid);
    if (ring_) {
      ring_->set_moduli(mu_, kb_, &fluid_);  // assembles and factorises
    } else {
      op_->set_moduli(mu_, kb_, &fluid_);
      if (mg_)
        mg_->update();
      else
        mg_ = std::make_unique<solvers::ElasticityMGPCG>(*op_);
    }
    moduli_set_ = true;
  }
  has_eig_ = false;
  eig_.assign(n, 0.0);
  if (in.eigenstrain) {
    for (std::size_t c = 0; c < n; ++c) {
      const double e = (*in.eigenstrain)[c];
      HPHTSIM_CHECK(std::isfinite(e), "mechanics: eigenstrain of cell " << c << " is not finite");
      eig_[c] = e;
      has_eig_ = has_eig_ || e != 0.0;
    }
  }
}

void Mechanics::solve_parts(const solvers::SolveOptions& opts, MechanicsResult& res) {
  const std::size_t nd = num_dofs();
  const double cx = 0.5 * (grid_.x.front() + grid_.x.back()), lx = grid_.x.back() - grid_.x.front();
  const double cy = 0.5 * (grid_.y.front() + grid_.y.back()), ly = grid_.y.back() - grid_.y.front();
  const double cz = 0.5 * (grid_.z.front() + grid_.z.back()), lz = grid_.z.back() - grid_.z.front();
  // Unit part: each wall moves inward by 1 m. The homogeneous solution (uniform compression,
  // u_c = -2 (x_c - centre_c) / L_c; u_r = -r / R in (r, z)) is the first guess and supplies
  // the prescribed values.
  if (u_unit_.size() != nd && ring_) ring_->unit_compression(u_unit_);
  if (u_unit_.size() != nd) {
    u_unit_.assign(nd, 0.0);
    for (int k = 0; k <= grid_.nz; ++k)
      for (int j = 0; j <= grid_.ny; ++j)
        for (int i = 0; i <= grid_.nx; ++i) {
          const std::size_t d = 3 * op_->node(i, j, k);
          u_unit_[d] = -2.0 * (grid_.x[std::size_t(i)] - cx) / lx;
          u_unit_[d + 1] = -2.0 * (grid_.y[std::size_t(j)] - cy) / ly;
          u_unit_[d + 2] = -2.0 * (grid_.z[std::size_t(k)] - cz) / lz;
        }
  }
  f_.assign(nd, 0.0);
  const solvers::SolveStats su = solve_system(f_, u_unit_, opts);
  res.iterations_unit = su.iterations;
  // Free part: eigenstrain with the walls held.
  if (u_free_.size() != nd) u_free_.assign(nd, 0.0);
  solvers::SolveStats sf;
  if (has_eig_) {
    if (ring_) ring_->add_eigenstrain_load(eig_.data(), f_.data());
    else op_->add_eigenstrain_load(eig_.data(), f_.data());
    sf = solve_system(f_, u_free_, opts);
  } else {
    std::fill(u_free_.begin(), u_free_.end(), 0.0);
  }
  res.iterations_free = sf.iterations;
  res.iterations = su.iterations + sf.iterations;
  res.rel_residual = std::max(su.rel_residual, sf.rel_residual);
  cell_pressures(u_unit_, nullptr, p_unit_);
  cell_pressures(u_free_, &eig_, p_free_);
  solved_ = true;
}

bool Mechanics::needs_update(const MechanicsInput& in, double pressure_tolerance) const {
  if (!solved_) return true;
  const std::size_t n = grid_.size();
  HPHTSIM_CHECK(in.youngs_modulus && in.poisson_ratio && in.youngs_modulus->size() == n && in.poisson_ratio->size() == n,
                "mechanics: per-cell inputs need " << n << " entries");
  const auto& E = *in.youngs_modulus;
  const auto& nu = *in.poisson_ratio;
  int stale = 0;
#pragma omp parallel for schedule(static) reduction(| : stale)
  for (std::size_t c = 0; c < n; ++c) {
    const bool fluid = in.fluid && (*in.fluid)[c] != 0;
    const double e = in.eigenstrain ? (*in.eigenstrain)[c] : 0.0;
    if (fluid != (fluid_[c] != 0) || std::abs(E[c] - E_in_[c]) > 1e-2 * E_in_[c] || std::abs(nu[c] - nu_in_[c]) > 1e-3 ||
        kb_[c] * std::abs(e - eig_[c]) > pressure_tolerance)
      stale |= 1;
  }
  return stale != 0;
}

MechanicsState Mechanics::state() const {
  MechanicsState s;
  if (!solved_) return s;
  s.youngs_modulus = E_in_;
  s.poisson_ratio = nu_in_;
  s.eigenstrain = eig_;
  s.fluid.assign(fluid_.begin(), fluid_.end());
  s.u_unit = u_unit_;
  s.u_free = u_free_;
  if (ring_) {
    const auto& f = ring_->factorised();
    s.factor_shear = f.shear;
    s.factor_bulk = f.bulk;
    s.factor_fluid.assign(f.fluid.begin(), f.fluid.end());
  }
  return s;
}

void Mechanics::restore(const MechanicsState& s) {
  const std::size_t n = grid_.size();
  if (s.empty()) return;
  HPHTSIM_CHECK(s.youngs_modulus.size() == n && s.poisson_ratio.size() == n && s.eigenstrain.size() == n &&
                    s.fluid.size() == n && s.u_unit.size() == num_dofs() && s.u_free.size() == num_dofs(),
                "mechanics: the saved state does not match this grid");
  std::vector<unsigned char> fluid(n);
  for (std::size_t c = 0; c < n; ++c) fluid[c] = s.fluid[c] != 0.0;
  MechanicsInput in{&s.youngs_modulus, &s.poisson_ratio, &s.eigenstrain, &fluid};
  if (ring_ && s.factor_shear.size() == n && s.factor_bulk.size() == n && s.factor_fluid.size() == n) {
    // The factorisation the uninterrupted run was solving with, then the current moduli.
    std::vector<unsigned char> factor_fluid(n);
    for (std::size_t c = 0; c < n; ++c) factor_fluid[c] = s.factor_fluid[c] != 0.0;
    ring_->set_moduli(s.factor_shear, s.factor_bulk, &factor_fluid);
    moduli_set_ = false;  // set_material below sets the current ones
  }
  set_material(in);
  u_unit_ = s.u_unit;
  u_free_ = s.u_free;
  cell_pressures(u_unit_, nullptr, p_unit_);
  cell_pressures(u_free_, &eig_, p_free_);
  solved_ = true;
}

MechanicsResult Mechanics::solve(const MechanicsInput& in, double delta, std::vector<double>& p,
                                 const solvers::SolveOptions& opts) {
  HPHTSIM_CHECK(std::isfinite(delta), "mechanics: wall displacement must be finite");
  const auto t0 = Clock::now();
  MechanicsResult res;
  set_material(in);
  solve_parts(opts, res);
  res.delta = delta;
  pressure(delta, p);
  res.mean_pressure = mean_over(p, {});
  res.solve_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return res;
}

MechanicsResult Mechanics::solve_for_mean_pressure(const MechanicsInput& in, double target,
                                                   const std::vector<unsigned char>& mask, std::vector<double>& p,
                                                   const solvers::SolveOptions& opts) {
  HPHTSIM_CHECK(std::isfinite(target), "mechanics: target pressure must be finite");
  const auto t0 = Clock::now();
  MechanicsResult res;
  set_material(in);
  solve_parts(opts, res);
  res.delta = delta_for_mean_pressure(target, mask);
  pressure(res.delta, p);
  res.mean_pressure = mean_over(p, mask);
  res.solve_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return res;
}

double Mechanics::mean_over(const std::vector<double>& field, const std::vector<unsigned char>& mask) const {
  const std::size_t n = grid_.size();
  HPHTSIM_CHECK(field.size() == n && (mask.empty() || mask.size() == n), "mechanics: field/mask size");
  double s = 0.0, v = 0.0;
  for (int k = 0; k < grid_.nz; ++k)
    for (int j = 0; j < grid_.ny; ++j)
      for (int i = 0; i < grid_.nx; ++i) {
        const std::size_t c = grid_.index(i, j, k);
        if (!mask.empty() && mask[c] == 0) continue;
        const double vol = ring_ ? grid_.volume(i, j, k) : op_->hx(i) * op_->hy(j) * op_->hz(k);
        s += field[c] * vol;
        v += vol;
      }
  HPHTSIM_CHECK(v > 0.0, "mechanics: the mask selects no cell");
  return s / v;
}

double Mechanics::delta_for_mean_pressure(double target, const std::vector<unsigned char>& mask) const {
  HPHTSIM_CHECK(solved_, "mechanics: delta_for_mean_pressure needs a solve first");
  const double pu = mean_over(p_unit_, mask), pf = mean_over(p_free_, mask);
  HPHTSIM_CHECK(pu > 0.0, "mechanics: the masked cells' pressure does not respond to the anvils (" << pu << " Pa/m)");
  return (target - pf) / pu;
}

void Mechanics::pressure(double delta, std::vector<double>& p) const {
  HPHTSIM_CHECK(solved_, "mechanics: pressure needs a solve first");
  p.resize(p_unit_.size());
  for (std::size_t c = 0; c < p.size(); ++c) p[c] = delta * p_unit_[c] + p_free_[c];
}

void Mechanics::displacement(double delta, std::vector<double>& u) const {
  HPHTSIM_CHECK(solved_, "mechanics: displacement needs a solve first");
  u.resize(u_unit_.size());
  for (std::size_t d = 0; d < u.size(); ++d) u[d] = delta * u_unit_[d] + u_free_[d];
}

void Mechanics::displacement_cells(double delta, std::vector<double>& ux, std::vector<double>& uy,
                                   std::vector<double>& uz) const {
  std::vector<double> u;
  displacement(delta, u);
  if (ring_) {
    ring_->cell_centre_values(u.data(), ux, uz);
    uy.assign(grid_.size(), 0.0);
  } else {
    op_->cell_centre_values(u.data(), ux, uy, uz);
  }
}

}  // namespace hphtsim::physics
