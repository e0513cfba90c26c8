// SPDX-License-Identifier: MIT
// Unit tests of the elasticity operator and its solvers (solvers/elasticity*.hpp): element
// templates (symmetry, rigid-body null space, agreement with the generic quadrature kernel),
// patch test, operator symmetry and agreement with the assembled Eigen matrix, MG-PCG against
// the Eigen reference, independence of the thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/grid.hpp"
#include "hphtsim/solvers/elasticity.hpp"
#include "hphtsim/solvers/elasticity_reference.hpp"

namespace hs = hphtsim::solvers;
namespace hc = hphtsim::core;
namespace he = hphtsim::solvers::elastic;

namespace {

std::vector<double> random_vector(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<double> v(n);
  for (double& x : v) x = d(gen);
  return v;
}

/// Graded edges: x_i = L (s + a sin(pi s)) / (1), s = i/n, a small.
std::vector<double> graded(int n, double L, double a) {
  std::vector<double> e(std::size_t(n) + 1);
  for (int i = 0; i <= n; ++i) {
    const double s = double(i) / n;
    e[std::size_t(i)] = L * (s + a * std::sin(M_PI * s) / M_PI);
  }
  return e;
}

/// Heterogeneous moduli: pyrophyllite background, a diamond-stiff block and a nearly
/// incompressible (melt-like) block.
void inclusion_moduli(const hc::Grid& g, std::vector<double>& mu, std::vector<double>& kb) {
  mu.assign(g.size(), 24e9);
  kb.assign(g.size(), 40e9);
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const double x = (g.xc(i) - g.x.front()) / (g.x.back() - g.x.front());
        const double y = (g.yc(j) - g.y.front()) / (g.y.back() - g.y.front());
        const double z = (g.zc(k) - g.z.front()) / (g.z.back() - g.z.front());
        const std::size_t c = g.index(i, j, k);
        if (x > 0.2 && x < 0.45 && y > 0.3 && y < 0.7 && z > 0.3 && z < 0.6) {  // diamond
          mu[c] = 530e9;
          kb[c] = 440e9;
        }
        if (x > 0.55 && x < 0.8 && y > 0.25 && y < 0.65 && z > 0.4 && z < 0.75) {  // melt
          mu[c] = 1e9;
          kb[c] = 100e9;
        }
      }
}

TEST(ElasticityTemplate, SymmetricWithRigidBodyNullSpace) {
  const he::ElementTemplate t = he::element_template(1.0, 0.7, 1.9);
  double maxabs = 0.0;
  for (double v : t.kdev) maxabs = std::max(maxabs, std::abs(v));
  for (int c = 0; c < he::kDofs; ++c)
    for (int r = 0; r < he::kDofs; ++r) EXPECT_EQ(t.kdev[std::size_t(c * 24 + r)], t.kdev[std::size_t(r * 24 + c)]);
  // Six rigid modes: 3 translations, 3 rotations about the element centre.
  const double h[3] = {1.0, 0.7, 1.9};
  for (int mode = 0; mode < 6; ++mode) {
    double u[24], y[24];
    for (int a = 0; a < 8; ++a) {
      const double x[3] = {((a & 1) - 0.5) * h[0], (((a >> 1) & 1) - 0.5) * h[1], (((a >> 2) & 1) - 0.5) * h[2]};
      double v[3] = {0, 0, 0};
      if (mode < 3) {
        v[mode] = 1.0;
      } else {
        const int p = (mode - 3 + 1) % 3, q = (mode - 3 + 2) % 3;  // rotation in the (p, q) plane
        v[p] = -x[q];
        v[q] = x[p];
      }
      for (int c = 0; c < 3; ++c) u[3 * a + c] = v[c];
    }
    he::element_apply(t, 1.0, 1.0, u, y);
    for (double v : y) EXPECT_NEAR(v, 0.0, 1e-13 * maxabs) << "mode " << mode;
  }
}

TEST(ElasticityTemplate, MatchesGenericQuadratureKernel) {
  const double hx = 0.3, hy = 0.45, hz = 0.2;
  const he::ElementTemplate t = he::element_template(hx, hy, hz);
  const std::vector<double> u = random_vector(24, 3);
  double y1[24], y2[24];
  he::element_apply(t, 2.5, 7.0 * t.volume, u.data(), y1);
  he::element_apply_generic(hx, hy, hz, 2.5, 7.0 * t.volume, u.data(), y2);
  double scale = 0.0;
  for (double v : y1) scale = std::max(scale, std::abs(v));
  for (int r = 0; r < 24; ++r) EXPECT_NEAR(y1[r], y2[r], 1e-13 * scale);
}

TEST(ElasticityTemplate, SumFactorisedKernelMatchesTheTemplate) {
  // Boxes of very different aspect (graded grids: up to 1:20 between axes), random moduli.
  const double boxes[4][3] = {{0.3, 0.45, 0.2}, {1.0, 1.0, 1.0}, {0.05, 1.0, 0.3}, {2.0, 0.1, 0.7}};
  for (int b = 0; b < 4; ++b) {
    const double hx = boxes[b][0], hy = boxes[b][1], hz = boxes[b][2];
    const he::ElementTemplate t = he::element_template(hx, hy, hz);
    for (unsigned seed = 1; seed <= 3; ++seed) {
      const std::vector<double> u = random_vector(24, seed + 10 * unsigned(b));
      const double mu = 0.5 + seed, kv = (3.0 + 40.0 * seed) * t.volume;
      double y1[24], y2[24];
      he::element_apply(t, mu, kv, u.data(), y1);
      const double ih[3] = {1.0 / hx, 1.0 / hy, 1.0 / hz};
      he::element_apply_separable(ih, hx * hy * hz, mu, kv, u.data(), y2);
      double scale = 0.0;
      for (double v : y1) scale = std::max(scale, std::abs(v));
      for (int r = 0; r < 24; ++r) EXPECT_NEAR(y1[r], y2[r], 1e-13 * scale) << "box " << b << " dof " << r;
    }
  }
}

// The Galerkin projection of a child box in tensor-product form equals the dense product
// P^T Kdev P with the child's template, P the trilinear interpolation of the coarse corners
// (children at the low end, the high end, a single child filling the coarse cell).
TEST(ElasticityTemplate, ProjectedChildEqualsTheDenseProduct) {
  const double cases[3][9] = {{0.3, 0.45, 0.2, 0.0, 0.4, 0.6, 1.0, 0.0, 1.0},
                              {1.0, 0.05, 0.7, 0.25, 1.0, 0.0, 0.5, 0.5, 1.0},
                              {0.1, 2.0, 0.3, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0}};
  for (const auto& cs : cases) {
    const double h[3] = {cs[0], cs[1], cs[2]};
    const double* tp = cs + 3;
    const he::ElementTemplate t = he::element_template(h[0], h[1], h[2]);
    double P[24][24] = {};  // P[child dof][coarse dof]
    for (int a = 0; a < 8; ++a)
      for (int b = 0; b < 8; ++b) {
        double w = 1.0;
        for (int ax = 0; ax < 3; ++ax) {
          const double ta = tp[2 * ax + ((a >> ax) & 1)];
          w *= ((b >> ax) & 1) ? ta : 1.0 - ta;
        }
        for (int c = 0; c < 3; ++c) P[3 * a + c][3 * b + c] = w;
      }
    double kdev[24 * 24], g[24];
    he::projected_element(h, tp, kdev, g);
    double scale = 0.0;
    for (double v : t.kdev) scale = std::max(scale, std::abs(v));
    for (int col = 0; col < 24; ++col)
      for (int row = 0; row < 24; ++row) {
        double ref = 0.0;
        for (int a = 0; a < 24; ++a)
          for (int b = 0; b < 24; ++b) ref += P[a][row] * t.kdev[std::size_t(b * 24 + a)] * P[b][col];
        EXPECT_NEAR(kdev[col * 24 + row], ref, 1e-13 * scale) << "row " << row << " col " << col;
      }
    for (int r = 0; r < 24; ++r) {
      double ref = 0.0;
      for (int a = 0; a < 24; ++a) ref += P[a][r] * t.g[std::size_t(a)];
      EXPECT_NEAR(g[r], ref, 1e-13 / std::min({h[0], h[1], h[2]}));
    }
  }
}

TEST(ElasticityTemplate, DiagonalBlockInClosedFormEqualsTheTemplate) {
  const double boxes[3][3] = {{0.3, 0.45, 0.2}, {1.0, 1.0, 1.0}, {0.05, 1.0, 0.3}};
  for (const auto& h : boxes) {
    const he::ElementTemplate t = he::element_template(h[0], h[1], h[2]);
    double scale = 0.0;
    for (double v : t.kdev) scale = std::max(scale, std::abs(v));
    for (int a = 0; a < 8; ++a) {
      double blk[9];
      he::kdev_diagonal_block(h, a, blk);
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
          EXPECT_NEAR(blk[3 * r + c], t.kdev[std::size_t((3 * a + c) * 24 + 3 * a + r)], 1e-13 * scale)
              << "node " << a << " block (" << r << ", " << c << ")";
    }
  }
}

// A linear displacement field (any constant strain) is reproduced exactly by Q1/B-bar on any box
// grid: the residual vanishes at every interior node, for graded spacing too.
TEST(ElasticityOperator, PatchTestLinearField) {
  const hc::Grid g = hc::Grid::from_edges(graded(7, 2.0, 0.3), graded(6, 1.0, -0.2), graded(5, 1.5, 0.4));
  hs::ElasticOperator op(g, hs::kClampedFaces);
  op.set_moduli(std::vector<double>(g.size(), 3.0), std::vector<double>(g.size(), 11.0));
  const double G[3][3] = {{0.1, -0.3, 0.2}, {0.05, 0.2, -0.1}, {0.3, 0.07, -0.15}};
  std::vector<double> u(op.num_dofs()), f(op.num_dofs(), 0.0), r(op.num_dofs());
  for (int k = 0; k <= g.nz; ++k)
    for (int j = 0; j <= g.ny; ++j)
      for (int i = 0; i <= g.nx; ++i) {
        const double x[3] = {g.x[std::size_t(i)], g.y[std::size_t(j)], g.z[std::size_t(k)]};
        for (int c = 0; c < 3; ++c)
          u[3 * op.node(i, j, k) + std::size_t(c)] = G[c][0] * x[0] + G[c][1] * x[1] + G[c][2] * x[2] + 0.1 * c;
      }
  op.residual(f.data(), u.data(), r.data());
  double rmax = 0.0;
  for (double v : r) rmax = std::max(rmax, std::abs(v));
  EXPECT_LT(rmax, 1e-13);
  // And the mean dilatation is the trace of G in every cell.
  std::vector<double> theta(g.size());
  op.mean_dilatation(u.data(), theta.data());
  for (double t : theta) EXPECT_NEAR(t, 0.1 + 0.2 - 0.15, 1e-13);
}

namespace {

// y . A x equals x . A y to round-off for the random x = random_vector(n, 1), y = random_vector(n, 2)
// (A symmetric); returns x and A x for further checks.
std::pair<std::vector<double>, std::vector<double>> expect_symmetric(const hs::ElasticOperator& op) {
  const std::size_t n = op.num_dofs();
  std::vector<double> x = random_vector(n, 1), y = random_vector(n, 2);
  std::vector<double> ax(n), ay(n);
  op.apply(x.data(), ax.data());
  op.apply(y.data(), ay.data());
  double yax = 0.0, xay = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    yax += y[i] * ax[i];
    xay += x[i] * ay[i];
    scale += std::abs(y[i] * ax[i]);
  }
  EXPECT_NEAR(yax, xay, 1e-13 * scale);
  return {std::move(x), std::move(ax)};
}

}  // namespace

TEST(ElasticityOperator, SymmetricAndEqualToAssembledMatrix) {
  const hc::Grid g = hc::Grid::from_edges(graded(6, 1.0, 0.3), graded(5, 0.8, 0.0), graded(7, 1.2, -0.3));
  for (const hs::FaceConstraints fc : {hs::kNormalWalls, hs::kClampedFaces}) {
    hs::ElasticOperator op(g, fc);
    std::vector<double> mu, kb;
    inclusion_moduli(g, mu, kb);
    op.set_moduli(mu, kb);
    const std::size_t n = op.num_dofs();
    const auto [x, ax] = expect_symmetric(op);
    const auto a = hs::assemble_elasticity(op);
    const Eigen::Map<const Eigen::VectorXd> xv(x.data(), Eigen::Index(n));
    const Eigen::VectorXd ref = a * xv;
    double amax = 0.0, dmax = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      amax = std::max(amax, std::abs(ref[Eigen::Index(i)]));
      dmax = std::max(dmax, std::abs(ref[Eigen::Index(i)] - ax[i]));
    }
    EXPECT_LT(dmax, 1e-13 * amax);
  }
}

// The residual's element loop reads every component (prescribed ones too): on a graded grid whose
// rows run through the four-element vector groups and their remainders (11 cells in x), it
// equals the sum of the template element matrices applied to u.
TEST(ElasticityOperator, UnmaskedResidualEqualsTheElementMatrices) {
  const hc::Grid g = hc::Grid::from_edges(graded(11, 1.0, 0.3), graded(6, 0.8, 0.0), graded(5, 1.2, -0.3));
  hs::ElasticOperator op(g, hs::kNormalWalls);
  std::vector<double> mu, kb;
  inclusion_moduli(g, mu, kb);
  op.set_moduli(mu, kb);
  const std::size_t n = op.num_dofs();
  const std::vector<double> u = random_vector(n, 21);
  std::vector<double> ref(n, 0.0), r(n), zero(n, 0.0);
  double ke[24 * 24];
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        op.element_matrix(i, j, k, ke);
        std::size_t dof[24];
        for (int a = 0; a < 8; ++a)
          for (int c = 0; c < 3; ++c)
            dof[3 * a + c] = 3 * op.node(i + (a & 1), j + ((a >> 1) & 1), k + ((a >> 2) & 1)) + std::size_t(c);
        for (int col = 0; col < 24; ++col)
          for (int row = 0; row < 24; ++row) ref[dof[row]] += ke[col * 24 + row] * u[dof[col]];
      }
  op.residual(zero.data(), u.data(), r.data(), true);
  double amax = 0.0, dmax = 0.0;
  for (std::size_t d = 0; d < n; ++d) {
    amax = std::max(amax, std::abs(ref[d]));
    dmax = std::max(dmax, std::abs(ref[d] + r[d]));
  }
  EXPECT_LT(dmax, 1e-13 * amax);
}

TEST(ElasticityOperator, GenericKernelPathEqualsTemplates) {
  // A grid whose every cell has its own size (26^3 = 17576 of them): the element product
  // (sum-factorised, as on every grid) against the matrix assembled from element matrices
  // formed per cell.
  const int n = 26;
  std::vector<double> e(std::size_t(n) + 1);
  for (int i = 0; i <= n; ++i) e[std::size_t(i)] = i + 0.01 * i * i;
  const hc::Grid g = hc::Grid::from_edges(e, e, e);
  hs::ElasticOperator op(g, hs::kNormalWalls);
  op.set_moduli(std::vector<double>(g.size(), 1.0), std::vector<double>(g.size(), 4.0));
  const std::size_t nd = op.num_dofs();
  const std::vector<double> x = random_vector(nd, 5);
  std::vector<double> y(nd);
  op.apply(x.data(), y.data());
  const auto a = hs::assemble_elasticity(op);
  const Eigen::VectorXd ref = a * Eigen::Map<const Eigen::VectorXd>(x.data(), Eigen::Index(nd));
  double amax = 0.0, dmax = 0.0;
  for (std::size_t i = 0; i < nd; ++i) {
    amax = std::max(amax, std::abs(ref[Eigen::Index(i)]));
    dmax = std::max(dmax, std::abs(ref[Eigen::Index(i)] - y[i]));
  }
  EXPECT_LT(dmax, 1e-12 * amax);
}

/// Heterogeneous wall-compression problem with a thermal-like eigenstrain in the melt block; the
/// melt either a fluid region or a nearly incompressible solid (per-cell bulk modulus).
struct Problem {
  hc::Grid grid;
  std::unique_ptr<hs::ElasticOperator> op;
  std::vector<double> f, u0;
};

Problem make_problem(const hc::Grid& g, bool fluid = true) {
  Problem p{g, std::make_unique<hs::ElasticOperator>(g, hs::kNormalWalls), {}, {}};
  std::vector<double> mu, kb;
  inclusion_moduli(g, mu, kb);
  std::vector<unsigned char> melt(g.size(), 0);
  for (std::size_t c = 0; c < g.size(); ++c) melt[c] = mu[c] < 2e9;
  if (fluid)
    for (std::size_t c = 0; c < g.size(); ++c)
      if (melt[c]) mu[c] = 1e8;
  p.op->set_moduli(mu, kb, fluid ? &melt : nullptr);
  const std::size_t nd = p.op->num_dofs();
  p.f.assign(nd, 0.0);
  std::vector<double> e(g.size(), 0.0);
  for (std::size_t c = 0; c < g.size(); ++c)
    if (melt[c]) e[c] = 0.01;
  p.op->add_eigenstrain_load(e.data(), p.f.data());
  p.u0.assign(nd, 0.0);
  const double L[3] = {g.x.back() - g.x.front(), g.y.back() - g.y.front(), g.z.back() - g.z.front()};
  for (int k = 0; k <= g.nz; ++k)
    for (int j = 0; j <= g.ny; ++j)
      for (int i = 0; i <= g.nx; ++i) {
        const std::size_t d = 3 * p.op->node(i, j, k);
        p.u0[d] = i == 0 ? 1e-3 * L[0] : (i == g.nx ? -1e-3 * L[0] : 0.0);
        p.u0[d + 1] = j == 0 ? 1e-3 * L[1] : (j == g.ny ? -1e-3 * L[1] : 0.0);
        p.u0[d + 2] = k == 0 ? 1e-3 * L[2] : (k == g.nz ? -1e-3 * L[2] : 0.0);
      }
  return p;
}

double rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return std::sqrt(num / den);
}

TEST(ElasticityOperator, FluidRegionTermsAreSymmetricRankOne) {
  const hc::Grid g = hc::Grid::from_edges(graded(9, 1.0, 0.2), graded(8, 1.0, 0.0), graded(10, 1.3, -0.2));
  Problem p = make_problem(g, true);
  const hs::ElasticOperator& op = *p.op;
  ASSERT_EQ(op.fluid_regions().size(), 1u);
  const hs::FluidRegion& R = op.fluid_regions()[0];
  const std::size_t n = op.num_dofs();
  const auto [x, ax] = expect_symmetric(op);
  std::vector<double> ex(n);
  op.apply_elements(x.data(), ex.data());
  // apply - apply_elements = (K_R / V_R) G (G . x) on free dofs.
  std::vector<char> fixed(n, 0);
  for (std::size_t d : op.fixed_dofs()) fixed[d] = 1;
  double gx = 0.0;
  for (std::size_t q = 0; q < R.dofs.size(); ++q)
    if (!fixed[R.dofs[q]]) gx += R.g[q] * x[R.dofs[q]];
  std::vector<double> expect(n, 0.0);
  for (std::size_t q = 0; q < R.dofs.size(); ++q)
    if (!fixed[R.dofs[q]]) expect[R.dofs[q]] = R.bulk / R.volume * gx * R.g[q];
  double dmax = 0.0, amax = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    dmax = std::max(dmax, std::abs(ax[i] - ex[i] - expect[i]));
    amax = std::max(amax, std::abs(ax[i]));
  }
  EXPECT_LT(dmax, 1e-12 * amax);
  // G_R sums V_c g_c over the region: its dot with a linear field is V_R times the trace.
  double vol = 0.0;
  for (std::size_t c : R.cells) {
    const int i = int(c % std::size_t(g.nx)), j = int((c / std::size_t(g.nx)) % std::size_t(g.ny)),
              k = int(c / (std::size_t(g.nx) * std::size_t(g.ny)));
    vol += g.dx(i) * g.dy(j) * g.dz(k);
  }
  EXPECT_NEAR(R.volume, vol, 1e-12 * vol);
  double gl = 0.0;
  for (std::size_t q = 0; q < R.dofs.size(); ++q) {
    const std::size_t node = R.dofs[q] / 3;
    const int c = int(R.dofs[q] % 3);
    const int i = int(node % std::size_t(g.nx + 1)), j = int((node / std::size_t(g.nx + 1)) % std::size_t(g.ny + 1)),
              k = int(node / (std::size_t(g.nx + 1) * std::size_t(g.ny + 1)));
    const double xc[3] = {g.x[std::size_t(i)], g.y[std::size_t(j)], g.z[std::size_t(k)]};
    gl += R.g[q] * (c == 0 ? 0.1 * xc[0] : c == 1 ? 0.2 * xc[1] : -0.05 * xc[2]);
  }
  EXPECT_NEAR(gl, R.volume * 0.25, 1e-12 * R.volume);
}

TEST(ElasticityMGPCG, AgreesWithEigenReference) {
  const hc::Grid g = hc::Grid::from_edges(graded(10, 1.0, 0.2), graded(9, 1.0, 0.0), graded(11, 1.3, -0.2));
  for (bool fluid : {true, false}) {
    Problem p = make_problem(g, fluid);
    hs::ElasticityMGPCG mg(*p.op);
    EXPECT_GE(mg.levels(), 2);
    hs::SolveOptions opts;
    opts.rel_tol = 1e-12;
    std::vector<double> u = p.u0, ur = p.u0;
    const hs::SolveStats st = mg.solve(p.f, u, opts);
    EXPECT_LE(st.rel_residual, 1e-12);
    hs::solve_elasticity_eigen(*p.op, p.f, ur, opts, hs::EigenElasticityMethod::kSimplicialLdlt);
    const double d = rel_diff(u, ur);
    EXPECT_LT(d, 1e-8);
    std::printf("melt as %s: MG-PCG %d iterations to 1e-12 (%d levels); relative difference to Eigen LDLT %.2e\n",
                fluid ? "a fluid region" : "a nearly incompressible solid", st.iterations, mg.levels(), d);
  }
}

// Two fluid regions, one against the x_min wall and one in the z_max corner region: the regions'
// prescribed dofs drop out of their rank-one terms, the Woodbury capacitance is 2x2.
TEST(ElasticityMGPCG, SeveralFluidRegionsTouchingTheWalls) {
  const hc::Grid g = hc::Grid::uniform(10, 9, 11, 1.0, 0.9, 1.1);
  hs::ElasticOperator op(g, hs::kNormalWalls);
  std::vector<double> mu(g.size(), 24e9), kb(g.size(), 40e9), e(g.size(), 0.0);
  std::vector<unsigned char> fluid(g.size(), 0);
  for (int k = 0; k < g.nz; ++k)
    for (int j = 0; j < g.ny; ++j)
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t c = g.index(i, j, k);
        e[c] = 0.002 * (1 + i % 3);
        const bool a = i < 3 && j > 2 && j < 6 && k > 3 && k < 7;
        const bool b = i > 5 && j > 4 && k > 7;
        if (a || b) {
          fluid[c] = 1;
          mu[c] = 1e8;
          kb[c] = a ? 100e9 : 60e9;
        }
      }
  op.set_moduli(mu, kb, &fluid);
  ASSERT_EQ(op.fluid_regions().size(), 2u);
  std::vector<double> f(op.num_dofs(), 0.0);
  op.add_eigenstrain_load(e.data(), f.data());
  std::vector<double> u(op.num_dofs(), 0.0);
  for (int k = 0; k <= g.nz; ++k)
    for (int j = 0; j <= g.ny; ++j) {
      u[3 * op.node(0, j, k)] = 1e-3;
      u[3 * op.node(g.nx, j, k)] = -2e-3;
    }
  std::vector<double> ur = u;
  hs::ElasticityMGPCG mg(op);
  hs::SolveOptions opts;
  opts.rel_tol = 1e-12;
  const hs::SolveStats st = mg.solve(f, u, opts);
  hs::solve_elasticity_eigen(op, f, ur, opts, hs::EigenElasticityMethod::kSimplicialLdlt);
  EXPECT_LT(rel_diff(u, ur), 1e-9);
  EXPECT_LT(st.iterations, 30);
  // One pressure per region.
  std::vector<double> p(g.size());
  op.cell_pressure(u.data(), e.data(), p.data());
  for (const hs::FluidRegion& R : op.fluid_regions())
    for (std::size_t c : R.cells) EXPECT_EQ(p[c], p[R.cells.front()]);
}

// More fluid pockets than kMaxFluidRegions: the largest become regions, the rest solids.
TEST(ElasticityOperator, KeepsTheLargestFluidRegions) {
  const hc::Grid g = hc::Grid::uniform(20, 20, 3, 1.0, 1.0, 0.2);
  hs::ElasticOperator op(g, hs::kNormalWalls);
  std::vector<double> mu(g.size(), 1.0), kb(g.size(), 2.0);
  std::vector<unsigned char> fluid(g.size(), 0);
  // 25 isolated pockets in the middle plane: pocket q (q = 0..24) of 1 or 2 cells.
  for (int q = 0; q < 25; ++q) {
    const int i = 1 + 4 * (q % 5), j = 1 + 4 * (q / 5);
    fluid[g.index(i, j, 1)] = 1;
    if (q % 2 == 0) fluid[g.index(i + 1, j, 1)] = 1;
  }
  op.set_moduli(mu, kb, &fluid);
  ASSERT_EQ(op.fluid_regions().size(), hs::ElasticOperator::kMaxFluidRegions);
  std::size_t in_regions = 0;
  for (const hs::FluidRegion& R : op.fluid_regions()) in_regions += R.cells.size();
  EXPECT_EQ(in_regions, 13u * 2u + 3u);  // all 13 two-cell pockets, then the first 3 single cells
  for (std::size_t c = 0; c < g.size(); ++c) {
    if (op.cell_region()[c] >= 0)
      EXPECT_EQ(op.cell_bulk()[c], 0.0);
    else
      EXPECT_EQ(op.cell_bulk()[c], 2.0);
  }
}

TEST(ElasticityMGPCG, EigenCgIncompleteCholeskyPath) {
  const hc::Grid g = hc::Grid::uniform(8, 7, 9, 1.0, 0.9, 1.1);
  Problem p = make_problem(g, true);
  hs::SolveOptions opts;
  opts.rel_tol = 1e-10;
  opts.max_iterations = 20000;
  std::vector<double> ud = p.u0, uc = p.u0;
  hs::solve_elasticity_eigen(*p.op, p.f, ud, opts, hs::EigenElasticityMethod::kSimplicialLdlt);
  const hs::SolveStats st = hs::solve_elasticity_eigen(*p.op, p.f, uc, opts);
  EXPECT_LE(st.rel_residual, 1e-10);
  EXPECT_LT(rel_diff(uc, ud), 1e-6);
}

// 30^3 cells: level 1 (16^3 nodes) is also large enough to run its Galerkin assembly and
// smoothing in parallel.
TEST(ElasticityMGPCG, IndependentOfThreadCount) {
#ifdef _OPENMP
  const hc::Grid g = hc::Grid::uniform(30, 30, 30, 1.0, 0.9, 1.1);
  Problem p = make_problem(g);
  const int saved = omp_get_max_threads();
  std::vector<std::vector<double>> results;
  std::vector<int> iters;
  for (int t : {1, 3}) {
    omp_set_num_threads(t);
    hs::ElasticityMGPCG mg(*p.op);
    std::vector<double> u = p.u0;
    iters.push_back(mg.solve(p.f, u).iterations);
    results.push_back(u);
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(iters[0], iters[1]);
  for (std::size_t i = 0; i < results[0].size(); ++i) ASSERT_EQ(results[0][i], results[1][i]) << i;
#else
  GTEST_SKIP() << "built without OpenMP";
#endif
}

TEST(ElasticityMGPCG, OddAndSingleCellAxes) {
  for (const auto& dims : {std::array<int, 3>{9, 7, 5}, std::array<int, 3>{15, 1, 6}, std::array<int, 3>{3, 3, 3}}) {
    const hc::Grid g = hc::Grid::uniform(dims[0], dims[1], dims[2], 1.0, 0.5, 0.8);
    Problem p = make_problem(g);
    hs::ElasticityMGPCG mg(*p.op);
    hs::SolveOptions opts;
    opts.rel_tol = 1e-11;
    std::vector<double> u = p.u0, ur = p.u0;
    mg.solve(p.f, u, opts);
    hs::solve_elasticity_eigen(*p.op, p.f, ur, opts, hs::EigenElasticityMethod::kSimplicialLdlt);
    EXPECT_LT(rel_diff(u, ur), 1e-8) << dims[0] << "x" << dims[1] << "x" << dims[2];
  }
}

TEST(ElasticityMGPCG, WarmStartFromTheSolutionTakesNoIteration) {
  const hc::Grid g = hc::Grid::uniform(10, 10, 10, 1.0, 1.0, 1.0);
  Problem p = make_problem(g);
  hs::ElasticityMGPCG mg(*p.op);
  std::vector<double> u = p.u0;
  EXPECT_GT(mg.solve(p.f, u).iterations, 0);
  EXPECT_EQ(mg.solve(p.f, u).iterations, 0);
}

TEST(ElasticityOperator, RejectsBadModuli) {
  const hc::Grid g = hc::Grid::uniform(2, 2, 2, 1.0, 1.0, 1.0);
  hs::ElasticOperator op(g, hs::kNormalWalls);
  std::vector<double> mu(g.size(), 1.0), kb(g.size(), 1.0);
  mu[3] = 0.0;
  EXPECT_THROW(op.set_moduli(mu, kb), std::logic_error);
  EXPECT_THROW(op.set_moduli(std::vector<double>(3, 1.0), kb), std::logic_error);
}

}  // namespace
