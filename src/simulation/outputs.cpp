// SPDX-License-Identifier: MIT
// The one table of outputs (see outputs.hpp): Simulation::declare_outputs is the ONLY list of
// the snapshot fields and time-series columns. Each row points at the owning process's data.
#include "hphtsim/simulation/outputs.hpp"

#include <sstream>
#include <stdexcept>

#include "hphtsim/simulation/electrothermal.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace hphtsim::simulation {

void OutputTable::field(bool present, std::string name, std::string units, std::string when, std::string meaning,
                        std::function<std::vector<double>&()> data) {
  if (!present && !catalogue_) return;
  std::function<const std::vector<double>&()> view = [data]() -> const std::vector<double>& { return data(); };
  fields_.push_back({std::move(name), std::move(units), std::move(when), std::move(meaning), std::move(view),
                     std::move(data)});
}

void OutputTable::read_only_field(bool present, std::string name, std::string units, std::string when,
                                  std::string meaning, std::function<const std::vector<double>&()> view) {
  if (present || catalogue_)
    fields_.push_back({std::move(name), std::move(units), std::move(when), std::move(meaning), std::move(view), {}});
}

void OutputTable::scalar(bool present, std::string name, std::string units, std::string when, std::string meaning,
                         std::function<double()> value) {
  columns(present, Width::one, 1, std::move(name), std::move(units), std::move(when), std::move(meaning),
          [value = std::move(value)](std::vector<double>& r) { r.push_back(value()); });
}

void OutputTable::per_seed(bool present, int seeds, std::string name, std::string units, std::string when,
                           std::string meaning, std::function<double(std::size_t)> get) {
  columns(present, Width::per_seed, seeds, std::move(name), std::move(units), std::move(when), std::move(meaning),
          [seeds, get = std::move(get)](std::vector<double>& r) {
            for (int s = 0; s < seeds; ++s) r.push_back(get(std::size_t(s)));
          });
}

void OutputTable::columns(bool present, Width width, int columns, std::string name, std::string units,
                          std::string when, std::string meaning, std::function<void(std::vector<double>&)> append) {
  if (present || catalogue_)
    series_.push_back({std::move(name), std::move(units), std::move(when), std::move(meaning), width, columns,
                       std::move(append)});
}

const FieldOutput* OutputTable::find_field(std::string_view name) const {
  for (const auto& f : fields_)
    if (f.name == name) return &f;
  return nullptr;
}

const FieldOutput& OutputTable::find(std::string_view name) const {
  if (const FieldOutput* f = find_field(name)) return *f;
  std::string names;
  for (const auto& f : fields_) names += (names.empty() ? "" : ", ") + f.name;
  throw std::invalid_argument("no field named '" + std::string(name) + "' in this run (fields: " + names + ")");
}

std::vector<double> OutputTable::row() const {
  std::vector<double> r;
  for (const auto& s : series_) s.append(r);
  return r;
}

std::string OutputTable::markdown() const {
  std::ostringstream os;
  os << "### Snapshot fields (`/snapshots/NNNNNN/<name>`, cell centred)\n\n";
  os << "| name | units | present | meaning |\n| --- | --- | --- | --- |\n";
  for (const auto& f : fields_) os << "| `" << f.name << "` | " << f.units << " | " << f.when << " | " << f.meaning << " |\n";
  os << "\n### Time series (`/timeseries/<name>`, one row per step)\n\n";
  os << "| name | units | columns | present | meaning |\n| --- | --- | --- | --- | --- |\n";
  for (const auto& s : series_)
    os << "| `" << s.name << "` | " << s.units << " | " << (s.width == Width::one ? "1" : "one per seed") << " | "
       << s.when << " | " << s.meaning << " |\n";
  return os.str();
}

namespace {
constexpr const char* always = "always";
constexpr const char* with_growth = "with `growth`";
constexpr const char* with_field = "with `pressure.field: true`";
constexpr const char* with_pressure = "with a `pressure` section";
constexpr const char* with_seeds = "with seeds";
constexpr const char* with_source = "with a carbon source (role `source`)";
constexpr const char* with_temperature_control = "with a temperature recipe (`recipe.heater.control_probe`)";
}  // namespace

void Simulation::declare_outputs(OutputTable& t, Simulation* sim) {
  // In a catalogue there is no simulation: every row is listed, none is evaluated.
  const bool all = sim == nullptr;
  const Model* m = sim ? &sim->model_ : nullptr;
  const Diagnostics* d = sim ? &sim->diag_ : nullptr;
  const bool growth = all || sim->growth_;
  const bool field = all || sim->pressure_;
  const bool pressure = all || m->has_pressure();
  const bool seeds = all || m->seed_count() > 0;
  const bool source = all || m->source_region >= 0;
  const int n_seeds = all ? 0 : int(m->seed_count());

  // --- snapshot fields
  t.field(true, "T", "K", always, "temperature", [sim]() -> std::vector<double>& { return sim->electro_->T(); });
  t.field(true, "phi", "V", always, "electric potential (bottom anvil at 0 V)",
          [sim]() -> std::vector<double>& { return sim->electro_->phi(); });
  t.field(true, "q", "W/m^3", always, "Joule heat density",
          [sim]() -> std::vector<double>& { return sim->electro_->q(); });
  t.field(field, "p", "Pa", with_field, "pressure (thermo-elastic field plus the calibrated pressure, no tension)",
          [sim]() -> std::vector<double>& { return sim->pressure_->field(); });
  t.field(growth, "carbon", "1", with_growth, "dissolved carbon, mass fraction",
          [sim]() -> std::vector<double>& { return sim->growth_->carbon(); });
  t.read_only_field(growth, "crystal", "1", with_growth, "seed index + 1 in crystal cells, 0 elsewhere (read-only)",
                    [sim]() -> const std::vector<double>& { return sim->growth_->crystal_map(); });

  // --- time series
  t.scalar(true, "time", "s", always, "simulated time", [d] { return d->time; });
  t.scalar(true, "time_step", "s", always, "length of the step that ended here (0: initial or steady state)",
           [d] { return d->step_length; });
  t.scalar(true, "heater_power", "W", always, "electrical power V I", [d] { return d->electric.power; });
  t.scalar(true, "heater_voltage", "V", always, "voltage across the anvils", [d] { return d->electric.voltage; });
  t.scalar(true, "heater_current", "A", always, "heater current", [d] { return d->electric.current; });
  t.scalar(true, "heater_resistance", "ohm", always, "V / I between the anvils", [d] { return d->electric.resistance; });
  t.scalar(true, "T_max", "K", always, "hottest cell", [d] { return d->T_max; });
  t.scalar(true, "heat_out", "W", always, "heat through the anvil faces", [d] { return d->heat_out; });
  t.scalar(true, "stored_heat_rate", "W", always, "rate of change of stored heat (latent heat included) over the step",
           [d] { return d->stored_rate; });
  t.scalar(true, "energy_imbalance", "1", always, "(P_joule - heat_out - stored) / P_joule over the step",
           [d] { return d->energy_imbalance; });
  t.scalar(true, "coupling_iterations", "1", always, "electro-thermal Picard iterations of the step",
           [d] { return double(d->coupling_iterations); });
  t.scalar(true, "linear_iterations", "1", always, "thermal + electric multigrid-PCG iterations of the step",
           [d] { return double(d->linear_iterations); });
  const bool temperature_control = all || m->heater_recipe.uses(HeaterRecipe::Mode::temperature);
  t.scalar(temperature_control, "T_control", "K", with_temperature_control, "control thermocouple reading",
           [d] { return d->T_control; });
  t.scalar(temperature_control, "T_setpoint", "K", with_temperature_control, "its setpoint",
           [d] { return d->T_setpoint; });
  t.scalar(all || m->heater_recipe.uses(HeaterRecipe::Mode::resistance), "R_setpoint", "ohm",
           "with `control: resistance` in recipe.heater", "programmed heater resistance (NaN outside resistance segments)",
           [d] { return d->R_setpoint; });
  t.scalar(all || m->heater_recipe.uses(HeaterRecipe::Mode::growth_rate), "growth_rate_target", "mg/h",
           "with `control: growth_rate` in recipe.heater",
           "the seeds' mean growth rate the rate law holds (NaN outside growth_rate segments)",
           [d] { return d->rate_target * 3.6e9; });
  t.scalar(all || !m->oil_pressure.empty(), "oil_pressure", "Pa", "with `recipe.oil_pressure`",
           "press oil pressure from the recipe", [d] { return d->oil_pressure; });
  t.scalar(all || !m->coolant_temperature.empty(), "T_coolant", "K", "with `recipe.coolant_temperature`",
           "the anvils' cooling-water temperature from the recipe", [m, d] { return m->coolant_at(d->time); });
  t.scalar(pressure, "p_calibrated", "Pa", with_pressure, "cell pressure from the calibration (or the constant)",
           [d] { return d->p_calibrated; });
  t.scalar(pressure, "p_cell", "Pa", with_pressure, "mean pressure over the growth capsule (the field's, else calibrated)",
           [d] { return d->p_cell; });
  t.columns(pressure && field && seeds, Width::per_seed, n_seeds, "p_seed", "Pa", "with the pressure field and seeds",
            "mean pressure of the melt touching each crystal (the pressure growth reads)",
            [d](std::vector<double>& r) { r.insert(r.end(), d->p_seed.begin(), d->p_seed.end()); });
  t.scalar(pressure && field, "anvil_advance", "m", with_field,
           "inward advance of each anvil face since the cold compression (< 0: the heated cell pushed the rams back; "
           "pressure.anvils)",
           [d] { return d->anvil_advance; });
  t.scalar(pressure && field, "pressure_solves", "1", with_field, "thermo-elastic solves so far",
           [d] { return double(d->mechanics_solves); });
  const bool stress = all || (sim->stress_ && seeds);
  const physics::CrystalStress* cs = sim ? sim->stress_.get() : nullptr;
  t.per_seed(stress, n_seeds, "crystal_max_stress", "Pa", "with the pressure field and growth (pressure.crystal_stress)",
             "largest principal stress over the crystal's cells (tension > 0; -p_seed while melt surrounds it; "
             "pressure.crystal_stress)",
             [cs](std::size_t s) { return cs->max_stress()[s]; });
  t.per_seed(stress, n_seeds, "crack_risk", "1", "with the pressure field and growth",
             "max(0, crystal_max_stress) / the diamond's tensile strength (>= 1: expected to crack)",
             [cs](std::size_t s) { return cs->crack_risk()[s]; });
  t.scalar(source, "T_source", "K", with_source, "mean temperature of the carbon source", [d] { return d->T_source; });
  t.per_seed(seeds, n_seeds, "T_seed", "K", with_seeds, "mean temperature of each seed crystal",
             [d](std::size_t s) { return d->T_seed[s]; });
  t.per_seed(seeds && source, n_seeds, "dT_source_seed", "K", "with seeds and a carbon source",
             "T_source - T_seed: the growth driver", [d](std::size_t s) { return d->dT_source_seed[s]; });
  t.per_seed(seeds, n_seeds, "dTdz_seed", "K/mm", with_seeds,
             "axial temperature gradient at the centre of the seed's top face (> 0: hotter above)",
             [d](std::size_t s) { return d->dTdz_seed[s] * 1e-3; });
  t.per_seed(seeds, n_seeds, "dTdr_seed", "K/mm", with_seeds,
             "radial temperature gradient there, over one seed edge off its axis (> 0: hotter outwards)",
             [d](std::size_t s) { return d->dTdr_seed[s] * 1e-3; });
  if (all) {
    t.scalar(true, "T_probe_<name>", "K", "one per probe", "temperature at the probe (trilinear in cell centres)",
             nullptr);
  } else {
    for (std::size_t p = 0; p < m->probes.size(); ++p)
      t.scalar(true, "T_probe_" + m->probes[p].name, "K", "one per probe",
               "temperature at the probe (trilinear in cell centres)", [d, p] { return d->T_probe[p]; });
  }
  const growth::CrystalGrowth* g = sim ? sim->growth_.get() : nullptr;
  t.scalar(growth, "carbon_dissolved", "kg", with_growth, "carbon taken from the source so far",
           [g] { return g->carbon_dissolved(); });
  t.scalar(growth, "carbon_in_solution", "kg", with_growth, "carbon dissolved in the solvent",
           [g] { return g->carbon_in_solution(); });
  t.scalar(growth, "carbon_deposited", "kg", with_growth, "carbon added to the crystals so far",
           [g] { return g->carbon_deposited(); });
  t.scalar(growth, "carbon_nucleated", "kg", with_growth,
           "carbon precipitated as spontaneous nuclei so far (melt above the nucleation supersaturation)",
           [g] { return g->carbon_nucleated(); });
  t.scalar(growth, "carbon_balance_error", "1", with_growth,
           "(dissolved - in solution - deposited - nucleated) / dissolved", [g] { return g->balance_error(); });
  t.scalar(growth, "nucleation_cells", "1", with_growth,
           "molten cells where carbon precipitated as spontaneous nuclei in the step (growth.nucleation_sink: false: "
           "molten cells away from the crystals above the nucleation supersaturation)",
           [g] { return double(g->nucleation_cells()); });
  t.scalar(growth, "source_remaining", "1", with_growth, "mass of the carbon source left, fraction of the initial",
           [g] { return g->source_remaining(); });
  t.scalar(growth, "T_source_face", "K", with_growth,
           "area-weighted mean temperature of the melt's faces to the source (NaN without melt)",
           [g] { return g->T_source_face(); });
  t.scalar(growth, "convection_enhancement", "1", with_growth,
           "D_eff / D in the melt: the constant growth.convection_enhancement, or the side-heated melt's Sherwood "
           "number (growth.convection)",
           [g] { return g->convection().sherwood; });
  t.scalar(growth, "melt_rayleigh", "1", with_growth,
           "the melt's solutal Rayleigh number g beta dT R^3 / (nu D) (growth.convection; 0 otherwise)",
           [g] { return g->convection().rayleigh; });
  t.scalar(growth, "melt_dT_horizontal", "K", with_growth,
           "the melt's horizontal temperature difference, mean over z layers (growth.convection; 0 otherwise)",
           [g] { return g->convection().dT_horizontal; });
  using SD = growth::SeedDiagnostics;
  auto per_seed = [&](const char* name, const char* units, const char* meaning, double (*get)(const SD&)) {
    t.per_seed(growth, n_seeds, name, units, with_growth, meaning, [g, get](std::size_t s) { return get(g->seeds()[s]); });
  };
  per_seed("mass", "mg", "crystal mass (seed + deposit)", [](const SD& x) { return x.mass * 1e6; });
  per_seed("mass_ct", "ct", "crystal mass in carats (1 ct = 0.2 g)", [](const SD& x) { return x.mass / 2e-4; });
  per_seed("growth_rate", "mg/h", "mass growth rate over the step", [](const SD& x) { return x.growth_rate * 3.6e9; });
  per_seed("critical_rate", "mg/h", "the critical growth rate at the crystal's mass, rate (mass / mass_c)^exponent "
           "(growth.critical_rate): above it inclusions are likely",
           [](const SD& x) { return x.critical_rate * 3.6e9; });
  per_seed("mass_above_critical", "mg", "mass grown in steps above the critical rate so far",
           [](const SD& x) { return x.mass_above_critical * 1e6; });
  per_seed("T_front", "K", "area-weighted mean temperature of the melt's faces to the crystal (NaN without melt)",
           [](const SD& x) { return x.T_front; });
  t.per_seed(growth, n_seeds, "dT_faces", "K", with_growth,
             "T_source_face - T_front: the growth driver from face to face, beside the region means",
             [g](std::size_t s) { return g->T_source_face() - g->seeds()[s].T_front; });
  per_seed("contact", "1", "1: the crystal touches the carbon source, 2: another solid part than at the start "
           "(capsule wall, liner: it has outgrown its melt), 3: both",
           [](const SD& x) { return double(x.contact); });
  per_seed("supersaturation", "1", "mean c / c_eq - 1 over the crystal's melt front",
           [](const SD& x) { return x.supersaturation; });
  per_seed("supersaturation_spread", "1",
           "largest minus smallest c / c_eq - 1 over the faces of the crystal's melt front (an uneven supply)",
           [](const SD& x) { return x.supersaturation_spread; });
  per_seed("line_margin_K", "K", "temperature margin to the graphite-diamond line (> 0: diamond stable)",
           [](const SD& x) { return x.line_margin_K; });
  per_seed("line_margin_GPa", "GPa", "pressure margin to the graphite-diamond line", [](const SD& x) { return x.line_margin_GPa; });
  per_seed("eutectic_margin_K", "K", "T_seed - the solvent-carbon eutectic (> 0: molten)",
           [](const SD& x) { return x.eutectic_margin_K; });
  per_seed("eutectic_margin_GPa", "GPa", "pressure margin to the eutectic", [](const SD& x) { return x.eutectic_margin_GPa; });
  per_seed("window_margin_K", "K",
           "T_seed inside the solvent's observed growth window for the seed's face (< 0 outside; NaN: none known)",
           [](const SD& x) { return x.window_margin_K; });
  per_seed("habit_index", "1", "kinetic habit at T_seed: -1 cube ... +1 octahedron", [](const SD& x) { return x.habit_index; });
  per_seed("morphology", "1",
           "morphology observed at T_seed on the seed's face in the solvent's sourced table: 0 plate, 1 tower, "
           "2 tower-steeple (Fe64Ni36, Wang J.-Z.); NaN outside its bands or none known",
           [](const SD& x) { return x.morphology; });
  per_seed("shape_index", "1", "habit of the grown polyhedron: -1 cube ... +1 octahedron",
           [](const SD& x) { return x.shape_index; });
  per_seed("inclusion_risk", "1", "1 while the growth rate is above the critical rate for the crystal's mass",
           [](const SD& x) { return x.inclusion_risk ? 1.0 : 0.0; });
  per_seed("growth_status", "1", "0 growing, 1 solvent frozen, 2 graphite stable, 3 undersaturated",
           [](const SD& x) { return double(int(x.status)); });
}

std::string catalogue_markdown() {
  OutputTable t(/*catalogue=*/true);
  Simulation::declare_outputs(t, nullptr);
  return t.markdown();
}

}  // namespace hphtsim::simulation
