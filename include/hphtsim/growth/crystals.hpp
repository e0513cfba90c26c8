// SPDX-License-Identifier: MIT
// Crystal growth on the seeds of the temperature-gradient method. Each step:
//  1. the molten solvent (solvent cells above the eutectic at the cell pressure) carries
//     dissolved carbon (physics::CarbonTransport); at faces to the carbon source the melt is
//     saturated with graphite; at faces to a crystal carbon deposits with the kinetic flux
//     beta_eff (c - c_eq,diamond), one-sided (an undersaturated face takes nothing: an active
//     set iterated to consistency), and only while that seed is inside the growth window
//     (diamond-stable side of the equilibrium line, solvent molten);
//  2. each crystal is a polyhedron about its seed's centre bounded by {100} and {111} planes at
//     distances h100, h111 (a cube, cubo-octahedron or octahedron); deposited carbon grows its
//     volume, h100 and h111 advancing in the ratio of the {100} and {111} growth rates, which
//     temperature sets (cube at low T, octahedron at high T, physics.md 4.3). Melt cells whose
//     centres the polyhedron covers become crystal, so the crystals grow on the grid; a seed
//     oriented (111)-up has its polyhedron turned so that [111] points along z;
//  3. the carbon source loses what dissolves; an exhausted source cell becomes solvent;
//  4. carbon above the spontaneous-nucleation supersaturation anywhere in the melt precipitates
//     as spontaneous nuclei (diamond or metastable graphite) and leaves the solution: it is not
//     the crystal's (the carbon a cooling melt exsolves goes mostly there, not onto the seed);
//  5. melt that a growing crystal covers is displaced, not absorbed: its dissolved carbon is
//     spread over the remaining molten solvent.
// The ledger (dissolved = in solution + deposited + nucleated) is exact for the discrete fluxes.
#pragma once

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "hphtsim/core/grid.hpp"
#include "hphtsim/geometry/assembly.hpp"
#include "hphtsim/growth/growth_window.hpp"
#include "hphtsim/physics/carbon_transport.hpp"
#include "hphtsim/physics/melt_convection.hpp"
#include "hphtsim/physics/phase_diagram.hpp"

namespace hphtsim::growth {

struct GrowthSettings {
  physics::Solubility solubility;
  physics::Eutectic eutectic;
  double diffusivity = 1e-9;              ///< m^2/s, carbon in the Fe-Ni melt (physics.md 3.3 [S] order)
  double convection_enhancement = 10.0;   ///< x D: buoyant flow (Dossa 2023 [S]), when not from Ra
  /// true: the enhancement is the side-heated melt's Sherwood number from its Rayleigh number,
  /// every step (physics/melt_convection.hpp, growth.convection); false: the constant above.
  bool convection_from_rayleigh = false;
  physics::MeltConvectionSettings convection;
  double kinetic_coefficient = 2.5e-6;    ///< m/s, beta at the crystal surface (Da ~ 1 [S], value [E])
  double melt_density = 7300.0;           ///< kg/m^3 [E]
  double diamond_density = 3515.0;        ///< kg/m^3 [S]
  double graphite_density = 2260.0;       ///< kg/m^3 [L] (physics.md 5.2: graphite -> diamond loses 35.7 % of its volume)
  double initial_carbon = 0.0;            ///< mass fraction in the solvent at t = 0
  /// What saturates the melt at the carbon source. In the temperature-gradient method the
  /// graphite source turns into fine diamond early in the run (Kanda 2000; Sumiya 2002), after
  /// which only the temperature difference drives growth: `diamond`. `graphite` adds the
  /// graphite-diamond solubility difference (and growth even without a temperature difference).
  bool source_is_diamond = true;
  double habit_temperature = 1608.15;     ///< K: cubo-octahedron (1335 degC, Palyanov 2013 [S])
  double habit_half_width = 35.0;         ///< K: cube 35 K below, octahedron 35 K above [S]
  double nucleation_supersaturation = 0.05;  ///< spontaneous nucleation above this (c / c_eq - 1)
  /// Carbon above nucleation_supersaturation precipitates (step 4); false: it stays in solution
  /// and the cells are only counted (nucleation_cells).
  bool nucleation_sink = true;
  double critical_rate = 3.0 / 3.6e9;     ///< kg/s at critical_mass (3 mg/h, physics.md 4.2 [E])
  double critical_mass = 5e-4;            ///< kg (2.5 ct)
  double critical_exponent = 0.7;
  /// The observed growth window of each seed (growth_window.hpp); empty or undefined entries:
  /// none known. The config reader fills it from the solvent's sourced table and each seed's
  /// face, or from growth.window.
  std::vector<GrowthWindow> seed_windows;
  /// The observed morphology table of each seed (its solvent and face; nullptr: none known).
  std::vector<const MorphologyTable*> seed_morphology;

  /// Arrhenius laws of the carbon diffusivity and of the kinetic coefficient (J/mol; 0: constant):
  /// diffusivity and kinetic_coefficient are their values at arrhenius_reference_temperature.
  double diffusivity_activation_energy = 0.0;
  double kinetic_activation_energy = 0.0;
  double arrhenius_reference_temperature = 1673.15;  ///< K (1400 degC)
  /// exp(-E / R (1/T - 1/T_ref)).
  double arrhenius(double E, double T) const {
    constexpr double R = 8.314462618;  // J/(mol K)
    return E > 0.0 ? std::exp(-E / R * (1.0 / T - 1.0 / arrhenius_reference_temperature)) : 1.0;
  }
  /// The melt's own carbon diffusivity at T (no convection).
  double molecular_diffusivity(double T) const { return diffusivity * arrhenius(diffusivity_activation_energy, T); }
  /// D x the constant convection_enhancement at the reference temperature, and at T (with
  /// convection_from_rayleigh the growth step uses its Sherwood number instead).
  double effective_diffusivity() const { return diffusivity * convection_enhancement; }
  double effective_diffusivity(double T) const { return molecular_diffusivity(T) * convection_enhancement; }
  double kinetic_coefficient_at(double T) const { return kinetic_coefficient * arrhenius(kinetic_activation_energy, T); }
  /// v100 / v111 at temperature T: 1/sqrt(3) (cube) ... sqrt(3) (octahedron).
  double rate_ratio(double T) const;
  /// -1 cube, 0 cubo-octahedron, +1 octahedron (clamped), from the kinetics at T.
  double habit_index(double T) const;
  /// Growth rate above which inclusions are likely (kg/s) for a crystal of mass m (kg).
  double critical_growth_rate(double m) const;
};

enum class GrowthStatus { growing = 0, solvent_frozen = 1, graphite_stable = 2, undersaturated = 3 };
const char* to_string(GrowthStatus s);

struct SeedDiagnostics {
  double mass = 0.0;               ///< kg (seed + deposited)
  double growth_rate = 0.0;        ///< kg/s over the last step
  double critical_rate = 0.0;      ///< kg/s: GrowthSettings::critical_growth_rate at `mass`
  double supersaturation = 0.0;    ///< mean (c / c_eq - 1) over the crystal's melt front
  /// Largest minus smallest (c / c_eq - 1) over the front's faces: an uneven supply (the top
  /// fed, the sides starved, or the reverse) grows an uneven crystal and traps solvent.
  double supersaturation_spread = 0.0;
  double line_margin_K = 0.0;      ///< T on the equilibrium line at p minus T_seed (> 0 inside)
  double line_margin_GPa = 0.0;    ///< p - P_eq(T_seed)
  double eutectic_margin_K = 0.0;  ///< T_seed - T_eutectic(p)
  double eutectic_margin_GPa = 0.0;///< P_eutectic(T_seed) - p
  double habit_index = 0.0;        ///< kinetic, at T_seed
  double window_margin_K = 0.0;    ///< inside the observed growth window (K, < 0 outside; NaN: none known)
  double morphology = 0.0;         ///< observed morphology at T_seed: Morphology code, NaN outside the table or none
  double shape_index = 0.0;        ///< of the grown polyhedron: -1 cube ... +1 octahedron
  bool inclusion_risk = false;
  double mass_above_critical = 0.0;  ///< kg grown in steps above the critical rate, so far
  /// Area-weighted mean temperature of the melt-crystal faces (K); NaN without such faces.
  double T_front = 0.0;
  /// Bit 0: the crystal touches the carbon source; bit 1: another solid part than those it
  /// touched at the start (the capsule wall, liner, plug: the crystal has outgrown its melt).
  int contact = 0;
  GrowthStatus status = GrowthStatus::solvent_frozen;
  int cells = 0;
};

class CrystalGrowth {
 public:
  /// `map` is the model's material map; growth changes it (front cells become diamond,
  /// exhausted source cells become solvent).
  CrystalGrowth(const core::Grid& grid, geometry::MaterialMap& map, const geometry::Assembly& assembly,
                int solvent_region, int source_region, GrowthSettings settings, double source_density);

  /// One backward-Euler step of length dt with the temperature field T (K), the pressure p
  /// (Pa) and each seed's mean temperature.
  /// `p_seed` (optional): the pressure at each seed (the growth window); otherwise p.
  /// `p_field` (optional): the pressure per cell; the solubility at a melt cell's source and
  /// crystal faces is taken at that cell's pressure (in one molten region the same value, so
  /// that source and seed see one pressure); otherwise p_seed at crystal faces and p elsewhere.
  void step(const std::vector<double>& T, double p, const std::vector<double>& T_seed, double dt,
            const solvers::SolveOptions& opts, const std::vector<double>* p_seed = nullptr,
            const std::vector<double>* p_field = nullptr);
  /// Window diagnostics and the melt's convection without transport (initial state, steady solves).
  void update_status(const std::vector<double>& T, double p, const std::vector<double>& T_seed,
                     const std::vector<double>* p_seed = nullptr);
  /// The window diagnostics alone, at the seeds' temperatures and pressures after a step (the
  /// row that describes the step's end); the convection stays the one the step used.
  void refresh_margins(const std::vector<double>& T_seed, double p, const std::vector<double>* p_seed = nullptr) {
    window(T_seed, p, p_seed);
  }

  const std::vector<double>& carbon() const { return c_; }
  std::vector<double>& carbon() { return c_; }
  /// Seed index + 1 in crystal cells, 0 elsewhere (a field for snapshots).
  const std::vector<double>& crystal_map() const { return crystal_; }
  const std::vector<SeedDiagnostics>& seeds() const { return seeds_; }
  const GrowthSettings& settings() const { return settings_; }

  double carbon_dissolved() const { return dissolved_; }      ///< kg taken from the source
  double carbon_in_solution() const { return in_solution_; }  ///< kg dissolved in the solvent
  double carbon_deposited() const { return deposited_; }      ///< kg added to the crystals
  double carbon_nucleated() const { return nucleated_; }      ///< kg precipitated as spontaneous nuclei
  /// (dissolved - in solution - deposited - nucleated) / max(dissolved, tiny): the conservation check.
  double balance_error() const;
  /// Molten cells where carbon precipitated in the last step (with nucleation_sink), or away
  /// from the crystals above the nucleation supersaturation (without).
  int nucleation_cells() const { return nucleation_cells_; }
  /// Mass of the carbon source left, as a fraction of its initial mass.
  double source_remaining() const;
  /// Area-weighted mean temperature of the melt's faces to the carbon source (K), where it
  /// dissolves; NaN without such faces (no melt).
  double T_source_face() const { return T_source_face_; }
  /// The melt's convection at the last step or status update: the enhancement used
  /// (`sherwood`: the constant when not from the Rayleigh number) and, from the Rayleigh number,
  /// its inputs (zeros with the constant).
  const physics::MeltConvection& convection() const { return convection_; }
  /// Regions (assembly primitive indices) each crystal touched for the first time in the last
  /// step (after a restore: none), for events.
  const std::vector<std::vector<int>>& new_contacts() const { return new_contacts_; }
  /// Volume lost by the charge as graphite turned into diamond through growth (m^3), for the
  /// pressure model: the deposited carbon times (1/rho_graphite - 1/rho_diamond) for a graphite
  /// source; zero for a diamond source (source_phase: diamond), whose graphite converted before
  /// growth began (its volume loss is part of the pressurisation the calibration describes).
  double converted_volume() const {
    if (settings_.source_is_diamond) return 0.0;
    return deposited_ * (1.0 / settings_.graphite_density - 1.0 / settings_.diamond_density);
  }

  /// Restart support: the state beyond the material map (which the caller saves).
  struct State {
    std::vector<double> c, source_mass, face_mask, seed_mass, h100, h111, mass_above_critical;
    double dissolved = 0, deposited = 0, nucleated = 0;
  };
  State state() const;
  void restore(const State& s);

 private:
  const core::Grid& grid_;
  geometry::MaterialMap& map_;
  std::vector<std::array<double, 3>> centres_;
  std::vector<std::string> names_;
  int solvent_region_, source_region_, first_seed_region_;
  int solvent_material_ = -1;
  std::vector<int> seed_material_;
  GrowthSettings settings_;
  physics::CarbonTransport transport_;
  std::vector<double> c_, c_old_, source_mass_, crystal_, G_, Gc_, cell_volume_, rho_D_;
  std::vector<unsigned char> active_, source_open_, face_mask_;  // face_mask_: bit f set = crystal face f takes carbon
  std::vector<SeedDiagnostics> seeds_;
  std::vector<double> seed_mass_, initial_mass_;
  std::vector<double> h100_, h111_;  // polyhedron of each crystal (m)
  std::vector<bool> rotated_;        // (111)-up seeds
  double dissolved_ = 0.0, deposited_ = 0.0, in_solution_ = 0.0, nucleated_ = 0.0;
  double initial_source_ = 0.0, T_source_face_ = 0.0;
  physics::MeltConvection convection_;
  int nucleation_cells_ = 0;
  // Regions each crystal touches (flags per region), those it touched at the start, and the
  // ones new in the last step.
  std::vector<std::vector<unsigned char>> touching_, touching_at_start_;
  std::vector<std::vector<int>> new_contacts_;

  int seed_of(int region) const {
    int s = region - first_seed_region_;
    return s >= 0 && s < int(seed_mass_.size()) ? s : -1;
  }
  bool inside(int seed, double x, double y, double z, double h100, double h111) const;
  /// Where crystal `seed`'s polyhedron really is at the face f of melt cell (i, j, k) to its
  /// crystal neighbour: the distance from the melt cell's centre to the polyhedron's surface
  /// along the line through both cell centres (the diffusion path of the face's exchange), and
  /// the share of the crystal cell's mid-plane parallel to the face that lies inside the
  /// polyhedron (`area_share`, box_fraction of its four quarters, at least 1/16). So the uptake
  /// follows the polyhedron between the moments when a cell flips.
  double front_distance(int seed, int i, int j, int k, int f, double& area_share) const;
  /// Share (0..1) of the axis-aligned box (centre, half sizes) inside crystal `seed`'s
  /// polyhedron (h100, h111): continuous in the sizes (crystal_shape.cpp).
  double box_fraction(int seed, const double centre[3], const double half[3], double h100, double h111) const;
  /// In an axisymmetric cell: the polyhedron averaged over the revolution. The share of the
  /// ring at radius r and height z, of half-widths hr, hz in r and z, that lies inside it
  /// (box_fraction at kRevolutionAngles angles). 0 widths: the share of the circle.
  double ring_fraction(int seed, double r, double z, double hr, double hz, double h100, double h111) const;
  static constexpr int kRevolutionAngles = 24;
  void grow_shape(int seed, double T_seed);
  void window(const std::vector<double>& T_seed, double p, const std::vector<double>* p_seed);
  void refresh_crystal_map();
  /// Marks the molten solvent (active_) at temperatures T and pressure p and sets convection_.
  void update_melt(const std::vector<double>& T, double p);
  /// Recomputes touching_ and each seed's contact bits from the map; `report` fills new_contacts_.
  void refresh_contacts(bool report);
  /// Moves carbon above the nucleation supersaturation out of the molten cells (step 4).
  void precipitate_excess(const std::vector<double>& T, double p, const std::vector<double>* p_field);
};

}  // namespace hphtsim::growth
