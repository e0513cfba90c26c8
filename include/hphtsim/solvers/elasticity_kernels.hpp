// SPDX-License-Identifier: MIT
// Element math of the Q1 (trilinear, 8-node hexahedron) displacement discretisation of linear
// elasticity with the mean-dilatation (B-bar) treatment of the volumetric part, on the box cells
// of a core::Grid. Pure, inline functions on raw arrays, apart from the classes that loop,
// thread and own memory (elasticity.hpp).
//
// Element nodes a = a1 + 2 a2 + 4 a3 (a1, a2, a3 in {0,1}: the low/high corner along x, y, z,
// x fastest as the grid), element dofs 3 a + c (c = 0,1,2: the x, y, z component). In reference
// coordinates xi in [0,1]^3 the shape functions are N_a = phi_a1(xi1) phi_a2(xi2) phi_a3(xi3),
// phi_0 = 1 - xi, phi_1 = xi, and for a box of edges (hx, hy, hz) dN_a/dx_c = phi'_{a_c} / h_c
// times the other two factors.
//
// Energy of one element with shear modulus mu and bulk modulus K:
//   W = integral of mu |dev eps|^2 dV + (1/2) K V theta^2 = (1/2) u^T (mu Kdev + K V g g^T) u,
// theta = g . u the element's mean dilatation, where Kdev = integral of B^T Ddev B (unit shear modulus, 2x2x2 Gauss: exact for a box), Ddev
// the deviatoric part of the isotropic elasticity matrix, and g the element mean of the
// divergence operator, g_{3a+c} = (1/V) integral dN_a/dx_c dV = phi'_{a_c} / (4 h_c): the
// dilatation is replaced by its element mean (B-bar, Hughes 1980), which removes volumetric
// locking as K/mu grows (molten solvent) and makes the cell pressure p = -K (g.u - e) a
// single value per cell, consistent with the energy.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace hphtsim::solvers::elastic {

constexpr int kNodes = 8;
constexpr int kDofs = 24;

/// Element data for one cell size: Kdev (unit shear modulus; 24x24, symmetric, stored
/// column-major), the mean-divergence vector g and the cell volume.
struct ElementTemplate {
  std::array<double, kDofs * kDofs> kdev{};
  std::array<double, kDofs> g{};
  double volume = 0.0;
};

/// 1-D two-point Gauss abscissae on [0,1] (weights 1/2 each).
inline constexpr double kGauss0 = 0.5 - 0.28867513459481288225;  // 1/2 - 1/(2 sqrt 3)
inline constexpr double kGauss1 = 0.5 + 0.28867513459481288225;

/// Reference parts of Kdev: Kdev(hx, hy, hz) = V sum over p, q of R_pq / (h_p h_q), R_pq the
/// 2x2x2-Gauss sum over the unit cube of B_p^T Ddev B_q / 8, B_p the strain operator restricted
/// to the derivatives along axis p (B = sum_p B_p / h_p for a box). Computed once.
struct KdevReference {
  std::array<std::array<double, kDofs * kDofs>, 9> r{};  ///< r[p + 3 q], column-major
  KdevReference() {
    const double gp[2] = {kGauss0, kGauss1};
    for (int q = 0; q < 8; ++q) {
      const double xi[3] = {gp[q & 1], gp[(q >> 1) & 1], gp[(q >> 2) & 1]};
      // Bp[p]: 6 x 24 strain operator from d/dxi_p only (unit cube).
      double Bp[3][6][kDofs] = {};
      for (int a = 0; a < kNodes; ++a) {
        double d[3];
        for (int p = 0; p < 3; ++p) {
          d[p] = 1.0;
          for (int c = 0; c < 3; ++c) {
            const bool hi = ((a >> c) & 1) != 0;
            d[p] *= c == p ? (hi ? 1.0 : -1.0) : (hi ? xi[c] : 1.0 - xi[c]);
          }
        }
        // Voigt rows xx, yy, zz, yz, xz, xy; the derivative along p of component c.
        Bp[0][0][3 * a + 0] = d[0];
        Bp[1][1][3 * a + 1] = d[1];
        Bp[2][2][3 * a + 2] = d[2];
        Bp[2][3][3 * a + 1] = d[2];
        Bp[1][3][3 * a + 2] = d[1];
        Bp[2][4][3 * a + 0] = d[2];
        Bp[0][4][3 * a + 2] = d[0];
        Bp[1][5][3 * a + 0] = d[1];
        Bp[0][5][3 * a + 1] = d[0];
      }
      for (int pq = 0; pq < 9; ++pq) {
        const int p = pq % 3, qq = pq / 3;
        for (int col = 0; col < kDofs; ++col) {
          const double tr = (Bp[qq][0][col] + Bp[qq][1][col] + Bp[qq][2][col]) / 3.0;
          double DB[6];
          for (int v = 0; v < 3; ++v) DB[v] = 2.0 * (Bp[qq][v][col] - tr);
          for (int v = 3; v < 6; ++v) DB[v] = Bp[qq][v][col];
          for (int row = 0; row < kDofs; ++row) {
            double sum = 0.0;
            for (int v = 0; v < 6; ++v) sum += Bp[p][v][row] * DB[v];
            r[std::size_t(pq)][std::size_t(col * kDofs + row)] += sum / 8.0;
          }
        }
      }
    }
  }
  static const KdevReference& get() {
    static const KdevReference ref;
    return ref;
  }
};

/// Template for a box of edges hx, hy, hz: Kdev = sum over the 8 Gauss points of (V/8) B^T Ddev B,
/// with engineering-shear Voigt strains (xx, yy, zz, yz, xz, xy) and
/// Ddev = [[2 (I - 1 1^T / 3), 0], [0, I]] (mu = 1), formed from KdevReference.
inline ElementTemplate element_template(double hx, double hy, double hz) {
  ElementTemplate t;
  t.volume = hx * hy * hz;
  const double h[3] = {hx, hy, hz};
  const KdevReference& ref = KdevReference::get();
  for (int pq = 0; pq < 9; ++pq) {
    const double s = t.volume / (h[pq % 3] * h[pq / 3]);
    const auto& r = ref.r[std::size_t(pq)];
    for (std::size_t e = 0; e < r.size(); ++e) t.kdev[e] += s * r[e];
  }
  for (int a = 0; a < kNodes; ++a) {
    const int ac[3] = {a & 1, (a >> 1) & 1, (a >> 2) & 1};
    for (int c = 0; c < 3; ++c) t.g[std::size_t(3 * a + c)] = (ac[c] ? 1.0 : -1.0) / (4.0 * h[c]);
  }
  // Exact symmetry (R_pq = R_qp^T, so the sum is symmetric up to round-off).
  for (int c = 0; c < kDofs; ++c)
    for (int r = c + 1; r < kDofs; ++r) {
      const double m = 0.5 * (t.kdev[std::size_t(c * kDofs + r)] + t.kdev[std::size_t(r * kDofs + c)]);
      t.kdev[std::size_t(c * kDofs + r)] = m;
      t.kdev[std::size_t(r * kDofs + c)] = m;
    }
  return t;
}

/// The 3x3 block (row-major) of Kdev(hx, hy, hz) at element node a with itself, in closed form
/// from the separable integrals (element_apply_separable): with s_pq = V / (h_p h_q) and
/// sigma_c = -1 / +1 for the low / high node along c, Ghat(q, q)(a, a) = 1/9 and
/// Ghat(p, r)(a, a) = sigma_p sigma_r / 12, so the block is
/// (sum_q s_qq) / 9 + s_cc / 27 on the diagonal and s_cc' sigma_c sigma_c' / 36 off it.
inline void kdev_diagonal_block(const double* h, int a, double* blk) {
  const double V = h[0] * h[1] * h[2];
  double sigma[3];
  for (int c = 0; c < 3; ++c) sigma[c] = ((a >> c) & 1) ? 1.0 : -1.0;
  const double lap = (V / (h[0] * h[0]) + V / (h[1] * h[1]) + V / (h[2] * h[2])) / 9.0;
  for (int c = 0; c < 3; ++c)
    for (int cc = 0; cc < 3; ++cc)
      blk[3 * c + cc] = c == cc ? lap + V / (h[c] * h[c]) / 27.0 : V / (h[c] * h[cc]) * sigma[c] * sigma[cc] / 36.0;
}

/// ye = mu Kdev ue + K V (g . ue) g (overwrites ye), by the template: the reference the
/// sum-factorised product is tested against. Column-major Kdev: the inner loop runs down a
/// column, so it vectorises without reassociating sums.
inline void element_apply(const ElementTemplate& t, double mu, double kv, const double* ue, double* ye) {
  double acc[kDofs] = {};
  double gu = 0.0;
  for (int c = 0; c < kDofs; ++c) {
    const double uc = ue[c];
    const double* col = t.kdev.data() + c * kDofs;
    for (int r = 0; r < kDofs; ++r) acc[r] += col[r] * uc;
    gu += t.g[std::size_t(c)] * uc;
  }
  const double sv = kv * gu;  // K V (g . u)
  for (int r = 0; r < kDofs; ++r) ye[r] = mu * acc[r] + sv * t.g[std::size_t(r)];
}

/// The same product for any box (hx, hy, hz) without a template, by the 2x2x2 Gauss rule:
/// gradients at each point, deviatoric stress, back through B^T (about 1.5k flops): an
/// independent check of the template (tests).
inline void element_apply_generic(double hx, double hy, double hz, double mu, double kv, const double* ue,
                                  double* ye) {
  const double ih[3] = {1.0 / hx, 1.0 / hy, 1.0 / hz};
  const double w = mu * hx * hy * hz / 8.0;
  const double gp[2] = {kGauss0, kGauss1};
  // Volumetric part: kv (g.u) g, g_{3a+c} = +-1/(4 h_c).
  double gu = 0.0;
  for (int a = 0; a < kNodes; ++a)
    for (int c = 0; c < 3; ++c) gu += (((a >> c) & 1) ? 0.25 : -0.25) * ih[c] * ue[3 * a + c];
  for (int a = 0; a < kNodes; ++a)
    for (int c = 0; c < 3; ++c) ye[3 * a + c] = kv * gu * (((a >> c) & 1) ? 0.25 : -0.25) * ih[c];
  for (int q = 0; q < 8; ++q) {
    const double xi[3] = {gp[q & 1], gp[(q >> 1) & 1], gp[(q >> 2) & 1]};
    double dn[kNodes][3];
    for (int a = 0; a < kNodes; ++a) {
      double phi[3], dphi[3];
      for (int c = 0; c < 3; ++c) {
        const bool hi = ((a >> c) & 1) != 0;
        phi[c] = hi ? xi[c] : 1.0 - xi[c];
        dphi[c] = hi ? ih[c] : -ih[c];
      }
      dn[a][0] = dphi[0] * phi[1] * phi[2];
      dn[a][1] = phi[0] * dphi[1] * phi[2];
      dn[a][2] = phi[0] * phi[1] * dphi[2];
    }
    double gr[3][3] = {};  // gr[c][p] = d u_c / d x_p
    for (int a = 0; a < kNodes; ++a)
      for (int c = 0; c < 3; ++c)
        for (int p = 0; p < 3; ++p) gr[c][p] += dn[a][p] * ue[3 * a + c];
    // s = 2 w dev(sym grad): the deviatoric stress per unit shear modulus times the weight.
    const double tr = (gr[0][0] + gr[1][1] + gr[2][2]) / 3.0;
    double s[3][3];
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 3; ++p) s[c][p] = w * (gr[c][p] + gr[p][c]);
    for (int c = 0; c < 3; ++c) s[c][c] -= 2.0 * w * tr;
    for (int a = 0; a < kNodes; ++a)
      for (int c = 0; c < 3; ++c)
        ye[3 * a + c] += dn[a][0] * s[c][0] + dn[a][1] * s[c][1] + dn[a][2] * s[c][2];
  }
}

/// Pieces of element_apply_separable (below).
namespace separable {

#if defined(__GNUC__)
#define HPHTSIM_SEPARABLE_INLINE inline __attribute__((always_inline))
#else
#define HPHTSIM_SEPARABLE_INLINE inline
#endif

/// The two axes other than R (lower first); a 4-vector over them is indexed by
/// m = bit(O1) + 2 bit(O2).
template <int R> constexpr int other0 = R == 0 ? 1 : 0;
template <int R> constexpr int other1 = R == 2 ? 1 : 2;
/// The stride of `Axis` in the 4-index over the axes other than `Removed`.
template <int Removed, int Axis> constexpr int stride = other0<Removed> == Axis ? 1 : 2;

/// d[c][m] = difference along R of component c.
template <int R, class T>
HPHTSIM_SEPARABLE_INLINE void differences(const T* ue, T (*d)[4]) {
  for (int m = 0; m < 4; ++m) {
    const int lo = ((m & 1) << other0<R>) | ((m >> 1) << other1<R>);
    const int hi = lo | (1 << R);
    for (int c = 0; c < 3; ++c) d[c][m] = ue[3 * hi + c] - ue[3 * lo + c];
  }
}

/// w = coef (M x M) v, M = [1/3 1/6; 1/6 1/3] along each of the two axes.
template <class T>
HPHTSIM_SEPARABLE_INLINE void mass2(T coef, const T* v, T* w) {
  const T t0 = 2.0 * v[0] + v[1], t1 = v[0] + 2.0 * v[1], t2 = 2.0 * v[2] + v[3], t3 = v[2] + 2.0 * v[3];
  const T c = coef * (1.0 / 36.0);
  w[0] = c * (2.0 * t0 + t2);
  w[1] = c * (2.0 * t1 + t3);
  w[2] = c * (t0 + 2.0 * t2);
  w[3] = c * (t1 + 2.0 * t3);
}

/// The cross terms of f_A from U_Q (A != Q, T the third axis): s_AQ Ghat(Q, A) U_Q into W[A][Q]
/// and -(2/3) s_AQ Ghat(A, Q) U_Q into W[A][A]; each a function of i_T.
template <int A, int Q, class V>
HPHTSIM_SEPARABLE_INLINE void cross(V saq, const V (*d)[3][4], V (*W)[3][4]) {
  constexpr int T = 3 - A - Q;
  {
    constexpr int sq = stride<A, Q>, st = stride<A, T>, wt = stride<Q, T>;
    const V* v = d[Q][A];  // differences of U_Q along A, over the axes other than A
    const V e0 = v[0] + v[sq], e1 = v[st] + v[sq + st];
    const V g0 = 0.25 * saq * (e0 * (1.0 / 3.0) + e1 * (1.0 / 6.0));
    const V g1 = 0.25 * saq * (e0 * (1.0 / 6.0) + e1 * (1.0 / 3.0));
    for (int m = 0; m < 4; ++m) W[A][Q][m] += (m & wt) ? g1 : g0;
  }
  {
    constexpr int sa = stride<Q, A>, st = stride<Q, T>, wt = stride<A, T>;
    const V* v = d[Q][Q];  // differences of U_Q along Q, over the axes other than Q
    const V e0 = v[0] + v[sa], e1 = v[st] + v[sa + st];
    const V w = -(2.0 / 3.0) * 0.25 * saq;
    const V g0 = w * (e0 * (1.0 / 3.0) + e1 * (1.0 / 6.0));
    const V g1 = w * (e0 * (1.0 / 6.0) + e1 * (1.0 / 3.0));
    for (int m = 0; m < 4; ++m) W[A][A][m] += (m & wt) ? g1 : g0;
  }
}

}  // namespace separable

/// The same product by sum factorisation (no template, no quadrature): on a box every
/// integral of the Q1 element factors into 1-D ones. With U_c the 8 nodal values of component
/// c, s_pq = mu V / (h_p h_q), Ghat(p, r) = the unit-cube integral of dN_i/dxi_p dN_j/dxi_r,
/// the deviatoric form 2 eps(u):eps(v) - (2/3) div u div v gives
///   f_a = sum_q s_qq A_q U_a + (1/3) s_aa A_a U_a + sum_{q != a} s_aq (Ghat(q, a) - (2/3) Ghat(a, q)) U_q,
/// A_q = Ghat(q, q). With the 1-D integrals (phi' phi' = +-1, phi' phi = +-1/2,
/// phi phi = M = [1/3 1/6; 1/6 1/3]) every term is sigma(i_q) times a function of the node's
/// two other indices (sigma = -1 at the low node, +1 at the high one): A_q U is sigma(i_q) times
/// M x M applied to U's differences along q, Ghat(p, r) U is sigma(i_p) / 4 times M applied to
/// the differences along r summed over p. ih: 1 / hx, 1 / hy, 1 / hz. About 400 flops against
/// the template's 1.3k, and no template to stream (a graded grid has thousands of cell sizes).
/// T: double, or a SIMD vector type whose lanes are as many elements (every operation is
/// elementwise; GCC / Clang vector extensions).
template <class T>
HPHTSIM_SEPARABLE_INLINE void element_apply_separable(const T* ih, T volume, T mu, T kv, const T* ue, T* ye) {
  using namespace separable;
  const T mv = mu * volume;
  // d[c][r][m]: difference along r of component c (its 4-index over the axes other than r).
  T d[3][3][4];
  {
    T t[3][4];
    differences<0>(ue, t);
    for (int c = 0; c < 3; ++c)
      for (int m = 0; m < 4; ++m) d[c][0][m] = t[c][m];
    differences<1>(ue, t);
    for (int c = 0; c < 3; ++c)
      for (int m = 0; m < 4; ++m) d[c][1][m] = t[c][m];
    differences<2>(ue, t);
    for (int c = 0; c < 3; ++c)
      for (int m = 0; m < 4; ++m) d[c][2][m] = t[c][m];
  }
  // W[a][q][m]: f_a at node i = sum_q sigma(i_q) W[a][q][m_q(i)].
  T W[3][3][4];
  const T sqq[3] = {mv * ih[0] * ih[0], mv * ih[1] * ih[1], mv * ih[2] * ih[2]};
  for (int a = 0; a < 3; ++a)
    for (int q = 0; q < 3; ++q) mass2<T>(q == a ? (4.0 / 3.0) * sqq[q] : sqq[q], d[a][q], W[a][q]);
  const T sxy = mv * ih[0] * ih[1], sxz = mv * ih[0] * ih[2], syz = mv * ih[1] * ih[2];
  cross<0, 1>(sxy, d, W);
  cross<0, 2>(sxz, d, W);
  cross<1, 0>(sxy, d, W);
  cross<1, 2>(syz, d, W);
  cross<2, 0>(sxz, d, W);
  cross<2, 1>(syz, d, W);
  // Volumetric (B-bar) part: kv (g . u) g, g_{3a+c} = sigma(a_c) / (4 h_c).
  T gu = 0.25 * ih[0] * (d[0][0][0] + d[0][0][1] + d[0][0][2] + d[0][0][3]);
  for (int c = 1; c < 3; ++c) gu += 0.25 * ih[c] * (d[c][c][0] + d[c][c][1] + d[c][c][2] + d[c][c][3]);
  for (int c = 0; c < 3; ++c) {
    const T add = kv * gu * 0.25 * ih[c];
    for (int m = 0; m < 4; ++m) W[c][c][m] += add;
  }
  for (int i = 0; i < kNodes; ++i) {
    const int m0 = ((i >> 1) & 1) | (((i >> 2) & 1) << 1), m1 = (i & 1) | (((i >> 2) & 1) << 1),
              m2 = (i & 1) | (((i >> 1) & 1) << 1);
    for (int a = 0; a < 3; ++a) {
      const T f0 = (i & 1) ? W[a][0][m0] : -W[a][0][m0];
      const T f1 = (i & 2) ? W[a][1][m1] : -W[a][1][m1];
      const T f2 = (i & 4) ? W[a][2][m2] : -W[a][2][m2];
      ye[3 * i + a] = f0 + f1 + f2;
    }
  }
}

/// The Galerkin projection of a child box onto the coarse box that holds it: P^T Kdev P
/// (unit shear modulus; 24 x 24, column-major) and P^T g, P the trilinear interpolation of the
/// coarse corners at the child's nodes. h: the child's edges; tp: its node positions in the
/// coarse box along each axis (x0, x1, y0, y1, z0, z1, in [0, 1]). The interpolation is a tensor
/// product, and so is every 1-D factor of Kdev (element_apply_separable): each factor is
/// projected on its own (2 x 2), and an entry of the projected Ghat(p, r) is a product of three.
/// About 4k flops, against 15k for the 24 x 24 products with the template.
inline void projected_element(const double* h, const double* tp, double* kdev, double* g) {
  // Unit 1-D integrals on the child (test index i, trial j): phi' phi' (K), phi' phi (D),
  // phi phi' (Dt), phi phi (M); the derivative and the value of the divergence's mean.
  static constexpr double base[4][2][2] = {{{1.0, -1.0}, {-1.0, 1.0}},
                                           {{-0.5, -0.5}, {0.5, 0.5}},
                                           {{-0.5, 0.5}, {-0.5, 0.5}},
                                           {{1.0 / 3.0, 1.0 / 6.0}, {1.0 / 6.0, 1.0 / 3.0}}};
  static constexpr double mean[2][2] = {{-1.0, 1.0}, {0.5, 0.5}};
  double X[3][4][2][2], gv[3][2][2];
  for (int ax = 0; ax < 3; ++ax) {
    const double P[2][2] = {{1.0 - tp[2 * ax], tp[2 * ax]}, {1.0 - tp[2 * ax + 1], tp[2 * ax + 1]}};
    for (int kind = 0; kind < 4; ++kind)
      for (int b = 0; b < 2; ++b)
        for (int bb = 0; bb < 2; ++bb) {
          double v = 0.0;
          for (int a = 0; a < 2; ++a)
            for (int aa = 0; aa < 2; ++aa) v += P[a][b] * base[kind][a][aa] * P[aa][bb];
          X[ax][kind][b][bb] = v;
        }
    for (int kind = 0; kind < 2; ++kind)
      for (int b = 0; b < 2; ++b) gv[ax][kind][b] = P[0][b] * mean[kind][0] + P[1][b] * mean[kind][1];
  }
  // G[p][r][B][B'] = Ghat(p, r) between coarse nodes B (test) and B' (trial).
  double G[3][3][kNodes][kNodes];
  for (int p = 0; p < 3; ++p)
    for (int r = 0; r < 3; ++r) {
      int kind[3];
      for (int ax = 0; ax < 3; ++ax) kind[ax] = ax == p && ax == r ? 0 : ax == p ? 1 : ax == r ? 2 : 3;
      for (int B = 0; B < kNodes; ++B)
        for (int Bb = 0; Bb < kNodes; ++Bb)
          G[p][r][B][Bb] = X[0][kind[0]][B & 1][Bb & 1] * X[1][kind[1]][(B >> 1) & 1][(Bb >> 1) & 1] *
                           X[2][kind[2]][(B >> 2) & 1][(Bb >> 2) & 1];
    }
  const double V = h[0] * h[1] * h[2];
  double sv[3][3];
  for (int p = 0; p < 3; ++p)
    for (int q = 0; q < 3; ++q) sv[p][q] = V / (h[p] * h[q]);
  for (int B = 0; B < kNodes; ++B)
    for (int Bb = 0; Bb < kNodes; ++Bb) {
      const double lap = sv[0][0] * G[0][0][B][Bb] + sv[1][1] * G[1][1][B][Bb] + sv[2][2] * G[2][2][B][Bb];
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
          const double v = a == b ? lap + (1.0 / 3.0) * sv[a][a] * G[a][a][B][Bb]
                                  : sv[a][b] * (G[b][a][B][Bb] - (2.0 / 3.0) * G[a][b][B][Bb]);
          kdev[(3 * Bb + b) * kDofs + 3 * B + a] = v;
        }
    }
  for (int B = 0; B < kNodes; ++B)
    for (int c = 0; c < 3; ++c) {
      double v = 1.0 / h[c];
      for (int ax = 0; ax < 3; ++ax) v *= gv[ax][ax == c ? 0 : 1][(B >> ax) & 1];
      g[3 * B + c] = v;
    }
}

/// Inverse of a symmetric positive definite 3x3 block (row-major), by cofactors.
inline void invert3(const double* a, double* inv) {
  const double c00 = a[4] * a[8] - a[5] * a[7], c01 = a[5] * a[6] - a[3] * a[8],
               c02 = a[3] * a[7] - a[4] * a[6];
  const double det = a[0] * c00 + a[1] * c01 + a[2] * c02;
  const double id = 1.0 / det;
  inv[0] = c00 * id;
  inv[1] = (a[2] * a[7] - a[1] * a[8]) * id;
  inv[2] = (a[1] * a[5] - a[2] * a[4]) * id;
  inv[3] = c01 * id;
  inv[4] = (a[0] * a[8] - a[2] * a[6]) * id;
  inv[5] = (a[2] * a[3] - a[0] * a[5]) * id;
  inv[6] = c02 * id;
  inv[7] = (a[1] * a[6] - a[0] * a[7]) * id;
  inv[8] = (a[0] * a[4] - a[1] * a[3]) * id;
}

/// y = M x for a row-major 3x3 block (y = M^T x for mul3t).
inline void mul3(const double* m, const double* x, double* y) {
  y[0] = m[0] * x[0] + m[1] * x[1] + m[2] * x[2];
  y[1] = m[3] * x[0] + m[4] * x[1] + m[5] * x[2];
  y[2] = m[6] * x[0] + m[7] * x[1] + m[8] * x[2];
}
inline void mul3_add(const double* m, const double* x, double* y) {
  y[0] += m[0] * x[0] + m[1] * x[1] + m[2] * x[2];
  y[1] += m[3] * x[0] + m[4] * x[1] + m[5] * x[2];
  y[2] += m[6] * x[0] + m[7] * x[1] + m[8] * x[2];
}
inline void mul3t_add(const double* m, const double* x, double* y) {
  y[0] += m[0] * x[0] + m[3] * x[1] + m[6] * x[2];
  y[1] += m[1] * x[0] + m[4] * x[1] + m[7] * x[2];
  y[2] += m[2] * x[0] + m[5] * x[1] + m[8] * x[2];
}

}  // namespace hphtsim::solvers::elastic
