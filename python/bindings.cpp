// SPDX-License-Identifier: MIT
// hphtsim._core: thin pybind11 bindings of the C++ core. No defaults and no logic here (runs to
// a file go through the C++ run driver, outputs through the C++ output table): the
// pure-Python package `hphtsim` (python/hphtsim/*.py) holds the user-facing API, defaults,
// unit handling and docstrings. Long calls release the GIL. Fields are zero-copy numpy views
// whose base is the Python Simulation object, so a view keeps its simulation alive.
#include <omp.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/core/units.hpp"
#include "hphtsim/core/version.hpp"
#include "hphtsim/io/checkpoint.hpp"
#include "hphtsim/io/result_file.hpp"
#include "hphtsim/process/calibration.hpp"
#include "hphtsim/process/press_log.hpp"
#include "hphtsim/simulation/model.hpp"
#include "hphtsim/simulation/run.hpp"
#include "hphtsim/simulation/simulation.hpp"
#include "hphtsim/simulation/outputs.hpp"

namespace py = pybind11;
using hphtsim::simulation::Model;
using hphtsim::simulation::Simulation;

namespace {

py::array_t<double> copy_vector(const std::vector<double>& v) {
  py::array_t<double> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// Figures of the current state from the output table: every time-series column, a float or,
// for per-seed columns, a list.
py::dict diagnostics_dict(const Simulation& sim) {
  py::dict r;
  const std::vector<double> row = sim.series_row();
  std::size_t pos = 0;
  for (const auto& s : sim.outputs().series()) {
    if (s.width == hphtsim::simulation::Width::one) {
      r[py::str(s.name)] = row[pos];
    } else {
      r[py::str(s.name)] = std::vector<double>(row.begin() + long(pos), row.begin() + long(pos) + s.columns);
    }
    pos += std::size_t(s.columns);
  }
  return r;
}

py::dict summary_dict(const hphtsim::simulation::RunSummary& s) {
  py::dict r;
  for (const auto& [name, value, units] : s.figures()) r[py::str(name)] = py::make_tuple(value, units);
  return r;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "hphtsim._core: C++ core of hphtsim (use the `hphtsim` package, not this module)";
  m.attr("version") = hphtsim::version;
  m.attr("git_revision") = hphtsim::git_revision;

  // --- exceptions: Python classes with the C++ error's data as attributes.
  static py::exception<hphtsim::ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::exception<hphtsim::SolverError> solver_error(m, "SolverError", PyExc_RuntimeError);
  static py::exception<hphtsim::IoError> io_error(m, "ResultFileError", PyExc_OSError);
  config_error.attr("key") = py::none();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const hphtsim::ConfigError& e) {
      py::object cls = py::reinterpret_borrow<py::object>(config_error.ptr());
      py::object inst = cls(py::str(e.what()));
      inst.attr("key") = py::str(e.key());
      PyErr_SetObject(config_error.ptr(), inst.ptr());
    } catch (const hphtsim::SolverError& e) {
      solver_error(e.what());
    } catch (const hphtsim::IoError& e) {
      io_error(e.what());
    }
  });

  m.def("checkpoint_path", [](const std::filesystem::path& result) {
    return hphtsim::io::checkpoint_path_for(result).string();
  }, py::arg("result"), "OUT.checkpoint.h5 beside OUT.h5, where the run driver writes the checkpoint");
  m.def("outputs_markdown", &hphtsim::simulation::catalogue_markdown,
        "the catalogue of every output (fields and time series) as markdown tables");

  // --- threads and units
  m.def("fixed_point_pressure", [](const std::string& name, const std::string& scale) {
    for (auto sc : hphtsim::process::tabulated_scales())
      if (scale == hphtsim::process::to_string(sc)) return hphtsim::process::fixed_point_pressure(name, sc);
    throw hphtsim::ConfigError("scale", "unknown pressure scale '" + scale + "'");
  }, py::arg("name"), py::arg("scale"), "Pa of a fixed point on a tabulated pressure scale (NaN: unknown name)");
  m.def("set_num_threads", [](int n) { omp_set_num_threads(n); }, py::arg("n"));
  m.def("get_num_threads", [] { return omp_get_max_threads(); });
  m.def("parse_duration", [](const std::string& text) {
    return hphtsim::core::parse_quantity_as(text, hphtsim::core::dim::time, "a duration such as \"2 h\"");
  }, py::arg("text"), "SI seconds of a duration string; ValueError if it is not one");
  m.def("parse_quantity", [](const std::string& text) {
    hphtsim::core::Quantity q = hphtsim::core::parse_quantity(text);
    return py::make_tuple(q.value, q.dimension.to_string());
  }, py::arg("text"), "(SI value, base-unit dimension text) of a quantity string");

  // --- press logs (process/press_log.hpp): the same checks as recipe.from_log
  m.def("read_press_log", [](const std::filesystem::path& path, const std::vector<std::string>& probe_names) {
    const hphtsim::process::PressLog log = hphtsim::process::read_press_log(path, probe_names);
    py::dict columns;
    for (const auto& c : log.columns) columns[py::str(c.name)] = py::make_tuple(c.unit, py::array(py::cast(c.values)));
    py::dict out;
    out["time"] = py::array(py::cast(log.time));
    out["columns"] = columns;
    out["warnings"] = log.warnings;
    return out;
  }, py::arg("path"), py::arg("probe_names"),
        "a press log's time (s) and columns {name: (unit, SI values)}, and its warnings; ConfigError naming row and column");

  // The growth settings of a model that has them (a ConfigError naming `growth` otherwise).
  static const auto growth_of = [](const Model& md) -> const hphtsim::growth::GrowthSettings& {
    if (!md.growth) throw hphtsim::ConfigError("growth", "the config has no growth section");
    return *md.growth;
  };

  // --- Model
  py::class_<hphtsim::geometry::Seed>(m, "Seed")
      .def_readonly("name", &hphtsim::geometry::Seed::name)
      .def_readonly("center", &hphtsim::geometry::Seed::center)
      .def_readonly("size", &hphtsim::geometry::Seed::size)
      .def_readonly("material", &hphtsim::geometry::Seed::material);

  py::class_<Model>(m, "Model")
      .def_static("from_file", [](const std::filesystem::path& path, const std::vector<std::string>& overrides) {
        return Model::from_file(path, overrides);
      }, py::arg("path"), py::arg("overrides"))
      .def_static("from_yaml", [](const std::string& text, const std::filesystem::path& base_dir,
                                  const std::vector<std::string>& overrides) {
        hphtsim::core::Config cfg = hphtsim::core::Config::load_string(text, base_dir);
        for (const auto& o : overrides) cfg.apply_override(o);
        return Model::from_config(cfg);
      }, py::arg("text"), py::arg("base_dir"), py::arg("overrides"))
      .def_readonly("config_yaml", &Model::config_yaml)
      .def_property_readonly("shape", [](const Model& md) {
        return py::make_tuple(md.grid.nz, md.grid.ny, md.grid.nx);
      })
      .def_property_readonly("axisymmetric", [](const Model& md) { return md.grid.is_cylindrical(); })
      .def_property_readonly("x_edges", [](const Model& md) { return copy_vector(md.grid.x); })
      .def_property_readonly("y_edges", [](const Model& md) { return copy_vector(md.grid.y); })
      .def_property_readonly("z_edges", [](const Model& md) { return copy_vector(md.grid.z); })
      .def_property_readonly("material", [](const Model& md) {
        const auto& g = md.grid;
        py::array_t<std::int32_t> a({g.nz, g.ny, g.nx});
        std::copy(md.map.material.begin(), md.map.material.end(), a.mutable_data());
        return a;
      })
      .def_property_readonly("material_names", [](const Model& md) { return md.map.names; })
      .def_property_readonly("time_end", [](const Model& md) { return md.time.end; })
      .def_property_readonly("time_step", [](const Model& md) { return md.time.step; })
      .def_property_readonly("start_from_steady_state", [](const Model& md) { return md.time.start_from_steady_state; })
      .def_property_readonly("seeds", [](const Model& md) { return md.assembly.seeds; })
      .def_property_readonly("probe_names", [](const Model& md) {
        std::vector<std::string> n;
        for (const auto& p : md.probes) n.push_back(p.name);
        return n;
      })
      // The model's own laws at a point, for the benchmark's comparisons with published data
      // (python/hphtsim/benchmark/validation.py): the physics as the run uses it, not a copy.
      .def("cell_pressure_at_oil", [](const Model& md, double oil) {
        if (md.calibration.empty()) throw hphtsim::ConfigError("pressure.calibration", "the config has no calibration");
        return md.calibration.cell_pressure(oil);
      }, py::arg("oil"), "calibrated cell pressure (Pa) at an oil pressure (Pa); IndexError beyond the last point")
      .def("equilibrium_pressure", [](const Model& md, double T) {
        return hphtsim::physics::equilibrium_pressure(growth_of(md).solubility.line, T);
      }, py::arg("T"), "graphite-diamond equilibrium pressure (Pa) at T (K), the config's line")
      .def("eutectic_temperature", [](const Model& md, double p) { return growth_of(md).eutectic.temperature(p); },
           py::arg("p"), "the solvent's eutectic temperature (K) at pressure p (Pa)")
      .def("habit_index", [](const Model& md, double T) { return growth_of(md).habit_index(T); }, py::arg("T"),
           "-1 cube, 0 cubo-octahedron, +1 octahedron at T (K)")
      .def("seed_window", [](const Model& md, std::size_t seed) {
        const auto& w = growth_of(md).seed_windows;
        if (seed >= w.size() || !w[seed].defined()) return py::object(py::none());
        return py::object(py::make_tuple(w[seed].lower, w[seed].upper));
      }, py::arg("seed"), "the seed's observed growth window (K, K) or None")
      .def("morphology", [](const Model& md, std::size_t seed, double T) {
        const auto& m = growth_of(md).seed_morphology;
        const double code = seed < m.size() && m[seed] ? m[seed]->code(T) : std::nan("");
        if (std::isnan(code)) return py::object(py::none());
        return py::object(py::str(hphtsim::growth::to_string(static_cast<hphtsim::growth::Morphology>(int(code)))));
      }, py::arg("seed"), py::arg("T"), "the morphology observed at T (K) on the seed's face (plate, tower, "
                                         "tower-steeple), or None outside the solvent's table")
      .def_property_readonly("diamond_density", [](const Model& md) { return growth_of(md).diamond_density; });

  // --- Simulation
  py::class_<Simulation>(m, "Simulation")
      .def(py::init([](const Model& md) {
        Model copy = md;
        py::gil_scoped_release release;
        return std::make_unique<Simulation>(std::move(copy));
      }), py::arg("model"))
      .def_property_readonly("model", &Simulation::model, py::return_value_policy::reference_internal)
      .def_property_readonly("time", &Simulation::time)
      .def("step", &Simulation::step, py::arg("dt"), py::call_guard<py::gil_scoped_release>())
      .def("solve_steady", &Simulation::solve_steady, py::call_guard<py::gil_scoped_release>())
      .def("run", [](Simulation& sim, double until, bool progress) {
        hphtsim::simulation::RunOptions opts;
        opts.until = until;
        opts.progress = progress;
        py::gil_scoped_release release;
        sim.run(opts, nullptr);
      }, py::arg("until"), py::arg("progress"))
      .def("run_to_result", [](Simulation& sim, const std::string& output, double until, bool overwrite,
                               bool restart, bool checkpoint, bool progress, bool handle_signals) {
        hphtsim::simulation::RunRequest req;
        req.output = output;
        req.until = until;
        req.overwrite = overwrite;
        req.restart = restart;
        req.checkpoint = checkpoint;
        req.progress = progress;
        req.handle_signals = handle_signals;
        req.output_key = "output";
        req.overwrite_key = "overwrite=True";
        req.restart_key = "restart";
        hphtsim::simulation::RunOutcome out;
        {
          py::gil_scoped_release release;
          out = hphtsim::simulation::run_to_result(sim, req);
        }
        return py::make_tuple(out.finished, out.signal, out.checkpoint.string(), summary_dict(out.summary));
      }, py::arg("output"), py::arg("until"), py::arg("overwrite"), py::arg("restart"), py::arg("checkpoint"),
         py::arg("progress"), py::arg("handle_signals"))
      .def("summary", [](const Simulation& sim) { return summary_dict(hphtsim::simulation::summarize(sim)); })
      .def("diagnostics", [](const Simulation& sim) { return diagnostics_dict(sim); })
      .def("field_meta", [](const Simulation& sim) {
        py::list out;
        for (const auto& f : sim.outputs().fields())
          out.append(py::make_tuple(f.name, f.units, f.meaning, bool(f.edit)));
        return out;
      })
      .def("series_meta", [](const Simulation& sim) {
        py::list out;
        for (const auto& s : sim.outputs().series()) out.append(py::make_tuple(s.name, s.units, s.columns, s.meaning));
        return out;
      })
      .def("field_names", &Simulation::field_names)
      .def("field_units", &Simulation::field_units, py::arg("name"))
      .def("field", [](py::object self, const std::string& name) {
        const Simulation& sim = self.cast<const Simulation&>();
        const auto* f = &sim.outputs().find(name);  // std::invalid_argument naming every field
        const auto& g = sim.model().grid;
        const py::ssize_t d = sizeof(double);
        // C order (nz, ny, nx), x fastest; base = self keeps the Simulation alive. Output-only
        // fields (crystal) are read-only views.
        py::array_t<double> a({py::ssize_t(g.nz), py::ssize_t(g.ny), py::ssize_t(g.nx)},
                              {d * g.nx * g.ny, d * g.nx, d}, f->view().data(), self);
        if (!f->edit) py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
        return a;
      }, py::arg("name"))
      .def("series_layout", [](const Simulation& sim) {
        py::list out;
        for (const auto& c : sim.series_layout()) out.append(py::make_tuple(c.name, c.units, c.columns));
        return out;
      })
      .def("series_history", [](const Simulation& sim) {
        const auto& h = sim.series_history();
        const py::ssize_t rows = py::ssize_t(h.size());
        const py::ssize_t cols = rows ? py::ssize_t(h[0].size()) : 0;
        py::array_t<double> a({rows, cols});
        double* out = a.mutable_data();
        for (const auto& r : h) out = std::copy(r.begin(), r.end(), out);
        return a;
      });
}
