// SPDX-License-Identifier: MIT
// The one table of outputs. Every snapshot field and every time-series column is declared once,
// in Simulation::declare_outputs (src/simulation/outputs.cpp), with its name, units, meaning and
// when it is present. The result writer, the XDMF file, `hphtsim info`, Python's field(),
// diagnostics() and timeseries(), and the table in docs/outputs.md all read it (a test compares
// the docs with catalogue_markdown()). A new output is one row there.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hphtsim::simulation {

/// How many columns a time series has.
enum class Width { one, per_seed };

struct FieldOutput {
  std::string name, units, when, meaning;
  std::function<const std::vector<double>&()> view;  ///< the live field (cells in grid order)
  std::function<std::vector<double>&()> edit;        ///< the same, writable; empty: read-only
};

struct SeriesOutput {
  std::string name, units, when, meaning;
  Width width = Width::one;
  int columns = 1;
  std::function<void(std::vector<double>&)> append;  ///< appends the current values
};

class OutputTable {
 public:
  /// catalogue: records every row whether present or not, for the docs (nothing is evaluated).
  explicit OutputTable(bool catalogue = false) : catalogue_(catalogue) {}

  bool catalogue() const { return catalogue_; }
  /// A field a user may write into (state: T, phi, ...).
  void field(bool present, std::string name, std::string units, std::string when, std::string meaning,
             std::function<std::vector<double>&()> data);
  /// A field that is an output only (a map a process derives from its state).
  void read_only_field(bool present, std::string name, std::string units, std::string when, std::string meaning,
                       std::function<const std::vector<double>&()> view);
  void scalar(bool present, std::string name, std::string units, std::string when, std::string meaning,
              std::function<double()> value);
  /// A column per seed; get(s) is seed s's value.
  void per_seed(bool present, int seeds, std::string name, std::string units, std::string when, std::string meaning,
                std::function<double(std::size_t)> get);
  /// Any width (e.g. a vector of per-seed figures held by a process).
  void columns(bool present, Width width, int columns, std::string name, std::string units, std::string when,
               std::string meaning, std::function<void(std::vector<double>&)> append);

  const std::vector<FieldOutput>& fields() const { return fields_; }
  const std::vector<SeriesOutput>& series() const { return series_; }
  /// The field `name`; std::invalid_argument naming every field there is otherwise.
  const FieldOutput& find(std::string_view name) const;
  const FieldOutput* find_field(std::string_view name) const;
  /// The current values of every series column, in order.
  std::vector<double> row() const;
  /// Markdown tables (fields, then series) of a catalogue table.
  std::string markdown() const;

 private:
  bool catalogue_;
  std::vector<FieldOutput> fields_;
  std::vector<SeriesOutput> series_;
};

/// The catalogue of every output any config can produce, as markdown (docs/outputs.md).
std::string catalogue_markdown();

}  // namespace hphtsim::simulation
