// SPDX-License-Identifier: MIT
#include "hphtsim/simulation/run.hpp"

#include <csignal>
#include <memory>

#include "hphtsim/core/error.hpp"
#include "hphtsim/core/version.hpp"
#include "hphtsim/io/checkpoint.hpp"
#include "hphtsim/io/result_file.hpp"
#include "hphtsim/simulation/checkpoint.hpp"

namespace hphtsim::simulation {

namespace {

std::atomic<bool> signal_stop{false};
std::atomic<int> signal_number{0};
extern "C" void on_stop_signal(int sig) {
  signal_number.store(sig);
  signal_stop.store(true);
}

// SIGINT and SIGTERM handlers for the duration of a run; the previous ones come back after it.
class ScopedStopSignals {
 public:
  explicit ScopedStopSignals(bool enable) : enabled_(enable) {
    if (!enabled_) return;
    signal_stop.store(false);
    signal_number.store(0);
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~ScopedStopSignals() {
    if (!enabled_) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  ScopedStopSignals(const ScopedStopSignals&) = delete;
  ScopedStopSignals& operator=(const ScopedStopSignals&) = delete;

 private:
  bool enabled_;
  struct sigaction old_int_ {}, old_term_ {};
};

// The result file as the run's observer: one row per step, the table's fields per snapshot.
class ResultObserver : public RunObserver {
 public:
  explicit ResultObserver(io::ResultWriter& w) : writer_(w) {}
  void series_row(const std::vector<double>& row) override { writer_.append_series_row(row); }
  void snapshot(double time, const OutputTable& outputs) override {
    views_.clear();
    for (const auto& f : outputs.fields()) views_.push_back({f.name, f.units, f.view().data()});
    writer_.write_snapshot(time, views_);
  }

 private:
  io::ResultWriter& writer_;
  std::vector<io::FieldView> views_;
};

std::vector<io::SeriesSpec> series_specs(const Simulation& sim) {
  std::vector<io::SeriesSpec> specs;
  for (const auto& s : sim.outputs().series()) specs.push_back({s.name, s.units, s.columns});
  return specs;
}

// Reads the written series back, so that a continued run's summary covers the whole run.
SeriesTable series_from_file(const std::filesystem::path& path, const Simulation& sim) {
  SeriesTable t;
  for (const auto& s : sim.outputs().series()) t.columns.push_back({s.name, s.columns, io::read_series(path, s.name)});
  return t;
}

}  // namespace

void check_request(const RunRequest& r) {
  if (r.restart && r.overwrite) throw ConfigError(r.restart_key, "cannot be combined with " + r.overwrite_key);
  if (r.output.empty()) throw ConfigError(r.output_key, "no result file given");
  if (!r.restart && std::filesystem::exists(r.output) && !r.overwrite)
    throw ConfigError(r.output_key, "output file '" + r.output.string() + "' exists; pass " + r.overwrite_key +
                                        " to replace it or " + r.restart_key + " to continue it");
  if (r.restart && !std::filesystem::exists(r.output))
    throw ConfigError(r.restart_key, "no result file '" + r.output.string() + "' to continue");
  if (r.restart && !std::filesystem::exists(io::checkpoint_path_for(r.output)))
    throw ConfigError(r.restart_key, "no checkpoint '" + io::checkpoint_path_for(r.output).string() +
                                         "' beside the result file to continue from");
}

RunOutcome run_to_result(Simulation& sim, const RunRequest& request) {
  check_request(request);
  RunOutcome outcome;
  outcome.checkpoint = io::checkpoint_path_for(request.output);
  const std::string& config_yaml = sim.model().config_yaml;
  if (request.restart) {
    io::CheckpointData data;
    try {
      data = io::read_checkpoint(outcome.checkpoint);
    } catch (const IoError& e) {
      throw ConfigError(request.restart_key, e.what());
    }
    if (data.config_yaml != config_yaml)
      throw ConfigError(request.restart_key, "the config (with its overrides) differs from the one that wrote " +
                                                 outcome.checkpoint.string() +
                                                 "; restart with the same config and overrides");
    sim.restore(from_checkpoint(data));
  }

  const std::vector<io::SeriesSpec> series = series_specs(sim);
  io::RunMetadata meta{hphtsim::version, hphtsim::git_revision, config_yaml};
  std::unique_ptr<io::ResultWriter> writer =
      request.restart ? io::ResultWriter::reopen(request.output, sim.time(), series)
                      : std::make_unique<io::ResultWriter>(request.output, sim.model().grid, sim.model().map.material,
                                                           sim.model().map.names, meta, series, request.overwrite);
  RunOptions opts;
  opts.until = request.until;
  opts.progress = request.progress;
  if (request.checkpoint)
    opts.checkpoint = [&](const SimulationState& st) {
      io::write_checkpoint(outcome.checkpoint, to_checkpoint(st, config_yaml));
    };
  // The signal handlers' flag when the driver handles signals, else the caller's.
  ScopedStopSignals signals(request.handle_signals);
  opts.stop = request.handle_signals ? &signal_stop : request.stop;
  ResultObserver observer(*writer);
  outcome.finished = sim.run(opts, &observer);
  outcome.signal = request.handle_signals ? signal_number.load() : 0;
  writer->flush();
  outcome.summary = summarize(sim.model(), series_from_file(request.output, sim));
  outcome.summary.steps = sim.diagnostics().steps;
  outcome.summary.rejected_steps = sim.diagnostics().rejected_steps;
  for (const auto& [name, value, units] : outcome.summary.figures()) writer->set_meta_attribute(name, value, units);
  writer->close();
  return outcome;
}

RunSummary summarize(const Simulation& sim) {
  std::vector<std::string> names;
  std::vector<int> widths;
  for (const auto& s : sim.outputs().series()) {
    names.push_back(s.name);
    widths.push_back(s.columns);
  }
  RunSummary s = summarize(sim.model(), series_table(names, widths, sim.series_history()));
  s.steps = sim.diagnostics().steps;
  s.rejected_steps = sim.diagnostics().rejected_steps;
  return s;
}

}  // namespace hphtsim::simulation
