// SPDX-License-Identifier: MIT
// The hphtsim command.
//
//   hphtsim run CONFIG [-o OUT.h5] [--until DURATION] [--set key.path=value]... [--overwrite|--restart]
//   hphtsim check CONFIG [--set key.path=value]...
//   hphtsim info OUT.h5
//   hphtsim outputs                                              (the table of every output)
//   hphtsim sweep SWEEP.yaml --workers N [--scheduler ADDRESS]   (the Python package: python -m hphtsim)
//   hphtsim plot OUT.h5 [-o OUT.png]                             (likewise)
//   hphtsim converge CONFIG --cells 32,48,64 [--until DURATION]  (likewise)
//   hphtsim calibrate CONFIG LOG.csv --fit KEY=LO:HI -o DIR      (likewise)
//   hphtsim estimate FITTED.yaml LOG.csv -o ESTIMATE.csv         (likewise)
//   hphtsim design CONFIG --target growth_rate="3 mg/h" -o D.yaml  (likewise; also --cooldown)
//
// Exit codes: 0 success; 2 bad input (config, command line, existing output file); 1 a run
// that failed while computing (a solver that did not converge, a write error); 3 a run stopped
// by SIGINT or SIGTERM after finishing its step and writing a checkpoint (continue it with
// --restart).
#include <omp.h>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "hphtsim/app/describe_result.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/core/units.hpp"
#include "hphtsim/core/version.hpp"
#include "hphtsim/io/result_file.hpp"
#include "hphtsim/simulation/run.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace {

using namespace hphtsim;

constexpr int exit_bad_input = 2;
constexpr int exit_failure = 1;
constexpr int exit_interrupted = 3;

// "12.5 h (0.52 d)": simulated times of a cycle read in hours and days.
std::string format_hours(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g h (%.3g d)", s / 3600.0, s / 86400.0);
  return buf;
}

void print_model_summary(const simulation::Model& m, std::ostream& os) {
  os << "grid: " << m.grid_description << " over " << m.assembly.cell_size[0] * 1e3 << " x "
     << m.assembly.cell_size[1] * 1e3 << " x " << m.assembly.cell_size[2] * 1e3 << " mm\n";
  os << "primitives: " << m.assembly.primitives.size() << ", seeds: " << m.seed_count()
     << ", materials: ";
  for (std::size_t i = 0; i < m.map.names.size(); ++i) os << (i ? ", " : "") << m.map.names[i];
  os << "\n";
  for (const auto& w : m.warnings) os << "warning: " << w << "\n";
}

int cmd_check(const std::string& config, const std::vector<std::string>& sets) {
  simulation::Model m = simulation::Model::from_file(config, sets);
  std::cout << config << ": OK\n";
  print_model_summary(m, std::cout);
  return 0;
}

int cmd_run(const std::string& config, std::string output, const std::string& until_text,
            const std::vector<std::string>& sets, bool overwrite, bool restart, bool quiet, int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  // 1. Read and validate everything before any file is created or touched.
  simulation::Model model = simulation::Model::from_file(config, sets);
  simulation::RunRequest request;
  request.progress = !quiet;
  request.handle_signals = true;
  request.overwrite = overwrite;
  request.restart = restart;
  if (!until_text.empty()) {
    try {
      request.until = core::parse_quantity_as(until_text, core::dim::time, "a duration such as \"2 h\"");
    } catch (const std::invalid_argument& e) {
      throw ConfigError("--until", e.what());
    }
    if (request.until < 0.0) throw ConfigError("--until", "must not be negative");
  }
  if (output.empty()) output = std::filesystem::path(config).stem().string() + ".h5";
  request.output = output;
  simulation::check_request(request);

  // 2. The initial electric solve can still reveal a bad assembly; do it before writing.
  simulation::Simulation sim(std::move(model));
  if (!quiet) {
    std::cerr << "[hphtsim] " << config << " -> " << output << " (" << omp_get_max_threads() << " threads)";
    if (restart) std::cerr << ", continuing from its checkpoint";
    std::cerr << "\n";
    print_model_summary(sim.model(), std::cerr);
  }
  // 3. Run through the one driver (result file, checkpoints, signals, summary in /meta).
  const simulation::RunOutcome out = simulation::run_to_result(sim, request);
  const auto& d = sim.diagnostics();
  if (!quiet || !out.finished) {
    std::fprintf(stderr, "[hphtsim] %s: t = %s, %d steps (%d redone), T_max = %.1f degC, P = %.1f W, V = %.3f V, I = %.1f A, R = %.3g ohm",
                 out.finished ? "done" : "stopped by signal", format_hours(d.time).c_str(), d.steps, d.rejected_steps,
                 d.T_max - 273.15, d.electric.power, d.electric.voltage, d.electric.current, d.electric.resistance);
    if (!std::isnan(d.T_source)) std::fprintf(stderr, ", T_source = %.1f degC", d.T_source - 273.15);
    for (std::size_t s = 0; s < d.T_seed.size(); ++s)
      std::fprintf(stderr, ", T_seed[%zu] = %.1f degC (dT %.1f K)", s, d.T_seed[s] - 273.15, d.dT_source_seed[s]);
    std::fprintf(stderr, "\n%s", out.summary.text().c_str());
  }
  if (!out.finished) {
    std::fprintf(stderr, "[hphtsim] checkpoint written to %s; continue with: hphtsim run %s -o %s --restart\n",
                 out.checkpoint.c_str(), config.c_str(), output.c_str());
    return exit_interrupted;
  }
  return 0;
}

}  // namespace

// Sweeps, plots and convergence studies live in the Python package; run it with the same
// arguments, finding the package of this build first.
int exec_python(int argc, char** argv) {
  std::string path = HPHTSIM_PYTHON_DIR;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += std::string(":") + old;
  if (std::filesystem::exists(HPHTSIM_PYTHON_DIR)) setenv("PYTHONPATH", path.c_str(), 1);
  // The benchmark finds the test and benchmark executables beside this one.
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) setenv("HPHTSIM_BINARY_DIR", self.parent_path().c_str(), 0);
  std::vector<char*> args = {const_cast<char*>(HPHTSIM_PYTHON), const_cast<char*>("-m"), const_cast<char*>("hphtsim")};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execv(HPHTSIM_PYTHON, args.data());
  std::cerr << "hphtsim: cannot start " << HPHTSIM_PYTHON << " for '" << argv[1] << "': " << std::strerror(errno) << "\n";
  return exit_failure;
}

int main(int argc, char** argv) {
  if (argc > 1 && (std::string(argv[1]) == "sweep" || std::string(argv[1]) == "plot" ||
                   std::string(argv[1]) == "converge" || std::string(argv[1]) == "calibrate" ||
                   std::string(argv[1]) == "estimate" || std::string(argv[1]) == "design" ||
                   std::string(argv[1]) == "benchmark" || std::string(argv[1]) == "export" ||
                   std::string(argv[1]) == "compare"))
    return exec_python(argc, argv);
  CLI::App app{"hphtsim: HPHT temperature-gradient diamond growth in a cubic press"};
  app.set_version_flag("--version", std::string(hphtsim::version) + " (" + hphtsim::git_revision + ")");
  app.require_subcommand(1);
  app.footer(
      "Also: hphtsim sweep SWEEP.yaml --workers N [--scheduler ADDRESS],\n"
      "      hphtsim plot OUT.h5 [-o OUT.png],\n"
      "      hphtsim converge CONFIG --cells 32,48,64 [--until DURATION] [-o TABLE.csv],\n"
      "      hphtsim calibrate CONFIG LOG.csv [LOG2.csv ...] --fit KEY=LO:HI ... -o DIR [--bayes],\n"
      "      hphtsim estimate FITTED.yaml LOG.csv [--fit FIT.json] [--samples N] -o ESTIMATE.csv,\n"
      "      hphtsim design CONFIG --target growth_rate=\"3 mg/h\" [--target T_seed=\"1350 degC\"] [--segments N]\n"
      "                     [--max-rate critical] -o DESIGNED.yaml,\n"
      "      hphtsim design CONFIG --cooldown [--shortest \"1 min\"] [--longest \"24 h\"] -o DESIGNED.yaml\n"
      "      hphtsim benchmark [--quick|--full] -o DIR [--layers verification,validation,code-to-code,performance]\n"
      "      hphtsim export CONFIG --format json|gmsh -o CASE, hphtsim compare CASE.json OTHER.csv\n"
      "(run by the Python package: python3 -m hphtsim sweep|plot|converge|calibrate|estimate|design|benchmark|export|compare\n"
      " --help)");

  std::string config, output, until, result;
  std::vector<std::string> sets;
  bool overwrite = false, restart = false, quiet = false;
  int threads = 0;

  auto* run = app.add_subcommand("run", "run a config and write OUT.h5 (+ OUT.xmf for ParaView)");
  run->add_option("config", config, "YAML config")->required();
  run->add_option("-o,--output", output, "result file (default: CONFIG's stem + .h5)");
  run->add_option("--until", until, "absolute simulated time to stop at, e.g. \"2 h\" (default: time.end)");
  run->add_option("--set", sets, "override a config key: key.path=value (repeatable)");
  run->add_flag("--overwrite", overwrite, "replace an existing output file");
  run->add_flag("--restart", restart, "continue OUT.h5 from its last checkpoint (OUT.checkpoint.h5)");
  run->add_flag("-q,--quiet", quiet, "no progress line");
  run->add_option("--threads", threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)");

  auto* check = app.add_subcommand("check", "validate a config without running it");
  check->add_option("config", config, "YAML config")->required();
  check->add_option("--set", sets, "override a config key: key.path=value (repeatable)");

  auto* outputs = app.add_subcommand("outputs", "list every output (fields, time series) as markdown tables");

  auto* info = app.add_subcommand("info", "describe a result file");
  info->add_option("result", result, "result file (.h5)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : exit_bad_input;
  }

  try {
    if (*run) return cmd_run(config, output, until, sets, overwrite, restart, quiet, threads);
    if (*check) return cmd_check(config, sets);
    if (*outputs) {
      std::cout << simulation::catalogue_markdown();
      return 0;
    }
    if (*info) {
      if (!std::filesystem::exists(result)) {
        std::cerr << "hphtsim: error: result file '" << result << "' does not exist\n";
        return exit_bad_input;
      }
      std::cout << app::describe_result(result);
      return 0;
    }
  } catch (const hphtsim::ConfigError& e) {
    std::cerr << "\nhphtsim: config error: " << e.what() << "\n";
    return exit_bad_input;
  } catch (const hphtsim::SolverError& e) {
    std::cerr << "\nhphtsim: solver error: " << e.what() << "\n";
    return exit_failure;
  } catch (const hphtsim::IoError& e) {
    std::cerr << "\nhphtsim: I/O error: " << e.what() << "\n";
    return exit_failure;
  } catch (const std::exception& e) {
    std::cerr << "\nhphtsim: error: " << e.what() << "\n";
    return exit_failure;
  }
  return 0;
}
