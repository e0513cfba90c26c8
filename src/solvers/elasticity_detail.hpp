// SPDX-License-Identifier: MIT
// Private to src/solvers (not installed): the elasticity multigrid's levels, assembled-stencil
// layout and transfer maps, and ElasticityMGPCG::Impl, shared by elasticity_stencil.cpp,
// elasticity_hierarchy.cpp, elasticity_smoother.cpp and elasticity_multigrid.cpp.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "hphtsim/solvers/elasticity.hpp"

namespace hphtsim::solvers {
namespace elasticity_detail {

using elastic::kDofs;
using elastic::kNodes;

inline constexpr std::size_t kParallelMinNodes = 4096;
inline constexpr int kBlocks = 14;  // the diagonal block and 13 forward-neighbour blocks
inline constexpr int kBlockSize = 9;

/// Offsets of the stencil blocks: 0 the node itself, 1..13 its forward neighbours (dk > 0, or
/// dk == 0 and dj > 0, or dk == dj == 0 and di > 0).
struct Offset {
  int di, dj, dk;
};
inline constexpr Offset kOff[kBlocks] = {{0, 0, 0},  {1, 0, 0},  {-1, 1, 0}, {0, 1, 0}, {1, 1, 0},
                                         {-1, -1, 1}, {0, -1, 1}, {1, -1, 1}, {-1, 0, 1}, {0, 0, 1},
                                         {1, 0, 1},  {-1, 1, 1}, {0, 1, 1},  {1, 1, 1}};
/// Slot of offset (di, dj, dk): 0 self, 1..13 forward, -1 backward.
inline int slot_of(int di, int dj, int dk) {
  static const std::array<int, 27> table = [] {
    std::array<int, 27> t{};
    t.fill(-1);
    for (int s = 0; s < kBlocks; ++s) t[std::size_t((kOff[s].di + 1) + 3 * (kOff[s].dj + 1) + 9 * (kOff[s].dk + 1))] = s;
    return t;
  }();
  return table[std::size_t((di + 1) + 3 * (dj + 1) + 9 * (dk + 1))];
}

/// Transfer along one axis between a fine grid of nf cells and its coarse grid.
struct AxisMap {
  int nf = 0, nc = 0;            // cells
  std::vector<int> coarse_edge;  // fine edge index of each coarse edge (nc + 1)
  // Parents of fine node i: p0 with weight w0, and p1 with w1 (w1 == 0 when i is a coarse node).
  std::vector<int> p0, p1;
  std::vector<double> w0, w1;
  // Children of coarse node I: fine nodes ch[cs[I] .. cs[I+1]) with weights chw.
  std::vector<int> cs, ch;
  std::vector<double> chw;
};

AxisMap make_axis(const std::vector<double>& fe, std::vector<double>& ce);

struct Level {
  int nx = 0, ny = 0, nz = 0;  // cells
  std::vector<double> xe, ye, ze;
  std::size_t nn = 0;          // nodes
  std::vector<unsigned char> fixed;  // prescribed components per node
  std::vector<double> A;       // levels >= 1: kBlocks 3x3 blocks per node
  std::vector<double> dinv;    // inverse diagonal block per node
  std::vector<double> x, b, r, d, w;
  double lmax = 1.0;
  AxisMap mx, my, mz;  // to the next coarser level

  int NX() const { return nx + 1; }
  int NY() const { return ny + 1; }
  int NZ() const { return nz + 1; }
  std::size_t node(int i, int j, int k) const {
    return std::size_t(i) + std::size_t(NX()) * (std::size_t(j) + std::size_t(NY()) * std::size_t(k));
  }
  std::size_t plane() const { return 3 * std::size_t(NX()) * std::size_t(NY()); }
  std::size_t dofs() const { return 3 * nn; }
  bool parallel() const { return nn >= kParallelMinNodes; }
};

/// Calls f(I, J, K, wx, wy, wz) for each coarse parent (I, J, K) of fine node (i, j, k) of level
/// F, with the weights along each axis (parents of weight zero skipped): the prolongation's
/// stencil, which the prolongation and the Galerkin coarse operator both walk.
template <class Visit>
inline void for_each_parent(const Level& F, int i, int j, int k, Visit&& f) {
  const int px[2] = {F.mx.p0[std::size_t(i)], F.mx.p1[std::size_t(i)]};
  const double wx[2] = {F.mx.w0[std::size_t(i)], F.mx.w1[std::size_t(i)]};
  const int py[2] = {F.my.p0[std::size_t(j)], F.my.p1[std::size_t(j)]};
  const double wy[2] = {F.my.w0[std::size_t(j)], F.my.w1[std::size_t(j)]};
  const int pz[2] = {F.mz.p0[std::size_t(k)], F.mz.p1[std::size_t(k)]};
  const double wz[2] = {F.mz.w0[std::size_t(k)], F.mz.w1[std::size_t(k)]};
  for (int c3 = 0; c3 < 2; ++c3) {
    if (wz[c3] == 0.0) continue;
    for (int c2 = 0; c2 < 2; ++c2) {
      if (wy[c2] == 0.0) continue;
      for (int c1 = 0; c1 < 2; ++c1) {
        if (wx[c1] == 0.0) continue;
        f(px[c1], py[c2], pz[c3], wx[c1], wy[c2], wz[c3]);
      }
    }
  }
}

// Assembled levels (elasticity_stencil.cpp).
double level_dot(const Level& L, const double* a, const double* b);
void stencil_apply(const Level& L, const double* u, double* y);
void constrain_stencil(Level& L);
void stencil_dinv(Level& L);

/// Per-axis description of a fine cell as a child of its coarse cell: its spacing and the
/// interpolation parameters t0, t1 of its two nodes between the coarse cell's two nodes;
/// `code` numbers the distinct (spacing, t0, t1).
struct ChildAxis {
  std::vector<double> h, t0, t1;
  std::vector<int> code;
  int ncodes = 0;
};

ChildAxis child_axis(const AxisMap& m, const std::vector<double>& spacing);

/// P_c^T Kdev P_c (column-major) and P_c^T g for a child of size (hx, hy, hz) whose nodes
/// interpolate the coarse cell's with parameters t (x0, x1, y0, y1, z0, z1).
struct Projection {
  std::array<double, kDofs * kDofs> kdev{};
  std::array<double, kDofs> g{};
  double volume = 0.0;
};

Projection project_child(const double* h, const double* tp);

}  // namespace elasticity_detail

struct ElasticityMGPCG::Impl {
  const ElasticOperator* op = nullptr;
  std::vector<elasticity_detail::Level> levels;
  // Level-1 projections of the fine children, by (code_x, code_y, code_z), when few.
  elasticity_detail::ChildAxis cx, cy, cz;
  std::vector<elasticity_detail::Projection> proj;
  Eigen::LLT<Eigen::MatrixXd> coarse;
  std::vector<double> cg_r, cg_z, cg_p, cg_q;
  // Fluid regions: W_r = B G_r and the Woodbury capacitance S = C^-1 + G^T W.
  std::vector<std::vector<double>> wr;
  Eigen::LLT<Eigen::MatrixXd> cap;
  int degree_pre = 2, degree_post = 2;
  std::vector<char> fixed_scratch;
  std::pair<int, int> region_degrees{0, 0};

  explicit Impl(const ElasticOperator& o) : op(&o) { build_hierarchy(); }

  // elasticity_hierarchy.cpp: the levels, the Galerkin coarse operators, the coarsest factor.
  void build_hierarchy();
  elasticity_detail::Projection child_projection(int i, int j, int k) const;
  void galerkin_from_elements();
  void galerkin_from_stencil(std::size_t l);
  void refresh();

  // elasticity_smoother.cpp: the Chebyshev smoother and its lambda_max estimate.
  void level_apply(std::size_t l, const double* u, double* y) const;
  static void block_jacobi(const elasticity_detail::Level& L, const double* in, double* out, double scale);
  double estimate_lmax(std::size_t l);
  void chebyshev(std::size_t l, double* x, const double* b, int m, bool zero, bool need_residual = true);

  // elasticity_multigrid.cpp: the fluid-region (Woodbury) correction, the transfers, the V-cycle.
  void prepare_regions();
  static double region_dot(const FluidRegion& R, const double* v, const std::vector<char>& fixed);
  void precondition(double* z, const double* r);
  void restrict_to(std::size_t l);
  void prolong_add(std::size_t l, double* x);
  void vcycle(std::size_t l, double* x, const double* b);
};

}  // namespace hphtsim::solvers
