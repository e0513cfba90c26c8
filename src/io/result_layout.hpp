// SPDX-License-Identifier: MIT
// What the result writer and the readers both know about the file's layout (the layout itself:
// include/hphtsim/io/result_file.hpp). Private to src/io.
#pragma once

#include <string>

#include "hphtsim/io/hdf5_handle.hpp"

namespace hphtsim::io::layout {

/// The name of snapshot n in /snapshots: six digits, "000042".
std::string snapshot_name(int n);

/// Snapshot n by its position in /snapshots rather than by a search for its name: a writer
/// killed while adding snapshot N can leave a garbage last entry in the index (a torn write),
/// and a binary search may run into it. Invalid if entry n is not a complete snapshot n.
hdf5::Group open_snapshot(hid_t snapshots, int n);

}  // namespace hphtsim::io::layout
