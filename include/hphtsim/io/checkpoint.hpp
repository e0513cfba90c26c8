// SPDX-License-Identifier: MIT
// Checkpoints: the full state of a run in its own small HDF5 file beside the result
// (run.h5 -> run.checkpoint.h5). A checkpoint is written to a temporary name, synced to disk
// and renamed over the previous one (io/atomic_file.hpp), so a kill or a power loss while
// writing leaves the last good checkpoint intact. io/ knows only named scalars and arrays; the
// simulation decides what they mean.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hphtsim::io {

struct CheckpointData {
  std::string config_yaml;                               ///< the resolved config of the run
  std::map<std::string, double> scalars;
  std::map<std::string, std::vector<double>> arrays;
};

std::filesystem::path checkpoint_path_for(const std::filesystem::path& result);

/// Atomic replace of `path` (IoError on failure; the previous checkpoint then stays).
void write_checkpoint(const std::filesystem::path& path, const CheckpointData& data);
/// IoError if missing or unreadable.
CheckpointData read_checkpoint(const std::filesystem::path& path);

}  // namespace hphtsim::io
