// SPDX-License-Identifier: MIT
// Reference for the elasticity solver: the same operator A0 (elasticity.hpp) assembled into an
// Eigen sparse matrix, solved by Eigen's CG + IncompleteCholesky or, for small systems, by a
// sparse LDLT factorisation. Tests compare MG-PCG with it; benchmarks time it beside MG-PCG.
#pragma once

#include <Eigen/SparseCore>
#include <vector>

#include "hphtsim/solvers/elasticity.hpp"

namespace hphtsim::solvers {

/// The element part of A0 (apply_elements: no fluid-region terms) assembled from the element
/// matrices, prescribed rows and columns identity, row-major.
Eigen::SparseMatrix<double, Eigen::RowMajor> assemble_elasticity(const ElasticOperator& op);

enum class EigenElasticityMethod { kCgIncompleteCholesky, kSimplicialLdlt };

/// The problem of ElasticityMGPCG::solve (same arguments, same stopping rule: the true residual
/// relative to the load with the prescribed values' reactions), fluid regions by the Woodbury
/// formula around the element part's solver, with iterative refinement on the true residual.
SolveStats solve_elasticity_eigen(const ElasticOperator& op, const std::vector<double>& f, std::vector<double>& u,
                                  const SolveOptions& opts = {},
                                  EigenElasticityMethod method = EigenElasticityMethod::kCgIncompleteCholesky);

}  // namespace hphtsim::solvers
