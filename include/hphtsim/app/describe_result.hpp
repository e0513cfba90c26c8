// SPDX-License-Identifier: MIT
// The text of `hphtsim info`: what a result file holds, for people (io::summarize_result reads
// it; this only lays it out).
#pragma once

#include <filesystem>
#include <string>

#include "hphtsim/io/result_reader.hpp"

namespace hphtsim::app {

/// Version, revision, grid, materials, the number of snapshots with the last one's time and
/// field ranges, time-series names with units and their last values, key figures and the
/// config text. A damaged part is shown as "<part>: unreadable (<why>)" and the rest as usual.
/// IoError if the file cannot be opened.
std::string describe_result(const std::filesystem::path& path);

/// The same text from a summary already read.
std::string describe_result(const std::filesystem::path& path, const io::ResultSummary& summary);

}  // namespace hphtsim::app
