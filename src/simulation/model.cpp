// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/model.hpp"

#include <algorithm>
#include <cmath>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/format.hpp"
#include "hphtsim/geometry/axisymmetric.hpp"
#include "hphtsim/geometry/conforming_grid.hpp"
#include "hphtsim/process/log_programs.hpp"
#include "hphtsim/core/memory.hpp"
#include "hphtsim/simulation/memory.hpp"
#include "model_growth.hpp"
#include "model_stress.hpp"

namespace hphtsim::simulation {
namespace {

using core::ConfigNode;
namespace dim = core::dim;

constexpr const char* temperature_what = "a temperature such as \"25 degC\"";
constexpr const char* duration_what = "a duration such as \"2 h\"";
constexpr const char* htc_what = "a heat-transfer coefficient such as \"2000 W/(m^2*K)\"";

/// One count, [nx, ny, nz], or in an axisymmetric cell also [nr, nz] (of [nx, ny, nz], nx is
/// taken across the radius, half the 3-D width, and ny is unused: one cell over the revolution).
std::array<int, 3> read_cell_counts(const ConfigNode& cells, bool revolved) {
  std::array<int, 3> n{};
  if (cells.is_scalar()) {
    n.fill(cells.as_int());
  } else {
    auto items = cells.items();
    if (revolved && items.size() == 2) {
      n = {items[0].as_int(), 2, items[1].as_int()};
    } else {
      if (items.size() != 3)
        cells.fail(revolved ? "expected one cell count, a list [nr, nz] or [nx, ny, nz]" : "expected one cell count or a list [nx, ny, nz]");
      for (int c = 0; c < 3; ++c) n[c] = items[c].as_int();
    }
  }
  for (int c = 0; c < 3; ++c)
    if (n[c] < 2 || n[c] > 1024) cells.fail("cell counts must be between 2 and 1024 per axis");
  return n;
}

/// `cell.cells: N` (the budget, conforming grid) or `cell.grid: {cells, conform, max_ratio,
/// refine: [{primitive, spacing, axes}]}` (docs/model.md, "Grid"). Returns the key that sets
/// the cell counts, for the memory check's error.
std::string read_grid_settings(const ConfigNode& cell, const geometry::Assembly& a, geometry::GridSettings& s) {
  auto grid = cell.find("grid");
  if (!grid) {
    s.cells = read_cell_counts(cell.at("cells"), a.axisymmetric());
    return cell.key_path("cells");
  }
  if (cell.has("cells")) grid->fail("give the cell budget once: cell.cells or cell.grid.cells, not both");
  if (!grid->is_map()) grid->fail("expected a mapping {cells: N, conform: true, refine: [...]}");
  s.cells = read_cell_counts(grid->at("cells"), a.axisymmetric());
  s.conform = grid->boolean_or("conform", true);
  s.max_ratio = grid->number_or("max_ratio", 1.3);
  if (!(s.max_ratio >= 1.05 && s.max_ratio <= 2.0))
    grid->fail_key("max_ratio", "the largest ratio of neighbouring cell sizes must lie between 1.05 and 2");
  s.thin_part_fraction = grid->number_or("thin_parts", s.thin_part_fraction);
  if (!(s.thin_part_fraction >= 0.0 && s.thin_part_fraction <= 0.5))
    grid->fail_key("thin_parts", "the fraction of the cell's edge below which a part is refined must lie between 0 (off) and 0.5");
  if (auto refine = grid->find("refine")) {
    for (const auto& item : refine->items()) {
      geometry::GridRefinement r;
      const std::string name = item.string("primitive");
      r.primitive = a.find_primitive(name);
      if (r.primitive < 0) item.fail_key("primitive", "no primitive named '" + name + "' in the assembly");
      r.spacing = item.quantity("spacing", dim::length, "a length such as \"0.2 mm\"");
      const double smallest = 1e-4 * *std::min_element(a.cell_size.begin(), a.cell_size.end());
      if (!(r.spacing >= smallest))
        item.fail_key("spacing", "must be at least 1e-4 of the cell's smallest edge (" + core::format_number(smallest * 1e3) + " mm)");
      if (auto axes = item.find("axes")) {
        r.axes = {false, false, false};
        for (const auto& ax : axes->items()) {
          const std::string v = ax.as_string();
          if (v == "x") r.axes[0] = true;
          else if (v == "y") r.axes[1] = true;
          else if (v == "z") r.axes[2] = true;
          else ax.fail("expected x, y or z");
        }
      }
      s.refine.push_back(r);
    }
  }
  return grid->key_path("cells");
}

/// The anvils' films on the revolved cell: the four side faces become the cylinder's mantle
/// (r = R), the end faces its discs, each with the coefficient that keeps the cube's h A on the
/// medium (the separate heat paths are bodies of revolution and keep their own coefficients and
/// areas); the face on the axis and the angular seam carry none.
void revolve_anvil_films(Model& m) {
  const core::Grid& g = m.grid;
  const auto& L = m.assembly.cell_size;
  auto& h = m.thermal.h;
  const double R = m.assembly.revolved_radius;
  const double side = (L[1] * (h[0] + h[1]) + L[0] * (h[2] + h[3])) / (2.0 * M_PI * R);
  for (int f : {4, 5}) {
    const int k = f == 4 ? 0 : g.nz - 1;
    double path_area = 0.0;
    if (!m.thermal.path_fraction.empty())
      for (int i = 0; i < g.nx; ++i) path_area += m.thermal.path_fraction[g.index(i, 0, k)] * g.area_z(i, 0);
    const double end = M_PI * R * R;
    h[std::size_t(f)] *= (L[0] * L[1] - path_area) / (end - path_area);
  }
  h[0] = h[2] = h[3] = 0.0;
  h[1] = side;
}

/// recipe.from_log: {file, drive, tolerance}: the press log's programs (process/log_programs.hpp).
void read_log_programs(Model& m, const core::Config& config, const ConfigNode& recipe, const ConfigNode& from_log) {
  if (recipe.has("heater")) from_log.fail("give the heater program once: recipe.heater or recipe.from_log");
  if (!from_log.is_map()) from_log.fail("expected a mapping {file: LOG.csv, drive: heater_power}");
  const std::filesystem::path file = config.base_dir() / from_log.string("file");
  std::vector<std::string> probe_names;
  for (const auto& p : m.probes) probe_names.push_back(p.name);
  const process::PressLog log = process::read_press_log(file, probe_names);
  for (const auto& w : log.warnings) m.warnings.push_back(file.filename().string() + ": " + w);
  const auto tolerance = from_log.find("tolerance");
  process::LogPrograms programs = process::programs_from_log(log, from_log.string("drive"), from_log.key_path("drive"),
                                                             process::read_log_tolerances(tolerance ? &*tolerance : nullptr));
  m.heater_recipe = std::move(programs.heater);
  m.oil_pressure = std::move(programs.oil_pressure);
  m.coolant_temperature = std::move(programs.coolant);
  const auto& oil = m.oil_pressure;
  if (!oil.empty())
    for (const auto& seg : oil.segments())
      if (!(seg.target >= 0.0 && seg.target < 1e9))
        throw ConfigError(file.string(), "column 'oil_pressure': oil pressures must lie between 0 and 1000 MPa");
}

int region_of(const geometry::Assembly& a, const ConfigNode& roles, const char* key) {
  auto n = roles.find(key);
  if (!n) return -1;
  std::string name = n->as_string();
  int r = a.find_primitive(name);
  if (r < 0) n->fail("no primitive named '" + name + "' in the assembly");
  return r;
}

}  // namespace

Model Model::from_file(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  core::Config cfg = core::Config::load_file(path);
  for (const auto& o : overrides) cfg.apply_override(o);
  return from_config(cfg);
}

Model Model::from_config(const core::Config& config) {
  Model m;
  ConfigNode root = config.root();
  root.find("title");        // free text, optional
  root.find("description");

  // --- materials: the library file first, then inline entries (which may replace them).
  materials::MaterialLibrary library;
  ConfigNode cell = root.at("cell");
  if (auto lib = cell.find("materials_library")) {
    std::filesystem::path p = config.base_dir() / lib->as_string();
    core::Config libcfg = [&] {
      try {
        return core::Config::load_file(p);
      } catch (const ConfigError& e) {
        if (!e.key().empty()) throw;  // a key inside the library (a duplicate, say): name that key
        lib->fail(std::string("cannot use materials library: ") + e.what());
      }
    }();
    try {
      library.add_from_config(libcfg.root().at("materials"));
      libcfg.check_all_used();
    } catch (const ConfigError& e) {
      throw ConfigError(e.key(), std::string(e.what()).substr(e.key().empty() ? 0 : e.key().size() + 2) +
                                     " (in materials library " + p.string() + ")");
    }
  }
  if (auto inline_materials = root.find("materials")) library.add_from_config(*inline_materials);
  if (auto scales = root.find("material_scales")) library.apply_scales(*scales);

  // --- geometry: Cartesian, or the body of revolution in (r, z) (geometry/axisymmetric.hpp)
  m.assembly = geometry::Assembly::from_config(root);
  const std::string geometry_kind = cell.string_or("geometry", "cartesian");
  if (geometry_kind == "axisymmetric") {
    const double w = m.assembly.cell_size[0];
    double radius = geometry::kEqualVolumeRadiusPerEdge * w;
    if (auto rr = cell.find("revolved_radius")) {
      const std::string rule = rr->as_string();
      if (rule == "equal_conduction") radius = geometry::kEqualConductionRadiusPerEdge * w;
      else if (rule != "equal_volume") {
        radius = rr->as_quantity(dim::length, "equal_volume, equal_conduction or a length such as \"27 mm\"");
        if (!(radius >= 0.5 * w && radius <= 0.75 * w))
          rr->fail("the revolved radius must lie between half the cell's edge and 0.75 of it (" +
                   core::format_number(0.5 * w * 1e3) + "-" + core::format_number(0.75 * w * 1e3) + " mm)");
      }
    }
    m.assembly = geometry::revolve(m.assembly, radius);
  } else if (cell.has("revolved_radius")) {
    cell.fail_key("revolved_radius", "only an axisymmetric cell (cell.geometry: axisymmetric) has a revolved radius");
  } else if (geometry_kind != "cartesian")
    cell.fail_key("geometry", "'" + geometry_kind + "' is not a cell geometry; expected cartesian or axisymmetric");
  const bool revolved = m.assembly.axisymmetric();
  geometry::GridSettings grid_settings;
  const std::string cells_key = read_grid_settings(cell, m.assembly, grid_settings);
  {
    geometry::AssemblyGrid g = geometry::build_grid(m.assembly, grid_settings);
    m.grid = std::move(g.grid);
    m.grid_description = g.describe();
  }
  // A grid the machine cannot hold is refused here, before the material map and the rest.
  check_run_memory(m.grid.nx, m.grid.ny, m.grid.nz,
                   root.has("pressure") && root.at("pressure").boolean_or("field", false), root.has("growth"),
                   core::available_memory(), cells_key);
  for (std::size_t p = 0; p < m.assembly.primitives.size(); ++p)
    if (!library.contains(m.assembly.primitives[p].material))
      throw ConfigError("assembly." + std::to_string(p) + ".material",
                        "unknown material '" + m.assembly.primitives[p].material + "' (not in the materials library or `materials`)");
  for (std::size_t s = 0; s < m.assembly.seeds.size(); ++s)
    if (!library.contains(m.assembly.seeds[s].material))
      throw ConfigError("seeds." + std::to_string(s) + ".material", "unknown material '" + m.assembly.seeds[s].material + "'");
  m.map = geometry::paint(m.assembly, m.grid);
  for (const auto& name : m.map.names) m.materials.push_back(library.get(name));

  if (auto roles = root.find("roles")) {
    m.heater_region = region_of(m.assembly, *roles, "heater");
    m.source_region = region_of(m.assembly, *roles, "carbon_source");
    m.solvent_region = region_of(m.assembly, *roles, "solvent");
  }

  // --- anvils: contact footprint for the current, cooling for the heat.
  ConfigNode anvils = root.at("anvils");
  {
    ConfigNode face = anvils.at("face_size");
    double a = face.as_quantity(dim::length, "a length such as \"23.5 mm\" (edge of the square anvil face)");
    if (!(a > 0.0)) face.fail("must be positive");
    m.electric.contact_half_x = 0.5 * a;
    m.electric.contact_half_y = 0.5 * a;
    if (revolved) {  // the square face as the disc of its area
      m.electric.contact_half_x = a / std::sqrt(M_PI);
      m.electric.contact_half_y = M_PI;
    }
  }
  m.thermal.coolant_temperature = anvils.quantity("coolant_temperature", dim::temperature, temperature_what);
  core::require_absolute_temperature(anvils.key_path("coolant_temperature"), m.thermal.coolant_temperature);
  {
    ConfigNode h = anvils.at("heat_transfer_coefficient");
    if (h.is_scalar()) {
      double v = h.as_quantity(dim::heat_transfer_coefficient, htc_what);
      if (!(v >= 0.0)) h.fail("must not be negative");
      m.thermal.h.fill(v);
    } else {
      const char* faces[6] = {"x_min", "x_max", "y_min", "y_max", "z_min", "z_max"};
      for (int f = 0; f < 6; ++f) {
        double v = h.quantity(faces[f], dim::heat_transfer_coefficient, htc_what);
        if (!(v >= 0.0)) h.fail_key(faces[f], "must not be negative");
        m.thermal.h[f] = v;
      }
    }
  }
  // Separate heat paths: parts whose contact with the anvils has its own film coefficient
  // (the metal end rings: metal-to-carbide contact and the spreading of heat into the anvil).
  if (auto paths = anvils.find("heat_paths")) {
    const std::size_t n = m.grid.size();
    std::vector<double> h_of_region(m.assembly.primitives.size() + m.assembly.seeds.size(), -1.0);
    if (!paths->is_sequence()) paths->fail("expected a list of {primitive, heat_transfer_coefficient}");
    for (const ConfigNode& path : paths->items()) {
      const std::string name = path.string("primitive");
      const int region = m.assembly.find_primitive(name);
      if (region < 0) path.fail_key("primitive", "no primitive named '" + name + "' in the assembly");
      if (h_of_region[std::size_t(region)] >= 0.0) path.fail_key("primitive", "'" + name + "' has a heat path already");
      const double v = path.quantity("heat_transfer_coefficient", dim::heat_transfer_coefficient, htc_what);
      if (!(v >= 0.0)) path.fail_key("heat_transfer_coefficient", "must not be negative");
      h_of_region[std::size_t(region)] = v;
    }
    m.thermal.path_fraction.assign(n, 0.0);
    m.thermal.path_h.assign(n, 0.0);
    for (std::size_t c = 0; c < n; ++c) {
      auto add = [&](std::int32_t region, double fraction) {
        const double h = h_of_region[std::size_t(region)];
        if (h < 0.0) return;
        m.thermal.path_fraction[c] += fraction;
        m.thermal.path_h[c] += fraction * h;
      };
      if (m.map.mixed_index[c] >= 0)
        for (const auto& part : m.map.mixed[std::size_t(m.map.mixed_index[c])].parts) add(part.region, part.fraction);
      else
        add(m.map.region[c], 1.0);
    }
  }

  if (revolved) revolve_anvil_films(m);

  // --- heater: contacts, and constant control unless the recipe drives it
  ConfigNode heater = root.at("heater");
  const bool recipe_heater =
      root.has("recipe") && (root.at("recipe").has("heater") || root.at("recipe").has("from_log"));
  if (heater.has("control") && recipe_heater)
    heater.fail_key("control", "the heater is driven by recipe.heater; remove heater.control (and its setpoint)");
  if (!recipe_heater) {
    std::string mode = heater.string("control");
    if (mode == "power") {
      m.electric.mode = physics::ControlMode::power;
      m.electric.setpoint = heater.quantity("power", dim::power, "a power such as \"1.2 kW\"");
    } else if (mode == "voltage") {
      m.electric.mode = physics::ControlMode::voltage;
      m.electric.setpoint = heater.quantity("voltage", dim::voltage, "a voltage such as \"2.5 V\"");
    } else if (mode == "current") {
      m.electric.mode = physics::ControlMode::current;
      m.electric.setpoint = heater.quantity("current", dim::current, "a current such as \"600 A\"");
    } else {
      heater.fail_key("control", "'" + mode + "' is not a control mode; expected power, voltage or current");
    }
    if (!(m.electric.setpoint >= 0.0)) heater.fail_key(mode, "must not be negative");
  }
  m.electric.insulator_resistivity =
      heater.quantity_or("insulator_resistivity", dim::resistivity, "a resistivity such as \"1 ohm*m\"", 1.0);
  m.electric.contact_resistance = heater.quantity_or(
      "contact_resistance", dim::make(4, 1, -3, -2, 0), "a specific contact resistance such as \"1e-8 ohm*m^2\"", 0.0);
  if (!(m.electric.insulator_resistivity > 0.0)) heater.fail_key("insulator_resistivity", "must be positive");
  if (!(m.electric.contact_resistance >= 0.0)) heater.fail_key("contact_resistance", "must not be negative");

  // --- probes
  if (auto probes = root.find("probes")) {
    for (const auto& name : probes->keys()) {
      auto pos = probes->quantities(name, 3, dim::length, "a position such as [\"0 mm\", \"0 mm\", \"2 mm\"]");
      for (int c = 0; c < 3; ++c)
        if (std::abs(pos[c]) > 0.5 * m.assembly.cell_size[c] + 1e-12)
          probes->fail_key(name, "probe lies outside the cell");
      // In (r, z) a probe at (x, y, z) reads the revolution at radius hypot(x, y).
      if (revolved && std::hypot(pos[0], pos[1]) > m.assembly.revolved_radius)
        probes->fail_key(name, "probe lies outside the revolved cell (radius " +
                                   core::format_number(m.assembly.revolved_radius * 1e3) + " mm)");
      m.probes.push_back({name, {pos[0], pos[1], pos[2]}});
    }
  }

  // --- time
  ConfigNode time = root.at("time");
  m.time.initial_temperature =
      time.quantity_or("initial_temperature", dim::temperature, temperature_what, m.thermal.coolant_temperature);
  core::require_absolute_temperature(time.key_path("initial_temperature"), m.time.initial_temperature);
  m.time.start_from_steady_state = time.boolean_or("start_from_steady_state", false);
  m.time.step = time.quantity_or("step", dim::time, duration_what, 10.0);
  m.time.max_step = time.quantity_or("max_step", dim::time, duration_what, 600.0);
  m.time.min_step = time.quantity_or("min_step", dim::time, duration_what, 1e-3);
  m.time.step_growth = time.number_or("step_growth", 2.0);
  m.time.tolerance = time.quantity_or("tolerance", dim::temperature, "a temperature change such as \"1 K\"", 1.0);
  if (!(m.time.step > 0.0)) time.fail_key("step", "must be positive");
  if (!(m.time.max_step >= m.time.step)) time.fail_key("max_step", "must be at least time.step");
  if (!(m.time.min_step > 0.0 && m.time.min_step <= m.time.step)) time.fail_key("min_step", "must be positive and at most time.step");
  if (!(m.time.step_growth > 1.0 && m.time.step_growth <= 10.0)) time.fail_key("step_growth", "must be above 1 and at most 10");
  if (!(m.time.tolerance > 0.0)) time.fail_key("tolerance", "must be positive");

  // --- recipe: heater (power or thermocouple temperature) and oil pressure, over time
  if (auto recipe = root.find("recipe")) {
    if (auto from_log = recipe->find("from_log")) read_log_programs(m, config, *recipe, *from_log);
    if (auto h = recipe->find("heater")) {
      std::vector<std::string> probe_names;
      for (const auto& p : m.probes) probe_names.push_back(p.name);
      m.heater_recipe = HeaterRecipe::from_config(*h, probe_names, m.time.initial_temperature);
    }
    if (m.heater_recipe.mode != HeaterRecipe::Mode::none) {
      // The electric solve holds what the program's first segment sets; resistance and
      // temperature segments set a power (found in the coupling, none before it).
      using Mode = HeaterRecipe::Mode;
      const Mode first = m.heater_recipe.mode;
      m.electric.mode = first == Mode::voltage   ? physics::ControlMode::voltage
                        : first == Mode::current ? physics::ControlMode::current
                                                 : physics::ControlMode::power;
      m.electric.setpoint =
          first == Mode::resistance || first == Mode::temperature ? 0.0 : m.heater_recipe.schedule.value(0.0);
    }
    if (auto coolant = recipe->find("coolant_temperature")) {
      if (!m.coolant_temperature.empty()) coolant->fail("the cooling water comes from recipe.from_log's coolant_temperature column; remove one");
      m.coolant_temperature = process::Schedule::from_config(
          *coolant, dim::temperature, temperature_what, m.thermal.coolant_temperature,
          [](const ConfigNode& n, double v) { core::require_absolute_temperature(n, v); });
    }
    if (auto oil = recipe->find("oil_pressure")) {
      if (!m.oil_pressure.empty()) oil->fail("the oil pressure comes from recipe.from_log's oil_pressure column; remove one");
      m.oil_pressure = process::Schedule::from_config(
          *oil, dim::pressure, "an oil pressure such as \"90 MPa\"", 0.0, [](const ConfigNode& n, double v) {
            if (!(v >= 0.0 && v < 1e9)) n.fail("oil pressures must lie between 0 and 1000 MPa; got '" + n.as_string() + "'");
          });
    }
  }
  {
    double recipe_end = std::max({m.heater_recipe.schedule.end_time(), m.oil_pressure.end_time(),
                                  m.coolant_temperature.end_time()});
    if (auto e = time.find("end")) m.time.end = e->as_quantity(dim::time, duration_what);
    else if (recipe_end > 0.0) m.time.end = recipe_end;
    else time.fail_key("end", "missing required key (no recipe gives the run's length)");
    if (!(m.time.end >= 0.0)) time.fail_key("end", "must not be negative");
  }

  // --- pressure in the cell: oil pressure through the calibration curve, or a constant
  if (auto pr = root.find("pressure")) {
    process::PressureScale scale = process::PressureScale::as_given;
    const std::string scale_name = pr->string_or("scale", "as_given");
    if (scale_name == "nacl_1966") scale = process::PressureScale::nacl_1966;
    else if (scale_name == "practical_1972") scale = process::PressureScale::practical_1972;
    else if (scale_name != "as_given")
      pr->fail_key("scale", "expected as_given (the calibration's cell values), nacl_1966 or practical_1972");
    if (auto cal = pr->find("calibration"))
      m.calibration = process::PressureCalibration::from_config(*cal, scale, pr->key_path("scale"));
    else if (pr->has("scale"))
      pr->fail_key("scale", "a pressure scale needs a calibration (pressure.calibration)");
    if (auto cp = pr->find("cell_pressure")) {
      m.constant_cell_pressure = cp->as_quantity(dim::pressure, "a pressure such as \"5.5 GPa\"");
      if (!(m.constant_cell_pressure >= 0.0 && m.constant_cell_pressure < 20e9)) cp->fail("must lie between 0 and 20 GPa");
      if (!m.oil_pressure.empty()) cp->fail("the cell pressure comes from recipe.oil_pressure; remove this key or the recipe");
    }
    if (!m.oil_pressure.empty()) {
      if (m.calibration.empty()) pr->fail_key("calibration", "missing: needed to turn recipe.oil_pressure into cell pressure");
      double highest = m.oil_pressure.value(0.0), lowest = highest;
      for (const auto& seg : m.oil_pressure.segments())
        if (seg.kind == process::Segment::Kind::ramp) {
          highest = std::max(highest, seg.target);
          lowest = std::min(lowest, seg.target);
        }
      // Below the first point the run failed at its first step (std::out_of_range, exit 1).
      if (lowest < m.calibration.min_oil())
        throw ConfigError("recipe.oil_pressure", "reaches " + std::to_string(lowest * 1e-6) +
                                                     " MPa, below the lowest calibration point (" +
                                                     std::to_string(m.calibration.min_oil() * 1e-6) +
                                                     " MPa): extrapolation is refused");
      if (highest > m.calibration.max_oil() * (1 + 1e-12))
        throw ConfigError("recipe.oil_pressure", "reaches " + std::to_string(highest * 1e-6) +
                                                     " MPa, beyond the highest calibration point (" +
                                                     std::to_string(m.calibration.max_oil() * 1e-6) +
                                                     " MPa): extrapolation is refused");
    } else if (std::isnan(m.constant_cell_pressure)) {
      pr->fail_key("cell_pressure", "missing: give a constant cell pressure or an oil-pressure recipe");
    }
    bool all_mechanical = true;
    for (const auto& mat : m.materials)
      all_mechanical = all_mechanical && mat.has_mechanics();
    // Off unless asked for (the default config asks): it needs the elastic data of every
    // material, and a solve costs about as much as a time step.
    const bool want = pr->boolean_or("field", false);
    if (want && !all_mechanical)
      pr->fail_key("field", "needs youngs_modulus, poisson_ratio and thermal_expansion for every material in the cell");
    m.pressure.field = want;
    const std::string anvils = pr->string_or("anvils", "load");
    if (anvils == "load") m.pressure.anvils = physics::PressureSettings::Anvils::load;
    else if (anvils == "fixed_rams") m.pressure.anvils = physics::PressureSettings::Anvils::fixed_rams;
    else pr->fail_key("anvils", "expected load (the oil pressure holds the rams' force) or fixed_rams");
    m.pressure.relaxation_time = pr->quantity_or("relaxation_time", dim::time, duration_what, m.pressure.relaxation_time);
    if (!(m.pressure.relaxation_time > 0.0)) pr->fail_key("relaxation_time", "must be positive");
    m.pressure.refresh = pr->quantity_or("refresh_pressure", dim::pressure, "a pressure such as \"20 MPa\"", m.pressure.refresh);
    if (!(m.pressure.refresh >= 0.0 && m.pressure.refresh <= 1e9))
      pr->fail_key("refresh_pressure", "must lie between 0 and 1 GPa (0: solve the field at every step)");
    if (auto cs = pr->find("crystal_stress")) {
      if (!want) cs->fail("the crystals' stress is solved on the thermo-elastic field: it needs pressure.field: true");
      m.crystal_stress = read_crystal_stress(*cs);
    }
  }

  // --- carbon transport and growth
  if (auto gr = root.find("growth")) {
    if (m.solvent_region < 0 || m.source_region < 0)
      gr->fail("growth needs roles.solvent and roles.carbon_source");
    if (m.assembly.seeds.empty()) gr->fail("growth needs at least one seed (seeds)");
    if (!m.has_pressure()) gr->fail("growth needs the cell pressure (the pressure section)");
    m.growth = read_growth_settings(*gr, m.assembly.primitives[std::size_t(m.solvent_region)].material,
                                    m.assembly.seeds);
  }
  if (m.heater_recipe.uses(HeaterRecipe::Mode::growth_rate) && !m.growth)
    root.at("recipe").at("heater").fail("control: growth_rate holds a growth rate: it needs the growth section");

  // --- drifts of properties over the cycle
  if (auto drifts = root.find("drift")) {
    for (const auto& d : drifts->items()) {
      process::Drift dr;
      std::string prop = d.string("property");
      if (prop == "electrical_resistivity") dr.property = process::Drift::Property::electrical_resistivity;
      else if (prop == "thermal_conductivity") dr.property = process::Drift::Property::thermal_conductivity;
      else d.fail_key("property", "expected electrical_resistivity or thermal_conductivity");
      const bool by_primitive = d.has("primitive"), by_material = d.has("material");
      if (by_primitive == by_material) d.fail("name exactly one of primitive or material");
      if (by_primitive) {
        std::string name = d.string("primitive");
        dr.region = m.assembly.find_primitive(name);
        if (dr.region < 0) d.fail_key("primitive", "no primitive named '" + name + "'");
      } else {
        std::string name = d.string("material");
        for (std::size_t i = 0; i < m.map.names.size(); ++i)
          if (m.map.names[i] == name) dr.material = int(i);
        if (dr.material < 0) d.fail_key("material", "no cell is made of '" + name + "'");
      }
      dr.relative_change = d.number("relative_change");
      dr.time_constant = d.quantity("time_constant", dim::time, duration_what);
      if (!(dr.relative_change > -0.9 && dr.relative_change < 10.0)) d.fail_key("relative_change", "must lie in (-0.9, 10)");
      if (!(dr.time_constant > 0.0)) d.fail_key("time_constant", "must be positive");
      m.drifts.push_back(dr);
    }
  }

  if (auto out = root.find("output")) {
    m.time.snapshot_interval = out->quantity_or("snapshot_interval", dim::time, duration_what, m.time.snapshot_interval);
    m.time.checkpoint_wall_interval =
        out->quantity_or("checkpoint_wall_interval", dim::time, duration_what, m.time.checkpoint_wall_interval);
    if (!(m.time.checkpoint_wall_interval >= 0.0))
      out->fail_key("checkpoint_wall_interval", "must not be negative");
  }
  if (!(m.time.snapshot_interval > 0.0)) throw ConfigError("output.snapshot_interval", "must be positive");

  // --- solvers
  if (auto s = root.find("solver")) {
    m.linear.rel_tol = s->number_or("linear_tolerance", m.linear.rel_tol);
    m.linear.max_iterations = s->integer_or("linear_max_iterations", m.linear.max_iterations);
    m.pressure.tolerance = s->number_or("mechanics_tolerance", m.pressure.tolerance);
    if (!(m.pressure.tolerance > 0.0 && m.pressure.tolerance < 1e-2)) s->fail_key("mechanics_tolerance", "must be in (0, 1e-2)");
    m.coupling.tolerance = s->quantity_or("coupling_tolerance", dim::temperature, "a temperature change such as \"0.01 K\"",
                                          m.coupling.tolerance);
    m.coupling.max_iterations = s->integer_or("coupling_max_iterations", m.coupling.max_iterations);
    if (!(m.linear.rel_tol > 0.0 && m.linear.rel_tol < 1e-2)) s->fail_key("linear_tolerance", "must be in (0, 1e-2)");
    if (m.linear.max_iterations < 1) s->fail_key("linear_max_iterations", "must be at least 1");
    if (!(m.coupling.tolerance > 0.0)) s->fail_key("coupling_tolerance", "must be positive");
    if (m.coupling.max_iterations < 1) s->fail_key("coupling_max_iterations", "must be at least 1");
  }

  config.check_all_used();

  // --- consistency checks that need the painted map.
  std::vector<double> resistivity(m.grid.size());
  for (std::size_t c = 0; c < resistivity.size(); ++c)
    resistivity[c] = m.materials[m.map.material[c]].electrical_resistivity(m.time.initial_temperature);
  physics::ElectricProblem probe(m.grid, m.electric);
  if (!probe.contacts_connected(resistivity))
    throw ConfigError("assembly", "no conductive path joins the top and bottom anvil contacts (resistivity below heater.insulator_resistivity); the heater current cannot flow");

  m.config_yaml = config.to_yaml();
  return m;
}

double Model::cell_pressure(double t) const {
  if (!oil_pressure.empty() && !calibration.empty()) return calibration.cell_pressure(oil_pressure.value(t));
  return constant_cell_pressure;
}

double Model::next_recipe_boundary(double t) const {
  return std::min({heater_recipe.schedule.next_boundary(t), oil_pressure.next_boundary(t),
                   coolant_temperature.next_boundary(t)});
}

bool Model::recipe_ramping(double t) const {
  for (const process::Schedule* s : {&heater_recipe.schedule, &oil_pressure, &coolant_temperature}) {
    const int i = s->segment_at(t);
    if (i >= 0 && t < s->end_time() && s->segments()[std::size_t(i)].kind == process::Segment::Kind::ramp) return true;
  }
  return false;
}

std::array<double, 2> Model::main_hold() const {
  // The heater: the longest segment spent near full output.
  {
    const process::Schedule& h = heater_recipe.schedule;
    double peak = 0.0;
    for (std::size_t i = 0; i < h.segments().size(); ++i) {
      const double end_time = h.ends()[i], start_time = end_time - h.segments()[i].duration;
      peak = std::max({peak, h.value(start_time), h.value(end_time)});
    }
    double best = 0.0;
    std::array<double, 2> hold{0.0, 0.0};
    for (std::size_t i = 0; i < h.segments().size(); ++i) {
      const double end_time = h.ends()[i], start_time = end_time - h.segments()[i].duration;
      const bool high = std::min(h.value(start_time), h.value(end_time)) >= 0.5 * peak;
      if (peak > 0.0 && high && h.segments()[i].duration > best) {
        best = h.segments()[i].duration;
        hold = {start_time, end_time};
      }
    }
    if (best > 0.0) return hold;
  }
  {
    const process::Schedule& s = oil_pressure;
    double best = 0.0;
    std::array<double, 2> hold{0.0, 0.0};
    for (std::size_t i = 0; i < s.segments().size(); ++i) {
      const auto& seg = s.segments()[i];
      if (seg.kind == process::Segment::Kind::hold && seg.duration > best) {
        best = seg.duration;
        hold = {s.ends()[i] - seg.duration, s.ends()[i]};
      }
    }
    if (best > 0.0) return hold;
  }
  return {0.0, time.end};
}

}  // namespace hphtsim::simulation
