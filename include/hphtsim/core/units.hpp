// SPDX-License-Identifier: MIT
// Quantities with units, as every dimensional config value is written: "1600 degC", "5.5 GPa",
// "2.5 mm", "1.2 kW", "14 d", "1.05e-5 ohm*m", "45 W/(m*K)". Parsing returns SI values and
// checks the dimension the caller expects; a missing or wrong unit is an error that says what
// was expected.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace hphtsim::core {

/// Exponents of the SI base units m, kg, s, A, K.
struct Dimension {
  std::array<int, 5> exp{0, 0, 0, 0, 0};
  bool operator==(const Dimension&) const = default;
  Dimension operator*(const Dimension& o) const;
  Dimension operator/(const Dimension& o) const;
  Dimension pow(int n) const;
  /// "m^2*kg/(s^3*A)"-style text in base units; "1" when dimensionless.
  std::string to_string() const;
};

namespace dim {
inline constexpr Dimension make(int m, int kg, int s, int A, int K) { return Dimension{{m, kg, s, A, K}}; }
inline constexpr Dimension none = make(0, 0, 0, 0, 0);
inline constexpr Dimension length = make(1, 0, 0, 0, 0);
inline constexpr Dimension mass = make(0, 1, 0, 0, 0);
inline constexpr Dimension time = make(0, 0, 1, 0, 0);
inline constexpr Dimension current = make(0, 0, 0, 1, 0);
inline constexpr Dimension temperature = make(0, 0, 0, 0, 1);
inline constexpr Dimension power = make(2, 1, -3, 0, 0);
inline constexpr Dimension voltage = make(2, 1, -3, -1, 0);
inline constexpr Dimension resistance = make(2, 1, -3, -2, 0);
inline constexpr Dimension resistivity = make(3, 1, -3, -2, 0);
inline constexpr Dimension pressure = make(-1, 1, -2, 0, 0);
inline constexpr Dimension energy = make(2, 1, -2, 0, 0);
inline constexpr Dimension density = make(-3, 1, 0, 0, 0);
inline constexpr Dimension specific_heat = make(2, 0, -2, 0, -1);          // J/(kg K)
inline constexpr Dimension specific_energy = make(2, 0, -2, 0, 0);         // J/kg
inline constexpr Dimension thermal_conductivity = make(1, 1, -3, 0, -1);   // W/(m K)
inline constexpr Dimension heat_transfer_coefficient = make(0, 1, -3, 0, -1);  // W/(m^2 K)
inline constexpr Dimension inverse_temperature = make(0, 0, 0, 0, -1);
inline constexpr Dimension diffusivity = make(2, 0, -1, 0, 0);
inline constexpr Dimension velocity = make(1, 0, -1, 0, 0);
}  // namespace dim

struct Quantity {
  double value = 0.0;  ///< in SI; absolute temperatures in K
  Dimension dimension;
};

/// Parses "number unit". An absolute temperature may be written in degC or K; "degC" is not
/// accepted inside compound units (write K there). Throws std::invalid_argument with a
/// message naming what is wrong; callers add the config key.
Quantity parse_quantity(std::string_view text);

/// Parses and checks the dimension; the message names `expected_description` (e.g. "a length
/// such as \"2.5 mm\"").
double parse_quantity_as(std::string_view text, const Dimension& expected,
                         std::string_view expected_description);

/// Parses a unit expression alone ("W/(m*K)") to its SI factor and dimension.
Quantity parse_unit(std::string_view unit);

}  // namespace hphtsim::core
