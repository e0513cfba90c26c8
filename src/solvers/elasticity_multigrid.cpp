// SPDX-License-Identifier: MIT
// CG preconditioned by one symmetric geometric-multigrid V-cycle for the Q1 / B-bar elasticity
// operator (elasticity.hpp).
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
// are computed once per distinct (size, position) and each coarse cell costs 8 scaled 24x24
// sums. Coarse levels are stored assembled: per node its 3x3 diagonal block and the blocks to
// its 13 "forward" neighbours (the other 13 are their transposes, stored at the neighbour),
// 126 doubles a node. Levels 2.. are P^T A P of these stencils. Constraints: a fine prescribed
// dof interpolates only from coarse prescribed dofs of the same face, so the free-free block of
// P^T A P is the Galerkin product of the free-free block; prescribed rows and columns are then
// reset to the identity on every level.
//
// Smoother: Chebyshev polynomial of degree m (pre and post alike, opts.pre_smooth/post_smooth)
// in D^-1 A, D the 3x3 nodal diagonal blocks, on [lmax/kChebyRatio, kChebyUpper lmax]; lmax is
// estimated per level by kLanczosSteps steps of block-Jacobi-preconditioned Lanczos (from CG).
// A polynomial smoother needs only A applications (matrix-free on the fine level), its result
// does not depend on an ordering (deterministic under OpenMP), and the V-cycle with the same
// polynomial before and after the coarse correction is symmetric positive definite, as PCG
// requires. The coarsest level (<= kCoarsestNodes nodes) is solved by a dense Cholesky.
//
// Determinism: node loops gather, element loops run in two plane phases, dot products are
// summed per node plane in plane order: results are bitwise independent of the thread count.
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/solvers/elasticity.hpp"

namespace hphtsim::solvers {
namespace {

using elastic::kDofs;
using elastic::kNodes;

constexpr std::size_t kCoarsestNodes = 216;
constexpr std::size_t kParallelMinNodes = 4096;
constexpr int kBlocks = 14;  // the diagonal block and 13 forward-neighbour blocks
constexpr int kBlockSize = 9;
constexpr int kLanczosSteps = 8;
constexpr double kChebyUpper = 1.1;
constexpr double kChebyRatio = 15.0;
/// Distinct (child size, child position) projections kept for level 1; beyond, computed per cell.
constexpr std::size_t kMaxProjections = 512;

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Offsets of the stencil blocks: 0 the node itself, 1..13 its forward neighbours (dk > 0, or
/// dk == 0 and dj > 0, or dk == dj == 0 and di > 0).
struct Offset {
  int di, dj, dk;
};
constexpr Offset kOff[kBlocks] = {{0, 0, 0},  {1, 0, 0},  {-1, 1, 0}, {0, 1, 0}, {1, 1, 0},
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

/// Per-axis description of a fine cell as a child of its coarse cell: its spacing and the
/// interpolation parameters t0, t1 of its two nodes between the coarse cell's two nodes;
/// `code` numbers the distinct (spacing, t0, t1).
struct ChildAxis {
  std::vector<double> h, t0, t1;
  std::vector<int> code;
  int ncodes = 0;
};

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

/// P_c^T Kdev P_c (column-major) and P_c^T g for a child of size (hx, hy, hz) whose nodes
/// interpolate the coarse cell's with parameters t (x0, x1, y0, y1, z0, z1).
struct Projection {
  std::array<double, kDofs * kDofs> kdev{};
  std::array<double, kDofs> g{};
  double volume = 0.0;
};

Projection project_child(const elastic::ElementTemplate& t, const double* tp) {
  // P8[a][b]: weight of coarse local node b in child local node a.
  double P8[kNodes][kNodes];
  for (int a = 0; a < kNodes; ++a)
    for (int b = 0; b < kNodes; ++b) {
      double w = 1.0;
      for (int ax = 0; ax < 3; ++ax) {
        const double ta = tp[2 * ax + ((a >> ax) & 1)];  // position of the child's node
        w *= ((b >> ax) & 1) ? ta : 1.0 - ta;
      }
      P8[a][b] = w;
    }
  Projection p;
  p.volume = t.volume;
  // T1 = Kdev P (column-major: T1[col = 3b+c'][row = 3a+c]).
  std::array<double, kDofs * kDofs> T1{};
  for (int b = 0; b < kNodes; ++b)
    for (int cp = 0; cp < 3; ++cp)
      for (int ap = 0; ap < kNodes; ++ap) {
        const double w = P8[ap][b];
        if (w == 0.0) continue;
        const double* col = t.kdev.data() + (3 * ap + cp) * kDofs;
        double* out = T1.data() + (3 * b + cp) * kDofs;
        for (int r = 0; r < kDofs; ++r) out[r] += w * col[r];
      }
  for (int col = 0; col < kDofs; ++col)
    for (int b = 0; b < kNodes; ++b)
      for (int c = 0; c < 3; ++c) {
        double s = 0.0;
        for (int a = 0; a < kNodes; ++a) s += P8[a][b] * T1[std::size_t(col * kDofs + 3 * a + c)];
        p.kdev[std::size_t(col * kDofs + 3 * b + c)] = s;
      }
  for (int b = 0; b < kNodes; ++b)
    for (int c = 0; c < 3; ++c) {
      double s = 0.0;
      for (int a = 0; a < kNodes; ++a) s += P8[a][b] * t.g[std::size_t(3 * a + c)];
      p.g[std::size_t(3 * b + c)] = s;
    }
  return p;
}

}  // namespace

struct ElasticityMGPCG::Impl {
  const ElasticOperator* op = nullptr;
  std::vector<Level> levels;
  // Level-1 projections of the fine children, by (code_x, code_y, code_z), when few.
  ChildAxis cx, cy, cz;
  std::vector<Projection> proj;
  Eigen::LLT<Eigen::MatrixXd> coarse;
  std::vector<double> cg_r, cg_z, cg_p, cg_q;
  // Fluid regions: W_r = B G_r and the Woodbury capacitance S = C^-1 + G^T W.
  std::vector<std::vector<double>> wr;
  Eigen::LLT<Eigen::MatrixXd> cap;
  int degree_pre = 2, degree_post = 2;

  explicit Impl(const ElasticOperator& o) : op(&o) { build_hierarchy(); }

  void build_hierarchy() {
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

  Projection child_projection(int i, int j, int k) const {
    const double tp[6] = {cx.t0[std::size_t(i)], cx.t1[std::size_t(i)], cy.t0[std::size_t(j)],
                          cy.t1[std::size_t(j)], cz.t0[std::size_t(k)], cz.t1[std::size_t(k)]};
    return project_child(op->element_template(i, j, k), tp);
  }

  /// Level 1 = P^T A0 P from the fine element matrices.
  void galerkin_from_elements() {
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
  void galerkin_from_stencil(std::size_t l) {
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
                      const int px[2] = {F.mx.p0[std::size_t(gi)], F.mx.p1[std::size_t(gi)]};
                      const double wx[2] = {F.mx.w0[std::size_t(gi)], F.mx.w1[std::size_t(gi)]};
                      const int py[2] = {F.my.p0[std::size_t(gj)], F.my.p1[std::size_t(gj)]};
                      const double wy[2] = {F.my.w0[std::size_t(gj)], F.my.w1[std::size_t(gj)]};
                      const int pz[2] = {F.mz.p0[std::size_t(gk)], F.mz.p1[std::size_t(gk)]};
                      const double wz[2] = {F.mz.w0[std::size_t(gk)], F.mz.w1[std::size_t(gk)]};
                      for (int c3 = 0; c3 < 2; ++c3) {
                        if (wz[c3] == 0.0) continue;
                        for (int c2 = 0; c2 < 2; ++c2) {
                          if (wy[c2] == 0.0) continue;
                          for (int c1 = 0; c1 < 2; ++c1) {
                            if (wx[c1] == 0.0) continue;
                            const int oi = px[c1] - I, oj = py[c2] - J, ok = pz[c3] - K;
                            if (oi < -1 || oi > 1 || oj < -1 || oj > 1 || ok < -1 || ok > 1) continue;
                            const int slot = slot_of(oi, oj, ok);
                            if (slot < 0) continue;
                            const double w = wf * wx[c1] * wy[c2] * wz[c3];
                            double* out = Ac + kBlockSize * slot;
                            for (int e = 0; e < 9; ++e) out[e] += w * B[e];
                          }
                        }
                      }
                    }
              }
        }
    constrain_stencil(C);
  }

  void level_apply(std::size_t l, const double* u, double* y) const {
    if (l == 0)
      op->apply_elements(u, y);
    else
      stencil_apply(levels[l], u, y);
  }

  /// out = Dinv in (per node 3x3), scaled.
  static void block_jacobi(const Level& L, const double* in, double* out, double scale) {
    const std::size_t plane = L.plane() / 3;
    const int planes = L.NZ();
    const double* D = L.dinv.data();
#pragma omp parallel for schedule(static) if (L.parallel())
    for (int k = 0; k < planes; ++k)
      for (std::size_t n = plane * std::size_t(k); n < plane * std::size_t(k + 1); ++n) {
        double t[3];
        elastic::mul3(D + 9 * n, in + 3 * n, t);
        out[3 * n] = scale * t[0];
        out[3 * n + 1] = scale * t[1];
        out[3 * n + 2] = scale * t[2];
      }
  }

  /// Largest eigenvalue of Dinv A by Lanczos (the CG coefficients), deterministic start vector.
  double estimate_lmax(std::size_t l) {
    Level& L = levels[l];
    const std::size_t n = L.dofs();
    std::vector<double> r(n), z(n), p(n), q(n);
    std::uint64_t s = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i < n; ++i) {
      s ^= s << 13;
      s ^= s >> 7;
      s ^= s << 17;
      r[i] = double(s >> 11) * (1.0 / 9007199254740992.0) - 0.5;
    }
    for (std::size_t nd = 0; nd < L.nn; ++nd)
      for (int c = 0; c < 3; ++c)
        if (L.fixed[nd] & (1u << c)) r[3 * nd + std::size_t(c)] = 0.0;
    block_jacobi(L, r.data(), z.data(), 1.0);
    p = z;
    double rz = level_dot(L, r.data(), z.data());
    std::vector<double> alpha, beta;
    for (int it = 0; it < kLanczosSteps && rz > 0.0; ++it) {
      level_apply(l, p.data(), q.data());
      const double pq = level_dot(L, p.data(), q.data());
      if (!(pq > 0.0)) break;
      const double a = rz / pq;
      for (std::size_t i = 0; i < n; ++i) r[i] -= a * q[i];
      block_jacobi(L, r.data(), z.data(), 1.0);
      const double rz1 = level_dot(L, r.data(), z.data());
      const double b = rz1 / rz;
      alpha.push_back(a);
      beta.push_back(b);
      for (std::size_t i = 0; i < n; ++i) p[i] = z[i] + b * p[i];
      rz = rz1;
      if (!(rz > 0.0)) break;
    }
    const int m = int(alpha.size());
    if (m == 0) return 1.0;
    Eigen::MatrixXd T = Eigen::MatrixXd::Zero(m, m);
    for (int i = 0; i < m; ++i) {
      T(i, i) = 1.0 / alpha[std::size_t(i)] + (i > 0 ? beta[std::size_t(i - 1)] / alpha[std::size_t(i - 1)] : 0.0);
      if (i + 1 < m) T(i, i + 1) = T(i + 1, i) = std::sqrt(beta[std::size_t(i)]) / alpha[std::size_t(i)];
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(T, Eigen::EigenvaluesOnly);
    return es.eigenvalues().maxCoeff();
  }

  void refresh() {
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

  /// Fluid regions: W_r = B G_r (G_r without its prescribed dofs), S = C^-1 + G^T W, for the
  /// current smoothing degrees (B must be the V-cycle the solve uses).
  void prepare_regions() {
    const Level& L0 = levels[0];
    region_degrees = {degree_pre, degree_post};
    const std::vector<FluidRegion>& R = op->fluid_regions();
    const std::size_t nr = R.size(), n = L0.dofs();
    wr.assign(nr, {});
    std::vector<double> gfull(n, 0.0);
    std::vector<char> fixed(n, 0);
    for (std::size_t d : op->fixed_dofs()) fixed[d] = 1;
    for (std::size_t r = 0; r < nr; ++r) {
      std::fill(gfull.begin(), gfull.end(), 0.0);
      for (std::size_t q = 0; q < R[r].dofs.size(); ++q)
        if (!fixed[R[r].dofs[q]]) gfull[R[r].dofs[q]] = R[r].g[q];
      wr[r].assign(n, 0.0);
      vcycle(0, wr[r].data(), gfull.data());
    }
    Eigen::MatrixXd S = Eigen::MatrixXd::Zero(Eigen::Index(nr), Eigen::Index(nr));
    for (std::size_t r = 0; r < nr; ++r) {
      S(Eigen::Index(r), Eigen::Index(r)) += R[r].volume / R[r].bulk;
      for (std::size_t s = 0; s < nr; ++s) S(Eigen::Index(r), Eigen::Index(s)) += region_dot(R[r], wr[s].data(), fixed);
    }
    if (nr > 0) {
      cap.compute(0.5 * (S + S.transpose()));
      if (cap.info() != Eigen::Success) throw SolverError("elasticity multigrid: fluid-region capacitance not SPD");
    }
  }

  /// G_R . v over the free dofs.
  static double region_dot(const FluidRegion& R, const double* v, const std::vector<char>& fixed) {
    double s = 0.0;
    for (std::size_t q = 0; q < R.dofs.size(); ++q)
      if (!fixed[R.dofs[q]]) s += R.g[q] * v[R.dofs[q]];
    return s;
  }

  /// z = M^-1 r: the V-cycle B r, corrected for the fluid regions' rank-one terms (Woodbury).
  void precondition(double* z, const double* r) {
    vcycle(0, z, r);
    const std::vector<FluidRegion>& R = op->fluid_regions();
    if (R.empty()) return;
    const std::size_t nr = R.size(), n = levels[0].dofs();
    if (fixed_scratch.size() != n) {
      fixed_scratch.assign(n, 0);
      for (std::size_t d : op->fixed_dofs()) fixed_scratch[d] = 1;
    }
    Eigen::VectorXd t = Eigen::VectorXd::Zero(Eigen::Index(nr));
    for (std::size_t q = 0; q < nr; ++q) t[Eigen::Index(q)] = region_dot(R[q], z, fixed_scratch);
    const Eigen::VectorXd y = cap.solve(t);
    const bool par = levels[0].parallel();
    for (std::size_t q = 0; q < nr; ++q) {
      const double c = y[Eigen::Index(q)];
      const double* w = wr[q].data();
#pragma omp parallel for schedule(static) if (par)
      for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(n); ++i) z[i] -= c * w[i];
    }
  }
  std::vector<char> fixed_scratch;
  std::pair<int, int> region_degrees{0, 0};

  /// Chebyshev smoothing of A x = b on level l, degree m. With `zero`, x is taken as 0 on entry.
  /// On exit L.r holds b - A x.
  void chebyshev(std::size_t l, double* x, const double* b, int m, bool zero, bool need_residual = true) {
    Level& L = levels[l];
    const std::size_t n = L.dofs();
    double* r = L.r.data();
    double* d = L.d.data();
    double* w = L.w.data();
    const bool par = L.parallel();
    const std::ptrdiff_t nn = std::ptrdiff_t(n);
    if (zero) {
#pragma omp parallel for schedule(static) if (par)
      for (std::ptrdiff_t i = 0; i < nn; ++i) {
        r[i] = b[i];
        x[i] = 0.0;
      }
    } else {
      level_apply(l, x, w);
#pragma omp parallel for schedule(static) if (par)
      for (std::ptrdiff_t i = 0; i < nn; ++i) r[i] = b[i] - w[i];
    }
    const double hi = kChebyUpper * L.lmax, lo = hi / kChebyRatio;
    const double theta = 0.5 * (hi + lo), delta = 0.5 * (hi - lo);
    const double sigma = theta / delta;
    double rho = 1.0 / sigma;
    block_jacobi(L, r, d, 1.0 / theta);
    for (int it = 0; it < m; ++it) {
#pragma omp parallel for schedule(static) if (par)
      for (std::ptrdiff_t i = 0; i < nn; ++i) x[i] += d[i];
      if (it + 1 == m && !need_residual) break;
      level_apply(l, d, w);
      const double rho1 = 1.0 / (2.0 * sigma - rho);
      const double c1 = rho1 * rho, c2 = 2.0 * rho1 / delta;
      const double* D = L.dinv.data();
      const bool last = it + 1 == m;
      const std::ptrdiff_t nodes = std::ptrdiff_t(L.nn);
#pragma omp parallel for schedule(static) if (par)
      for (std::ptrdiff_t nd = 0; nd < nodes; ++nd) {
        double* rn = r + 3 * nd;
        rn[0] -= w[3 * nd];
        rn[1] -= w[3 * nd + 1];
        rn[2] -= w[3 * nd + 2];
        if (last) continue;
        double t[3];
        elastic::mul3(D + 9 * nd, rn, t);
        for (int c = 0; c < 3; ++c) d[3 * nd + c] = c1 * d[3 * nd + c] + c2 * t[c];
      }
      if (last) break;
      rho = rho1;
    }
  }

  void restrict_to(std::size_t l) {
    const Level& F = levels[l];
    Level& C = levels[l + 1];
    const double* r = F.r.data();
    double* b = C.b.data();
#pragma omp parallel for schedule(static) if (C.parallel())
    for (int K = 0; K < C.NZ(); ++K)
      for (int J = 0; J < C.NY(); ++J)
        for (int I = 0; I < C.NX(); ++I) {
          double acc[3] = {0.0, 0.0, 0.0};
          for (int ck = F.mz.cs[std::size_t(K)]; ck < F.mz.cs[std::size_t(K) + 1]; ++ck)
            for (int cj = F.my.cs[std::size_t(J)]; cj < F.my.cs[std::size_t(J) + 1]; ++cj) {
              const double wjk = F.my.chw[std::size_t(cj)] * F.mz.chw[std::size_t(ck)];
              for (int ci = F.mx.cs[std::size_t(I)]; ci < F.mx.cs[std::size_t(I) + 1]; ++ci) {
                const double w = wjk * F.mx.chw[std::size_t(ci)];
                const double* src =
                    r + 3 * F.node(F.mx.ch[std::size_t(ci)], F.my.ch[std::size_t(cj)], F.mz.ch[std::size_t(ck)]);
                acc[0] += w * src[0];
                acc[1] += w * src[1];
                acc[2] += w * src[2];
              }
            }
          const std::size_t nc = C.node(I, J, K);
          const unsigned fx = C.fixed[nc];
          for (int c = 0; c < 3; ++c) b[3 * nc + std::size_t(c)] = (fx & (1u << c)) ? 0.0 : acc[c];
        }
  }

  void prolong_add(std::size_t l, double* x) {
    const Level& F = levels[l];
    const Level& C = levels[l + 1];
    const double* e = C.x.data();
#pragma omp parallel for schedule(static) if (F.parallel())
    for (int k = 0; k < F.NZ(); ++k)
      for (int j = 0; j < F.NY(); ++j)
        for (int i = 0; i < F.NX(); ++i) {
          const int px[2] = {F.mx.p0[std::size_t(i)], F.mx.p1[std::size_t(i)]};
          const double wx[2] = {F.mx.w0[std::size_t(i)], F.mx.w1[std::size_t(i)]};
          const int py[2] = {F.my.p0[std::size_t(j)], F.my.p1[std::size_t(j)]};
          const double wy[2] = {F.my.w0[std::size_t(j)], F.my.w1[std::size_t(j)]};
          const int pz[2] = {F.mz.p0[std::size_t(k)], F.mz.p1[std::size_t(k)]};
          const double wz[2] = {F.mz.w0[std::size_t(k)], F.mz.w1[std::size_t(k)]};
          double acc[3] = {0.0, 0.0, 0.0};
          for (int c3 = 0; c3 < 2; ++c3) {
            if (wz[c3] == 0.0) continue;
            for (int c2 = 0; c2 < 2; ++c2) {
              if (wy[c2] == 0.0) continue;
              for (int c1 = 0; c1 < 2; ++c1) {
                if (wx[c1] == 0.0) continue;
                const double w = wx[c1] * wy[c2] * wz[c3];
                const double* src = e + 3 * C.node(px[c1], py[c2], pz[c3]);
                acc[0] += w * src[0];
                acc[1] += w * src[1];
                acc[2] += w * src[2];
              }
            }
          }
          double* dst = x + 3 * F.node(i, j, k);
          const unsigned fx = F.fixed[F.node(i, j, k)];
          for (int c = 0; c < 3; ++c)
            if (!(fx & (1u << c))) dst[c] += acc[c];
        }
  }

  /// x = V-cycle(b) on level l (x overwritten).
  void vcycle(std::size_t l, double* x, const double* b) {
    Level& L = levels[l];
    if (l + 1 == levels.size()) {
      const Eigen::Map<const Eigen::VectorXd> bv(b, Eigen::Index(L.dofs()));
      Eigen::Map<Eigen::VectorXd> xv(x, Eigen::Index(L.dofs()));
      xv = coarse.solve(bv);
      return;
    }
    chebyshev(l, x, b, degree_pre, true);
    restrict_to(l);
    Level& C = levels[l + 1];
    vcycle(l + 1, C.x.data(), C.b.data());
    prolong_add(l, x);
    chebyshev(l, x, b, degree_post, false, false);
  }
};

ElasticityMGPCG::ElasticityMGPCG(const ElasticOperator& op) : impl_(std::make_unique<Impl>(op)) { impl_->refresh(); }
ElasticityMGPCG::~ElasticityMGPCG() = default;
ElasticityMGPCG::ElasticityMGPCG(ElasticityMGPCG&&) noexcept = default;
ElasticityMGPCG& ElasticityMGPCG::operator=(ElasticityMGPCG&&) noexcept = default;

void ElasticityMGPCG::update() { impl_->refresh(); }
int ElasticityMGPCG::levels() const { return int(impl_->levels.size()); }
std::vector<std::size_t> ElasticityMGPCG::level_dofs() const {
  std::vector<std::size_t> out;
  for (const Level& L : impl_->levels) out.push_back(L.dofs());
  return out;
}

SolveStats ElasticityMGPCG::solve(const std::vector<double>& f, std::vector<double>& u, const SolveOptions& opts) {
  Impl& m = *impl_;
  const ElasticOperator& op = *m.op;
  const std::size_t n = op.num_dofs();
  HPHTSIM_CHECK(f.size() == n && u.size() == n, "elasticity solve: f and u need " << n << " entries, got " << f.size()
                                                                                  << " and " << u.size());
  HPHTSIM_CHECK(opts.rel_tol > 0.0 && opts.rel_tol < 1.0, "rel_tol must be in (0, 1), got " << opts.rel_tol);
  HPHTSIM_CHECK(opts.max_iterations >= 1, "max_iterations must be >= 1");
  HPHTSIM_CHECK(opts.pre_smooth >= 1 && opts.post_smooth >= 1, "Chebyshev degrees must be >= 1");
  m.degree_pre = opts.pre_smooth;
  m.degree_post = opts.post_smooth;
  if (!op.fluid_regions().empty() && m.region_degrees != std::make_pair(m.degree_pre, m.degree_post))
    m.prepare_regions();
  const auto t0 = Clock::now();
  SolveStats st;
  const Level& L0 = m.levels[0];
  m.cg_r.resize(n);
  m.cg_z.resize(n);
  m.cg_p.resize(n);
  m.cg_q.resize(n);
  double* r = m.cg_r.data();
  double* z = m.cg_z.data();
  double* p = m.cg_p.data();
  double* q = m.cg_q.data();
  // Reference norm: the load with the reactions of the prescribed values, over all rows.
  {
    std::vector<double> up(n, 0.0);
    for (std::size_t d : op.fixed_dofs()) up[d] = u[d];
    op.residual(f.data(), up.data(), r, true);
  }
  const double ref = std::sqrt(level_dot(L0, r, r));
  if (!std::isfinite(ref)) throw SolverError("elasticity solve: right-hand side is not finite");
  op.residual(f.data(), u.data(), r);
  double rn = std::sqrt(level_dot(L0, r, r));
  st.setup_seconds = 0.0;
  if (ref == 0.0) {  // no load and no prescribed displacement: the solution is u_p itself
    std::vector<double> up(n, 0.0);
    for (std::size_t d : op.fixed_dofs()) up[d] = u[d];
    u.swap(up);
    st.solve_seconds = seconds_since(t0);
    return st;
  }
  if (rn <= opts.rel_tol * ref) {
    st.rel_residual = rn / ref;
    st.solve_seconds = seconds_since(t0);
    return st;
  }
  m.precondition(z, r);
  std::copy(z, z + n, p);
  double rz = level_dot(L0, r, z);
  int it = 0;
  while (true) {
    op.apply(p, q);
    const double pq = level_dot(L0, p, q);
    if (!(pq > 0.0)) {
      std::ostringstream os;
      os << "elasticity MG-PCG: breakdown (p.Ap = " << pq << ") at iteration " << it;
      throw SolverError(os.str());
    }
    const double alpha = rz / pq;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(n); ++i) {
      u[std::size_t(i)] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    ++it;
    rn = std::sqrt(level_dot(L0, r, r));
    if (!std::isfinite(rn)) throw SolverError("elasticity MG-PCG: residual is not finite");
    if (rn <= opts.rel_tol * ref) break;
    if (it >= opts.max_iterations) {
      std::ostringstream os;
      os << "elasticity MG-PCG: not converged after " << it << " iterations: relative residual " << rn / ref
         << ", tolerance " << opts.rel_tol;
      throw SolverError(os.str());
    }
    m.precondition(z, r);
    const double rz1 = level_dot(L0, r, z);
    const double beta = rz1 / rz;
    rz = rz1;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(n); ++i) p[i] = z[i] + beta * p[i];
  }
  st.iterations = it;
  st.rel_residual = rn / ref;
  st.solve_seconds = seconds_since(t0);
  return st;
}

}  // namespace hphtsim::solvers
