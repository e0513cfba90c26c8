// SPDX-License-Identifier: MIT
// The one run driver: `hphtsim run`, Python's Simulation.run(output=...) and every sweep member
// go through run_to_result(). It checks the output and restart request before anything is
// written, continues from OUT.checkpoint.h5 on restart (the same config required), creates or
// reopens the result file, checkpoints (every time.checkpoint_wall_interval of wall time, on a
// stop request and at the end), handles SIGINT/SIGTERM when asked (finish the step, checkpoint,
// return), and writes the run summary into /meta.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include "hphtsim/simulation/run_summary.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace hphtsim::simulation {

struct RunRequest {
  std::filesystem::path output;  ///< the result file (.h5; its .xmf and .checkpoint.h5 beside it)
  double until = -1.0;           ///< s, absolute; < 0: time.end
  bool overwrite = false;        ///< replace an existing result
  bool restart = false;          ///< continue `output` from its checkpoint
  bool checkpoint = true;        ///< write OUT.checkpoint.h5 (needed to continue a run)
  bool progress = false;         ///< progress line on stderr
  /// Install SIGINT/SIGTERM handlers for the run (the previous ones are restored after it):
  /// a signal finishes the step, checkpoints and returns with `signal` set.
  bool handle_signals = false;
  const std::atomic<bool>* stop = nullptr;  ///< another stop flag (tests, embedding code)
  /// Names of the request's parts in error messages (command-line options or Python arguments).
  std::string output_key = "-o", overwrite_key = "--overwrite", restart_key = "--restart";
};

struct RunOutcome {
  bool finished = false;  ///< reached `until`; false: stopped by a signal or the stop flag
  int signal = 0;         ///< the signal that stopped it (0: none)
  std::filesystem::path checkpoint;
  RunSummary summary;
};

/// Throws ConfigError (naming the request's key) when the request cannot be carried out:
/// an existing output without overwrite or restart, a restart without a result or checkpoint,
/// restart with overwrite.
void check_request(const RunRequest& request);

/// Runs `sim` (freshly built from its model) to request.until, writing request.output.
/// On restart, restores `sim` from the checkpoint first (ConfigError naming restart_key when
/// the checkpoint is missing, unreadable or from another config).
RunOutcome run_to_result(Simulation& sim, const RunRequest& request);

/// The summary of a run held in memory (no file): from its series history.
RunSummary summarize(const Simulation& sim);

}  // namespace hphtsim::simulation
