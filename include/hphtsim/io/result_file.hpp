// SPDX-License-Identifier: MIT
// The HDF5 result file of one run (layout in DESIGN.md "Output"):
//   /meta                attributes version, git_revision, created (ISO 8601 UTC); the config
//                        (YAML text) is the scalar string dataset /meta/config (no size limit);
//                        key figures from set_meta_attribute: <name> (float64) + <name>_units
//   /grid/{x,y,z}        cell edges (m)
//   /material            material id per cell (int32, shape nz x ny x nx, C order)
//   /materials           names, a variable-length string dataset indexed by material id
//   /snapshots/NNNNNN/   one dataset per field (float64, nz x ny x nx, attribute units),
//                        group attributes time (s) and time_units = "s"
//   /timeseries/<name>   1-D extendible float64 datasets with attribute units; 2-D (time x n)
//                        for per-seed quantities
// and an XDMF file beside it (same stem, .xmf, io/xdmf.hpp) that ParaView opens, rewritten
// after every snapshot. The file is flushed after every snapshot and every time-series row, so
// a run that dies (even by SIGKILL) leaves a readable file with every completed snapshot (how,
// and the known windows: src/io/result_writer.cpp). String attributes are fixed-length UTF-8
// (h5py returns bytes), /materials and /meta/config variable-length UTF-8 string datasets.
// Neither the writer nor the readers take HDF5's file lock, so a running result can be
// inspected (h5py, h5dump, `hphtsim info`). Field and series names are plain names (no '/'):
// else IoError.
//
// This header is the umbrella of the two halves: io/result_writer.hpp (ResultWriter, also for
// --restart) and io/result_reader.hpp (the readers and the summary behind `hphtsim info`).
#pragma once

#include "hphtsim/io/result_reader.hpp"
#include "hphtsim/io/result_writer.hpp"
