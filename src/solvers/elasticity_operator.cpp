// SPDX-License-Identifier: MIT
// The Q1 / B-bar elasticity operator of elasticity.hpp: matrix-free element loops over the box
// cells. The product is sum-factorised (elastic::element_apply_separable): it needs only the
// cell's edges, so a graded grid with thousands of cell sizes costs what a uniform one does.
// The element templates (one per distinct cell size) serve the assembled views: element
// matrices, diagonal blocks and the multigrid's Galerkin coarse level.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/solvers/elasticity.hpp"

namespace hphtsim::solvers {
namespace {

/// Per-axis classes of equal spacing (within a relative 1e-9, so that the round-off of
/// uniformly spaced edges does not split a class): cls[i] = class of cell i; returns the class
/// spacings (each the first cell's of its class). Every computation uses these values, so the
/// operator, loads and dilatations are mutually consistent.
std::vector<double> spacing_classes(const std::vector<double>& edges, std::vector<int>& cls) {
  const std::size_t n = edges.size() - 1;
  std::vector<double> values;
  cls.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double h = edges[i + 1] - edges[i];
    int found = -1;
    for (std::size_t v = 0; v < values.size(); ++v)
      if (std::abs(values[v] - h) <= 1e-9 * values[v]) {
        found = int(v);
        break;
      }
    if (found < 0) {
      found = int(values.size());
      values.push_back(h);
    }
    cls[i] = found;
  }
  return values;
}

/// Local node offsets of an element in the global node numbering.
struct NodeOffsets {
  std::size_t o[elastic::kNodes];
  NodeOffsets(int nx, int ny) {
    const std::size_t NX = std::size_t(nx) + 1, NXY = NX * (std::size_t(ny) + 1);
    for (int a = 0; a < elastic::kNodes; ++a)
      o[a] = std::size_t(a & 1) + std::size_t((a >> 1) & 1) * NX + std::size_t((a >> 2) & 1) * NXY;
  }
};

}  // namespace

ElasticOperator::ElasticOperator(const core::Grid& grid, FaceConstraints constraints)
    : grid_(grid), constraints_(constraints) {
  HPHTSIM_CHECK(grid_.nx >= 1 && grid_.ny >= 1 && grid_.nz >= 1, "elasticity needs a non-empty grid");
  for (unsigned char c : constraints_) HPHTSIM_CHECK(c <= 7, "face constraint bits must be in 0..7");
  std::vector<int> cls_x, cls_y, cls_z;
  const std::vector<double> hx = spacing_classes(grid_.x, cls_x);
  const std::vector<double> hy = spacing_classes(grid_.y, cls_y);
  const std::vector<double> hz = spacing_classes(grid_.z, cls_z);
  hx_.resize(std::size_t(grid_.nx));
  inverse_hx_.resize(std::size_t(grid_.nx));
  hy_.resize(std::size_t(grid_.ny));
  hz_.resize(std::size_t(grid_.nz));
  for (int i = 0; i < grid_.nx; ++i) {
    hx_[std::size_t(i)] = hx[std::size_t(cls_x[std::size_t(i)])];
    inverse_hx_[std::size_t(i)] = 1.0 / hx_[std::size_t(i)];
  }
  for (int j = 0; j < grid_.ny; ++j) hy_[std::size_t(j)] = hy[std::size_t(cls_y[std::size_t(j)])];
  for (int k = 0; k < grid_.nz; ++k) hz_[std::size_t(k)] = hz[std::size_t(cls_z[std::size_t(k)])];
  mu_.assign(grid_.size(), 0.0);
  bulk_.assign(grid_.size(), 0.0);
  kvol_.assign(grid_.size(), 0.0);
  cell_region_.assign(grid_.size(), -1);
  for (int k = 0; k <= nz(); ++k)
    for (int j = 0; j <= ny(); ++j)
      for (int i = 0; i <= nx(); ++i) {
        const unsigned bits = fixed_components(i, j, k);
        for (int c = 0; c < 3; ++c)
          if (bits & (1u << c)) fixed_dofs_.push_back(3 * node(i, j, k) + std::size_t(c));
      }
  fixed_mask_.assign(num_dofs(), 0);
  for (std::size_t d : fixed_dofs_) fixed_mask_[d] = 1;
}

void ElasticOperator::set_moduli(const std::vector<double>& shear, const std::vector<double>& bulk,
                                 const std::vector<unsigned char>* fluid) {
  const std::size_t n = grid_.size();
  HPHTSIM_CHECK(shear.size() == n && bulk.size() == n && (!fluid || fluid->size() == n),
                "moduli need " << n << " cells, got " << shear.size() << " and " << bulk.size());
  for (std::size_t c = 0; c < n; ++c)
    HPHTSIM_CHECK(shear[c] > 0.0 && std::isfinite(shear[c]) && bulk[c] > 0.0 && std::isfinite(bulk[c]),
                  "cell " << c << ": shear " << shear[c] << " and bulk " << bulk[c] << " moduli must be > 0");
  mu_ = shear;
  bulk_ = bulk;
  kvol_ = bulk;
  regions_.clear();
  cell_region_.assign(n, -1);
  if (!fluid) return;
  // Face-connected components of the fluid cells, numbered in order of their first cell.
  const int NX = nx(), NY = ny();
  for (auto& cells : core::face_connected_sets(grid_, *fluid)) {
    const int r = int(regions_.size());
    regions_.emplace_back();
    FluidRegion& R = regions_.back();
    R.cells = std::move(cells);
    for (std::size_t c : R.cells) cell_region_[c] = r;
    // Volume, compliance-weighted bulk modulus, and G_R = sum V_c g_c (accumulated in a map from
    // dof to value, in ascending cell order: deterministic).
    std::vector<std::pair<std::size_t, double>> entries;
    double compliance = 0.0;
    for (std::size_t c : R.cells) {
      const int i = int(c % std::size_t(NX)), j = int((c / std::size_t(NX)) % std::size_t(NY)),
                k = int(c / (std::size_t(NX) * std::size_t(NY)));
      const double h[3] = {hx(i), hy(j), hz(k)};
      const double V = h[0] * h[1] * h[2];
      R.volume += V;
      compliance += V / bulk[c];
      kvol_[c] = 0.0;
      for (int a = 0; a < elastic::kNodes; ++a)
        for (int cc = 0; cc < 3; ++cc)
          entries.emplace_back(3 * node(i + (a & 1), j + ((a >> 1) & 1), k + ((a >> 2) & 1)) + std::size_t(cc),
                               V * (((a >> cc) & 1) ? 0.25 : -0.25) / h[cc]);
    }
    R.bulk = R.volume / compliance;
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [d, v] : entries) {
      if (!R.dofs.empty() && R.dofs.back() == d) {
        R.g.back() += v;
      } else {
        R.dofs.push_back(d);
        R.g.push_back(v);
      }
    }
  }
  // Each region costs the preconditioner one dense vector and one V-cycle per setup: keep the
  // kMaxFluidRegions largest (ties: first cell), the rest stay nearly incompressible solids.
  if (regions_.size() > kMaxFluidRegions) {
    std::vector<std::size_t> order(regions_.size());
    for (std::size_t r = 0; r < order.size(); ++r) order[r] = r;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return regions_[a].cells.size() > regions_[b].cells.size();
    });
    std::vector<FluidRegion> kept;
    for (std::size_t q = 0; q < order.size(); ++q) {
      FluidRegion& R = regions_[order[q]];
      if (q < kMaxFluidRegions) {
        for (std::size_t c : R.cells) cell_region_[c] = int(kept.size());
        kept.push_back(std::move(R));
      } else {
        for (std::size_t c : R.cells) {
          cell_region_[c] = -1;
          kvol_[c] = bulk[c];
        }
      }
    }
    regions_ = std::move(kept);
  }
}

unsigned ElasticOperator::fixed_components(int i, int j, int k) const {
  unsigned b = 0;
  if (i == 0) b |= constraints_[0];
  if (i == nx()) b |= constraints_[1];
  if (j == 0) b |= constraints_[2];
  if (j == ny()) b |= constraints_[3];
  if (k == 0) b |= constraints_[4];
  if (k == nz()) b |= constraints_[5];
  return b;
}

elastic::ElementTemplate ElasticOperator::element_template(int i, int j, int k) const {
  return elastic::element_template(hx(i), hy(j), hz(k));
}

namespace {

#if defined(__GNUC__)
#define HPHTSIM_ELASTIC_INLINE inline __attribute__((always_inline))
#else
#define HPHTSIM_ELASTIC_INLINE inline
#endif

/// What the element loop of plane k needs, and of its row j (set by row()).
struct PlaneLoop {
  const ElasticOperator& op;
  const double* u;
  double* y;
  bool mask_input;  // prescribed components of u read as 0
  int k, NX, NY, NZ;
  // Element dofs in four runs of 6: the x-adjacent node pairs at (j, k), (j+1, k), (j, k+1), (j+1, k+1).
  std::size_t run[4];
  const double *mu, *kb, *ihx;
  double hz, ihz;
  int j = 0;
  bool boundary_row = false;  // j or k on the boundary: every element of the row may be masked
  double hy = 0.0, ihy = 0.0;

  PlaneLoop(const ElasticOperator& o, const double* u_, double* y_, bool mask, int k_)
      : op(o), u(u_), y(y_), mask_input(mask), k(k_), NX(o.nx()), NY(o.ny()), NZ(o.nz()),
        mu(o.shear().data()), kb(o.cell_bulk().data()), ihx(o.inverse_hx().data()), hz(o.hz(k_)), ihz(1.0 / hz) {
    const std::size_t sy = 3 * std::size_t(NX + 1), sz = sy * std::size_t(NY + 1);
    run[0] = 0;
    run[1] = sy;
    run[2] = sz;
    run[3] = sy + sz;
  }
  void row(int j_) {
    j = j_;
    boundary_row = k == 0 || k == NZ - 1 || j == 0 || j == NY - 1;
    hy = op.hy(j);
    ihy = 1.0 / hy;
  }
};

/// y += A_e u_e for element (i, j, k) of the loop's row, one element at a time.
HPHTSIM_ELASTIC_INLINE void scalar_element(const PlaneLoop& p, int i) {
  double ue[elastic::kDofs], ye[elastic::kDofs];
  const std::size_t c = p.op.grid().index(i, p.j, p.k);
  const std::size_t d0 = 3 * p.op.node(i, p.j, p.k);
  for (int q = 0; q < 4; ++q) std::memcpy(ue + 6 * q, p.u + d0 + p.run[q], 6 * sizeof(double));
  if (p.mask_input && (p.boundary_row || i == 0 || i == p.NX - 1)) {
    for (int a = 0; a < elastic::kNodes; ++a) {
      const unsigned bits = p.op.fixed_components(i + (a & 1), p.j + ((a >> 1) & 1), p.k + ((a >> 2) & 1));
      for (int cc = 0; cc < 3; ++cc)
        if (bits & (1u << cc)) ue[3 * a + cc] = 0.0;
    }
  }
  const double ih[3] = {p.ihx[i], p.ihy, p.ihz};
  const double volume = p.op.hx(i) * p.hy * p.hz;
  elastic::element_apply_separable(ih, volume, p.mu[c], p.kb[c] * volume, ue, ye);
  for (int q = 0; q < 4; ++q) {
    double* dst = p.y + d0 + p.run[q];
    for (int e = 0; e < 6; ++e) dst[e] += ye[6 * q + e];
  }
}

/// y += A u over the elements of plane k.
void apply_plane_portable(const ElasticOperator& op, const double* u, double* y, bool mask_input, int k) {
  PlaneLoop p(op, u, y, mask_input, k);
  for (int j = 0; j < p.NY; ++j) {
    p.row(j);
    for (int i = 0; i < p.NX; ++i) scalar_element(p, i);
  }
}

// The element product is the hot spot of every solve. On x86-64 with GCC or Clang a second
// version of the plane loop is compiled for x86-64-v3 (AVX2 + FMA) and chosen at run time when
// the CPU has them; it takes four elements along x per vector lane. Measured (BM_ElasticApply,
// 1 thread, 64^3): 28 ns per cell on the uniform and on the default cell's graded grid; the
// same product one element at a time 51 and 52; the earlier 24 x 28 template product 51 and 63
// (it streamed a 5 kB template per cell, 3136 of them).
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(HPHTSIM_NO_AVX2_KERNEL)
#define HPHTSIM_AVX2_KERNEL 1

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));
#if defined(__clang__)
#define HPHTSIM_SHUFFLE(a, b, i0, i1, i2, i3) __builtin_shufflevector(a, b, i0, i1, i2, i3)
#else
#define HPHTSIM_SHUFFLE(a, b, i0, i1, i2, i3) __builtin_shuffle(a, b, v4i{i0, i1, i2, i3})
#endif

/// (x0 y0 z0 x1 | y1 z1 x2 y2 | z2 x3 y3 z3) at p -> X, Y, Z.
__attribute__((target("avx2,fma"))) inline void aos_to_soa(const double* p, v4d& X, v4d& Y, v4d& Z) {
  v4d a, b, c;
  std::memcpy(&a, p, sizeof a);
  std::memcpy(&b, p + 4, sizeof b);
  std::memcpy(&c, p + 8, sizeof c);
  X = HPHTSIM_SHUFFLE(HPHTSIM_SHUFFLE(a, b, 0, 3, 6, 0), c, 0, 1, 2, 5);
  Y = HPHTSIM_SHUFFLE(HPHTSIM_SHUFFLE(a, b, 1, 4, 7, 0), c, 0, 1, 2, 6);
  Z = HPHTSIM_SHUFFLE(HPHTSIM_SHUFFLE(a, b, 2, 5, 0, 0), c, 0, 1, 4, 7);
}

/// p[0..11] += the interleaving of X, Y, Z (the inverse of aos_to_soa).
__attribute__((target("avx2,fma"))) inline void add_soa_to_aos(double* p, v4d X, v4d Y, v4d Z) {
  const v4d a = HPHTSIM_SHUFFLE(HPHTSIM_SHUFFLE(X, Y, 0, 4, 0, 1), Z, 0, 1, 4, 3);
  const v4d b = HPHTSIM_SHUFFLE(HPHTSIM_SHUFFLE(Y, Z, 1, 5, 0, 2), X, 0, 1, 6, 3);
  const v4d c = HPHTSIM_SHUFFLE(HPHTSIM_SHUFFLE(Z, X, 2, 7, 0, 3), Y, 0, 1, 7, 3);
  v4d pa, pb, pc;
  std::memcpy(&pa, p, sizeof pa);
  std::memcpy(&pb, p + 4, sizeof pb);
  std::memcpy(&pc, p + 8, sizeof pc);
  pa += a;
  pb += b;
  pc += c;
  std::memcpy(p, &pa, sizeof pa);
  std::memcpy(p + 4, &pb, sizeof pb);
  std::memcpy(p + 8, &pc, sizeof pc);
}

/// The plane loop with four elements along x at a time, one per vector lane: the
/// sum-factorised product is elementwise, so its vector form is the scalar code on v4d.
/// Elements that read prescribed components (mask_input, on the boundary) and the remainder of
/// a row go through the scalar product; the lanes add into y in element order, as the scalar
/// loop does.
__attribute__((target("avx2,fma"))) void apply_plane_avx2(const ElasticOperator& op, const double* u, double* y,
                                                          bool mask_input, int k) {
  PlaneLoop p(op, u, y, mask_input, k);
  const core::Grid& g = op.grid();
  const int NX = p.NX;
  for (int j = 0; j < p.NY; ++j) {
    p.row(j);
    int i = 0;
    if (!(mask_input && p.boundary_row)) {
      if (mask_input) scalar_element(p, i++);  // the x = 0 face
      const int vector_end = mask_input ? NX - 1 : NX;
      for (; i + 4 <= vector_end; i += 4) {
        const std::size_t c = g.index(i, j, k);
        const std::size_t d0 = 3 * op.node(i, j, k);
        v4d U[elastic::kDofs], Y[elastic::kDofs];
        for (int q = 0; q < 4; ++q) {
          // Lane l's element has its low-x node at i + l (dofs 6q..6q+2) and its high-x one at
          // i + l + 1 (6q+3..6q+5): two 3 x 4 transposes of 12 consecutive values.
          const double* base = u + d0 + p.run[q];
          aos_to_soa(base, U[6 * q], U[6 * q + 1], U[6 * q + 2]);
          aos_to_soa(base + 3, U[6 * q + 3], U[6 * q + 4], U[6 * q + 5]);
        }
        v4d ih[3], hxv, muv, kbv;
        std::memcpy(&ih[0], p.ihx + i, sizeof(v4d));
        std::memcpy(&muv, p.mu + c, sizeof(v4d));
        std::memcpy(&kbv, p.kb + c, sizeof(v4d));
        ih[1] = v4d{p.ihy, p.ihy, p.ihy, p.ihy};
        ih[2] = v4d{p.ihz, p.ihz, p.ihz, p.ihz};
        hxv = v4d{op.hx(i), op.hx(i + 1), op.hx(i + 2), op.hx(i + 3)};
        const v4d volume = hxv * (p.hy * p.hz);
        elastic::element_apply_separable<v4d>(ih, volume, muv, kbv * volume, U, Y);
        for (int q = 0; q < 4; ++q) {
          // Node i + m receives lane m's low-node and lane m - 1's high-node contributions.
          double* base = y + d0 + p.run[q];
          const v4d zero = {0.0, 0.0, 0.0, 0.0};
          v4d t[3];
          for (int cc = 0; cc < 3; ++cc) t[cc] = Y[6 * q + cc] + HPHTSIM_SHUFFLE(Y[6 * q + 3 + cc], zero, 4, 0, 1, 2);
          add_soa_to_aos(base, t[0], t[1], t[2]);
          for (int cc = 0; cc < 3; ++cc) base[12 + cc] += Y[6 * q + 3 + cc][3];
        }
      }
    }
    for (; i < NX; ++i) scalar_element(p, i);
  }
}

bool cpu_has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif

void apply_plane(const ElasticOperator& op, const double* u, double* y, bool mask_input, int k) {
#ifdef HPHTSIM_AVX2_KERNEL
  if (cpu_has_avx2()) {
    apply_plane_avx2(op, u, y, mask_input, k);
    return;
  }
#endif
  apply_plane_portable(op, u, y, mask_input, k);
}

}  // namespace

void ElasticOperator::element_loop_apply(const double* u, double* y, bool mask_input) const {
  const int NX = nx(), NY = ny(), NZ = nz();
  const std::size_t plane = 3 * std::size_t(NX + 1) * std::size_t(NY + 1);
  // Phase 0 (even element planes k) first zeroes node planes k and k+1, which no other element
  // plane of the phase touches; node plane NZ is left when NZ is even.
  if (NZ % 2 == 0) std::fill(y + plane * std::size_t(NZ), y + plane * std::size_t(NZ + 1), 0.0);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < NZ; k += 2) {
    std::fill(y + plane * std::size_t(k), y + plane * std::size_t(k + 2), 0.0);
    apply_plane(*this, u, y, mask_input, k);
  }
#pragma omp parallel for schedule(static)
  for (int k = 1; k < NZ; k += 2) apply_plane(*this, u, y, mask_input, k);
}

void ElasticOperator::add_region_terms(const double* u, double* y, bool mask) const {
  for (const FluidRegion& R : regions_) {
    // y += (K_R / V_R) G_R (G_R . u), in dof order (deterministic).
    double gu = 0.0;
    for (std::size_t q = 0; q < R.dofs.size(); ++q)
      if (!mask || !fixed_mask_[R.dofs[q]]) gu += R.g[q] * u[R.dofs[q]];
    const double s = R.bulk / R.volume * gu;
    for (std::size_t q = 0; q < R.dofs.size(); ++q)
      if (!mask || !fixed_mask_[R.dofs[q]]) y[R.dofs[q]] += s * R.g[q];
  }
}

void ElasticOperator::apply_elements(const double* u, double* y) const {
  element_loop_apply(u, y, true);
  for (std::size_t d : fixed_dofs_) y[d] = u[d];
}

void ElasticOperator::apply(const double* u, double* y) const {
  element_loop_apply(u, y, true);
  add_region_terms(u, y, true);
  for (std::size_t d : fixed_dofs_) y[d] = u[d];
}

void ElasticOperator::residual(const double* f, const double* u, double* r, bool all_rows) const {
  element_loop_apply(u, r, false);
  add_region_terms(u, r, false);
  const std::size_t n = num_dofs();
  const std::size_t plane = 3 * std::size_t(nx() + 1) * std::size_t(ny() + 1);
  const int NZ = nz();
#pragma omp parallel for schedule(static)
  for (int k = 0; k <= NZ; ++k)
    for (std::size_t d = plane * std::size_t(k); d < std::min(n, plane * std::size_t(k + 1)); ++d) r[d] = f[d] - r[d];
  if (!all_rows)
    for (std::size_t d : fixed_dofs_) r[d] = 0.0;
}

void ElasticOperator::add_eigenstrain_load(const double* e, double* f) const {
  const int NX = nx(), NY = ny(), NZ = nz();
  const NodeOffsets off(NX, NY);
  for (int phase = 0; phase < 2; ++phase) {
#pragma omp parallel for schedule(static)
    for (int k = phase; k < NZ; k += 2)
      for (int j = 0; j < NY; ++j)
        for (int i = 0; i < NX; ++i) {
          const std::size_t c = grid_.index(i, j, k);
          if (e[c] == 0.0) continue;
          const double ex = hx(i), ey = hy(j), ez = hz(k);
          const double s = kvol_[c] * e[c] * ex * ey * ez;
          const double h[3] = {ex, ey, ez};
          const std::size_t n0 = node(i, j, k);
          for (int a = 0; a < elastic::kNodes; ++a)
            for (int cc = 0; cc < 3; ++cc)
              f[3 * (n0 + off.o[a]) + std::size_t(cc)] += s * (((a >> cc) & 1) ? 0.25 : -0.25) / h[cc];
        }
  }
  for (const FluidRegion& R : regions_) {
    // K_R e_R G_R, e_R = sum V_c e_c / V_R.
    double ev = 0.0;
    for (std::size_t c : R.cells) {
      const int i = int(c % std::size_t(NX)), j = int((c / std::size_t(NX)) % std::size_t(NY)),
                k = int(c / (std::size_t(NX) * std::size_t(NY)));
      ev += e[c] * hx(i) * hy(j) * hz(k);
    }
    const double s = R.bulk * ev / R.volume;
    for (std::size_t q = 0; q < R.dofs.size(); ++q) f[R.dofs[q]] += s * R.g[q];
  }
}

void ElasticOperator::cell_pressure(const double* u, const double* e, double* p) const {
  mean_dilatation(u, p);  // theta, overwritten below
  const std::size_t n = grid_.size();
  for (std::size_t c = 0; c < n; ++c) p[c] = bulk_[c] * ((e ? e[c] : 0.0) - p[c]);
  for (const FluidRegion& R : regions_) {
    double gu = 0.0, ev = 0.0;
    for (std::size_t q = 0; q < R.dofs.size(); ++q) gu += R.g[q] * u[R.dofs[q]];
    if (e)
      for (std::size_t c : R.cells) {
        const int i = int(c % std::size_t(nx())), j = int((c / std::size_t(nx())) % std::size_t(ny())),
                  k = int(c / (std::size_t(nx()) * std::size_t(ny())));
        ev += e[c] * hx(i) * hy(j) * hz(k);
      }
    const double pr = R.bulk * (ev - gu) / R.volume;
    for (std::size_t c : R.cells) p[c] = pr;
  }
}

void ElasticOperator::mean_dilatation(const double* u, double* theta) const {
  const int NX = nx(), NY = ny(), NZ = nz();
  const NodeOffsets off(NX, NY);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < NZ; ++k)
    for (int j = 0; j < NY; ++j)
      for (int i = 0; i < NX; ++i) {
        const double h[3] = {hx(i), hy(j), hz(k)};
        const std::size_t n0 = node(i, j, k);
        double s[3] = {0.0, 0.0, 0.0};
        for (int a = 0; a < elastic::kNodes; ++a)
          for (int cc = 0; cc < 3; ++cc) {
            const double v = u[3 * (n0 + off.o[a]) + std::size_t(cc)];
            s[cc] += ((a >> cc) & 1) ? v : -v;
          }
        theta[grid_.index(i, j, k)] = 0.25 * (s[0] / h[0] + s[1] / h[1] + s[2] / h[2]);
      }
}

void ElasticOperator::element_matrix(int i, int j, int k, double* ke) const {
  const elastic::ElementTemplate t = element_template(i, j, k);
  const std::size_t c = grid_.index(i, j, k);
  const double mu = mu_[c], kv = kvol_[c] * t.volume;
  for (int col = 0; col < elastic::kDofs; ++col)
    for (int r = 0; r < elastic::kDofs; ++r)
      ke[col * elastic::kDofs + r] =
          mu * t.kdev[std::size_t(col * elastic::kDofs + r)] + kv * t.g[std::size_t(r)] * t.g[std::size_t(col)];
}

void ElasticOperator::diagonal_blocks(std::vector<double>& d) const {
  const int NX = nx(), NY = ny(), NZ = nz();
  d.assign(9 * num_nodes(), 0.0);
#pragma omp parallel for schedule(static)
  for (int k = 0; k <= NZ; ++k)
    for (int j = 0; j <= NY; ++j)
      for (int i = 0; i <= NX; ++i) {
        double* blk = d.data() + 9 * node(i, j, k);
        for (int a = 0; a < elastic::kNodes; ++a) {
          const int ei = i - (a & 1), ej = j - ((a >> 1) & 1), ek = k - ((a >> 2) & 1);
          if (ei < 0 || ej < 0 || ek < 0 || ei >= NX || ej >= NY || ek >= NZ) continue;
          const std::size_t c = grid_.index(ei, ej, ek);
          const double h[3] = {hx(ei), hy(ej), hz(ek)};
          const double mu = mu_[c], kv = kvol_[c] * h[0] * h[1] * h[2];
          double kd[9];
          elastic::kdev_diagonal_block(h, a, kd);
          for (int r = 0; r < 3; ++r)
            for (int s = 0; s < 3; ++s) {
              const double gr = (((a >> r) & 1) ? 0.25 : -0.25) / h[r], gs = (((a >> s) & 1) ? 0.25 : -0.25) / h[s];
              blk[3 * r + s] += mu * kd[3 * r + s] + kv * gr * gs;
            }
        }
        const unsigned bits = fixed_components(i, j, k);
        for (int r = 0; r < 3; ++r)
          if (bits & (1u << r)) {
            for (int s = 0; s < 3; ++s) blk[3 * r + s] = blk[3 * s + r] = 0.0;
            blk[4 * r] = 1.0;
          }
      }
}

void ElasticOperator::cell_centre_values(const double* u, std::vector<double>& ux, std::vector<double>& uy,
                                         std::vector<double>& uz) const {
  const int NX = nx(), NY = ny(), NZ = nz();
  const NodeOffsets off(NX, NY);
  ux.assign(grid_.size(), 0.0);
  uy.assign(grid_.size(), 0.0);
  uz.assign(grid_.size(), 0.0);
#pragma omp parallel for schedule(static)
  for (int k = 0; k < NZ; ++k)
    for (int j = 0; j < NY; ++j)
      for (int i = 0; i < NX; ++i) {
        const std::size_t n0 = node(i, j, k), c = grid_.index(i, j, k);
        double s[3] = {0.0, 0.0, 0.0};
        for (int a = 0; a < elastic::kNodes; ++a)
          for (int cc = 0; cc < 3; ++cc) s[cc] += u[3 * (n0 + off.o[a]) + std::size_t(cc)];
        ux[c] = 0.125 * s[0];
        uy[c] = 0.125 * s[1];
        uz[c] = 0.125 * s[2];
      }
}

}  // namespace hphtsim::solvers
