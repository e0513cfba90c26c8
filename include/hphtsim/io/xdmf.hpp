// SPDX-License-Identifier: MIT
// The XDMF 3 text beside a result file (run.h5 -> run.xmf) that ParaView opens: a temporal
// collection of one rectilinear grid per snapshot, whose arrays point into the HDF5 file
// (/grid/{x,y,z} the cell edges, /material, /snapshots/NNNNNN/<field>). Pure text: no HDF5
// here; the result writer keeps the grids it has written and replaces the file after each
// snapshot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hphtsim::io::xdmf {

/// A cell-centred scalar of a snapshot.
struct Attribute {
  std::string name;
  std::string units;
};

/// Shortest text that reads back as the same double (the Time values).
std::string exact(double value);

/// `text` with the five XML special characters replaced by entities.
std::string escape(std::string_view text);

/// The <Grid> element of one snapshot of an nx x ny x nz cell grid: its time, the mesh, the
/// material ids and `fields`, read from `h5_file` (the HDF5 file's name relative to the XDMF
/// file) under /snapshots/<snapshot>/. `axisymmetric`: the (r, z) half-plane of a cylindrical
/// grid (ny = 1) as a 2-D rectilinear mesh, r along X and z along Y (ParaView's "Rotational
/// Extrusion" filter revolves it into the 3-D body).
std::string snapshot_grid(std::string_view h5_file, int nx, int ny, int nz,
                          std::string_view snapshot, double time_s,
                          const std::vector<Attribute>& fields, bool axisymmetric = false);

/// The whole document around `grids` (snapshot_grid texts in time order; none is valid).
std::string document(std::string_view grids);

}  // namespace hphtsim::io::xdmf
