// SPDX-License-Identifier: MIT
#include "hphtsim/physics/electric.hpp"

#include <cmath>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/parallel.hpp"
#include "hphtsim/physics/conductance.hpp"

namespace hphtsim::physics {

ElectricProblem::ElectricProblem(const core::Grid& grid, ElectricSettings settings)
    : grid_(grid), settings_(settings), op_(grid.nx, grid.ny, grid.nz) {
  const std::size_t n = grid.size();
  rhs_.assign(n, 0.0);
  unit_phi_.assign(n, 0.0);
  contact_top_.assign(n, 0.0);
  contact_bottom_.assign(n, 0.0);
  circuit_.assign(n, 0);
  queue_.reserve(n);
}

bool ElectricProblem::contacts_connected(const std::vector<double>& resistivity) {
  find_circuit(resistivity);
  for (int j = 0; j < grid_.ny; ++j)
    for (int i = 0; i < grid_.nx; ++i)
      if (circuit_[grid_.index(i, j, 0)] && std::abs(grid_.xc(i)) <= settings_.contact_half_x &&
          std::abs(grid_.yc(j)) <= settings_.contact_half_y)
        return true;
  return false;
}

void ElectricProblem::find_circuit(const std::vector<double>& resistivity) {
  const core::Grid& g = grid_;
  std::fill(circuit_.begin(), circuit_.end(), 0);
  queue_.clear();
  auto in_footprint = [&](int i, int j) {
    return std::abs(g.xc(i)) <= settings_.contact_half_x && std::abs(g.yc(j)) <= settings_.contact_half_y;
  };
  // Breadth-first search over conductive cells from the top contact: a conductive island not
  // joined to it carries no current (a solvent disc inside a salt liner) and is left out.
  for (int k : {g.nz - 1})
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        std::size_t c = g.index(i, j, k);
        if (in_footprint(i, j) && resistivity[c] <= settings_.insulator_resistivity && !circuit_[c]) {
          circuit_[c] = 1;
          queue_.push_back(int(c));
        }
      }
  for (std::size_t head = 0; head < queue_.size(); ++head) {
    const std::size_t c = std::size_t(queue_[head]);
    const int i = int(c % g.nx), j = int((c / g.nx) % g.ny), k = int(c / (std::size_t(g.nx) * g.ny));
    core::for_each_face_neighbour(g, i, j, k, [&](std::size_t m) {
      if (!circuit_[m] && resistivity[m] <= settings_.insulator_resistivity) {
        circuit_[m] = 1;
        queue_.push_back(int(m));
      }
    });
  }
}

ElectricState ElectricProblem::solve(const std::vector<double>& resistivity, std::vector<double>& phi,
                                     std::vector<double>& joule, const solvers::SolveOptions& opts) {
  const core::Grid& g = grid_;
  const std::size_t n = g.size();
  HPHTSIM_CHECK(resistivity.size() == n, "resistivity size");
  phi.resize(n);
  joule.resize(n);
  find_circuit(resistivity);

  fill_face_conductances(g, resistivity, circuit_, op_, directional_);
  // A mixed cell conducts along an axis only where its resistivity along it is below the
  // cut-off (across a heater wall the series value is the insulator's): like the insulating
  // cells, such directions carry no current, which keeps the system's coefficients within the
  // conductors' range.
  if (directional_.index) {
    const std::size_t sx = 1, sy = std::size_t(g.nx), sz = std::size_t(g.nx) * g.ny;
    const double cut = settings_.insulator_resistivity;
    for (int k = 0; k < g.nz; ++k)
      for (int j = 0; j < g.ny; ++j)
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t c = g.index(i, j, k);
          if ((*directional_.index)[c] < 0 || !circuit_[c]) continue;
          if (directional_.along(resistivity, c, 0) > cut) {
            op_.tx[c] = 0.0;
            if (i > 0) op_.tx[c - sx] = 0.0;
          }
          if (directional_.along(resistivity, c, 1) > cut) {
            op_.ty[c] = 0.0;
            if (j > 0) op_.ty[c - sy] = 0.0;
          }
          if (directional_.along(resistivity, c, 2) > cut) {
            op_.tz[c] = 0.0;
            if (k > 0) op_.tz[c - sz] = 0.0;
          }
        }
  }

  // Contact conductances: half a cell of the conductor plus the contact resistance.
  std::fill(contact_top_.begin(), contact_top_.end(), 0.0);
  std::fill(contact_bottom_.begin(), contact_bottom_.end(), 0.0);
  bool top = false, bottom = false;
  for (int k : {0, g.nz - 1})
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        std::size_t c = g.index(i, j, k);
        if (!circuit_[c] || std::abs(g.xc(i)) > settings_.contact_half_x || std::abs(g.yc(j)) > settings_.contact_half_y)
          continue;
        double area = g.area_z(i, j);
        double tb = area / (0.5 * g.dz(k) * directional_.along(resistivity, c, 2) + settings_.contact_resistance);
        if (k == g.nz - 1) {
          contact_top_[c] = tb;
          top = true;
        }
        if (k == 0) {
          contact_bottom_[c] = tb;
          bottom = true;
        }
      }
  if (!top || !bottom)
    throw ConfigError("assembly", std::string("no conductive material touches the ") + (!top ? "top" : "bottom") +
                                      " anvil contact (heater current cannot flow); check the end caps and anvils.face_size");

  // Excluded cells: an identity row (decoupled), so the system stays SPD and their phi is 0.
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    op_.diag[c] = circuit_[c] ? contact_top_[c] + contact_bottom_[c] : 1.0;
    rhs_[c] = contact_top_[c];  // unit voltage on top, 0 V at the bottom
    if (!circuit_[c]) unit_phi_[c] = 0.0;
  }

  if (!solver_) solver_ = std::make_unique<solvers::MultigridPCG>(op_);
  else solver_->update(op_);
  solvers::SolveStats stats = solver_->solve(rhs_, unit_phi_, opts);

  // Conductance between the contacts from the unit-voltage solution (serial: one plane).
  double conductance = 0.0, contact_sum = 0.0;
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      const std::size_t c = g.index(i, j, g.nz - 1);
      conductance += contact_top_[c] * (1.0 - unit_phi_[c]);
      contact_sum += contact_top_[c];
    }
  // A top region that reaches no bottom contact floats at phi = 1 and carries no current.
  if (!(conductance > 1e-9 * contact_sum))
    throw ConfigError("assembly", "no conductive path joins the top and bottom anvil contacts (heater current cannot flow)");

  ElectricState st;
  switch (settings_.mode) {
    case ControlMode::voltage: st.voltage = settings_.setpoint; break;
    case ControlMode::current: st.voltage = settings_.setpoint / conductance; break;
    case ControlMode::power: st.voltage = std::sqrt(settings_.setpoint / conductance); break;
  }
  st.current = st.voltage * conductance;
  st.resistance = 1.0 / conductance;
  st.power = st.voltage * st.current;
  st.iterations = stats.iterations;
  const double V = st.voltage;

  // Joule heat: each face's dissipation T (dphi)^2 is shared by the two half-cells in
  // proportion to their resistances; contact faces put theirs in the contact cell.
  const std::size_t sx = 1, sy = std::size_t(g.nx), sz = std::size_t(g.nx) * g.ny;
#pragma omp parallel for schedule(static)
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        phi[c] = V * unit_phi_[c];
        if (!circuit_[c]) {
          joule[c] = 0.0;
          continue;
        }
        const double u = unit_phi_[c];
        double q = contact_top_[c] * (1.0 - u) * (1.0 - u) + contact_bottom_[c] * u * u;
        auto face = [&](double t, std::size_t m, double dc, double dm, int axis) {
          if (t == 0.0) return;
          const double du = u - unit_phi_[m];
          const double rc = directional_.along(resistivity, c, axis), rm = directional_.along(resistivity, m, axis);
          const double share = dc * rc / (dc * rc + dm * rm);
          q += share * t * du * du;
        };
        if (i > 0) face(op_.tx[c - sx], c - sx, g.dx(i), g.dx(i - 1), 0);
        if (i + 1 < g.nx) face(op_.tx[c], c + sx, g.dx(i), g.dx(i + 1), 0);
        if (j > 0) face(op_.ty[c - sy], c - sy, g.dy(j), g.dy(j - 1), 1);
        if (j + 1 < g.ny) face(op_.ty[c], c + sy, g.dy(j), g.dy(j + 1), 1);
        if (k > 0) face(op_.tz[c - sz], c - sz, g.dz(k), g.dz(k - 1), 2);
        if (k + 1 < g.nz) face(op_.tz[c], c + sz, g.dz(k), g.dz(k + 1), 2);
        joule[c] = V * V * q;
      }
  st.joule_total = core::plane_sum(g.nz, [&](int k) {
    double s = 0.0;
    const std::size_t base = std::size_t(k) * sz;
    for (std::size_t c = base; c < base + sz; ++c) s += joule[c];
    return s;
  });
  return st;
}

}  // namespace hphtsim::physics
