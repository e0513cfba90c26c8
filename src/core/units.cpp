// SPDX-License-Identifier: MIT
#include "hphtsim/core/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace hphtsim::core {

Dimension Dimension::operator*(const Dimension& o) const {
  Dimension d;
  for (int i = 0; i < 5; ++i) d.exp[i] = exp[i] + o.exp[i];
  return d;
}
Dimension Dimension::operator/(const Dimension& o) const {
  Dimension d;
  for (int i = 0; i < 5; ++i) d.exp[i] = exp[i] - o.exp[i];
  return d;
}
Dimension Dimension::pow(int n) const {
  Dimension d;
  for (int i = 0; i < 5; ++i) d.exp[i] = exp[i] * n;
  return d;
}
std::string Dimension::to_string() const {
  static const char* names[5] = {"m", "kg", "s", "A", "K"};
  std::string num, den;
  for (int i = 0; i < 5; ++i) {
    int e = exp[i];
    if (e == 0) continue;
    std::string& s = e > 0 ? num : den;
    if (!s.empty()) s += "*";
    s += names[i];
    if (std::abs(e) != 1) {
      s += '^';
      s += std::to_string(std::abs(e));
    }
  }
  if (num.empty() && den.empty()) return "1";
  if (num.empty()) num.push_back('1');
  if (den.empty()) return num;
  // Built by appending (also num's "1" and the exponent): assigning a literal or adding one to
  // a string trips GCC 12's false -Wrestrict warning in this function.
  std::string out = num;
  out += '/';
  if (den.find('*') == std::string::npos) return out + den;
  out += '(';
  out += den;
  out += ')';
  return out;
}

namespace {

struct UnitDef {
  double factor;
  Dimension dim;
  bool prefixable;
};

const std::map<std::string, UnitDef>& unit_table() {
  using namespace dim;
  static const std::map<std::string, UnitDef> table = {
      {"m", {1.0, length, true}},
      {"g", {1e-3, mass, true}},
      {"t", {1e3, mass, false}},          // tonne
      {"ct", {2e-4, mass, false}},        // carat = 200 mg
      {"s", {1.0, time, true}},
      {"min", {60.0, time, false}},
      {"h", {3600.0, time, false}},
      {"d", {86400.0, time, false}},
      {"wk", {604800.0, time, false}},
      {"A", {1.0, current, true}},
      {"K", {1.0, temperature, true}},
      {"V", {1.0, voltage, true}},
      {"W", {1.0, power, true}},
      {"J", {1.0, energy, true}},
      {"N", {1.0, make(1, 1, -2, 0, 0), true}},
      {"Pa", {1.0, pressure, true}},
      {"bar", {1e5, pressure, true}},     // kbar is common in the high-pressure literature
      {"atm", {101325.0, pressure, false}},
      {"ohm", {1.0, resistance, true}},
      {"Ohm", {1.0, resistance, true}},
      {"S", {1.0, resistance.pow(-1), true}},
      {"Hz", {1.0, make(0, 0, -1, 0, 0), true}},
      {"L", {1e-3, length.pow(3), true}},
      {"mol", {1.0, none, false}},        // amount treated as dimensionless count here
  };
  return table;
}

const std::map<std::string, double>& prefix_table() {
  static const std::map<std::string, double> table = {
      {"n", 1e-9}, {"u", 1e-6}, {"µ", 1e-6}, {"m", 1e-3}, {"c", 1e-2}, {"d", 1e-1},
      {"k", 1e3},  {"M", 1e6},  {"G", 1e9},  {"T", 1e12}};
  return table;
}

Quantity lookup_atom(const std::string& name) {
  const auto& units = unit_table();
  if (auto it = units.find(name); it != units.end()) return {it->second.factor, it->second.dim};
  // Longest prefix first ("µ" is two bytes).
  for (const auto& [prefix, scale] : prefix_table()) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) {
      auto it = units.find(name.substr(prefix.size()));
      if (it != units.end() && it->second.prefixable)
        return {scale * it->second.factor, it->second.dim};
    }
  }
  throw std::invalid_argument("unknown unit '" + name + "'");
}

// Recursive-descent parser for unit expressions: expr := term (('*'|'/'|'.') term)*,
// term := (atom | '(' expr ')') ('^' int)?. "a/b*c" reads as (a/b)*c, as usual.
class UnitParser {
 public:
  explicit UnitParser(std::string_view s) : s_(s) {}
  Quantity parse() {
    Quantity q = expr();
    skip_space();
    if (pos_ != s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    return q;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // open parentheses
  // Bounds that no real unit comes near; they keep the integer exponents from overflowing and
  // the recursion shallow whatever the text.
  static constexpr int max_depth = 8;
  static constexpr int max_exponent = 12;       // of one '^'
  static constexpr int max_dimension = 24;      // of a base unit in the result

  void check_dimension(const Dimension& d) const {
    for (int e : d.exp)
      if (std::abs(e) > max_dimension) fail("exponents beyond " + std::to_string(max_dimension) + " are not a unit");
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("cannot read unit '" + std::string(s_) + "': " + why);
  }
  void skip_space() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  Quantity expr() {
    Quantity q = term();
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return q;
      char c = s_[pos_];
      if (c == '*' || c == '.') {
        ++pos_;
        Quantity r = term();
        q = {q.value * r.value, q.dimension * r.dimension};
        check_dimension(q.dimension);
      } else if (c == '/') {
        ++pos_;
        Quantity r = term();
        q = {q.value / r.value, q.dimension / r.dimension};
        check_dimension(q.dimension);
      } else {
        return q;
      }
    }
  }
  Quantity term() {
    skip_space();
    Quantity q;
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      if (++depth_ > max_depth) fail("parentheses nested too deeply");
      q = expr();
      --depth_;
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ')') fail("missing ')'");
      ++pos_;
    } else if (pos_ < s_.size() && s_[pos_] == '1') {
      ++pos_;  // "1/K": a bare 1 is the dimensionless unit
      q = {1.0, dim::none};
    } else {
      std::size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalpha(static_cast<unsigned char>(s_[pos_])) || static_cast<unsigned char>(s_[pos_]) >= 0x80))
        ++pos_;
      if (start == pos_) fail("expected a unit name");
      std::string name(s_.substr(start, pos_ - start));
      if (name == "degC") fail("degC is only allowed alone, as an absolute temperature; write K in compound units");
      q = lookup_atom(name);
    }
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '^') {
      ++pos_;
      skip_space();
      int sign = 1;
      if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) sign = (s_[pos_++] == '-') ? -1 : 1;
      std::size_t start = pos_;
      int n = 0;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        n = 10 * n + (s_[pos_++] - '0');
        if (n > max_exponent) fail("exponent beyond " + std::to_string(max_exponent));
      }
      if (start == pos_) fail("expected an integer exponent after '^'");
      n *= sign;
      q = {std::pow(q.value, n), q.dimension.pow(n)};
      check_dimension(q.dimension);
    }
    return q;
  }
};

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

}  // namespace

Quantity parse_unit(std::string_view unit) {
  std::string u = trim(unit);
  if (u.empty()) throw std::invalid_argument("empty unit");
  if (u == "1" || u == "-") return {1.0, dim::none};
  if (u == "%") return {0.01, dim::none};
  return UnitParser(u).parse();
}

Quantity parse_quantity(std::string_view text) {
  std::string t = trim(text);
  if (t.empty()) throw std::invalid_argument("empty value; expected a number with a unit");
  const char* begin = t.c_str();
  char* end = nullptr;
  double number = std::strtod(begin, &end);
  if (end == begin) throw std::invalid_argument("'" + t + "' does not start with a number");
  if (!std::isfinite(number)) throw std::invalid_argument("'" + t + "' is not a finite number");
  std::string unit = trim(std::string_view(end));
  if (unit.empty()) throw std::invalid_argument("'" + t + "' has no unit");
  if (unit == "degC" || unit == "°C") return {number + 273.15, dim::temperature};
  Quantity u = parse_unit(unit);
  const double value = number * u.value;
  if (!std::isfinite(value) || (value == 0.0 && number != 0.0))
    throw std::invalid_argument("'" + t + "' is out of the range of a double in SI units");
  return {value, u.dimension};
}

double parse_quantity_as(std::string_view text, const Dimension& expected,
                         std::string_view expected_description) {
  Quantity q;
  try {
    q = parse_quantity(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(e.what()) + "; expected " + std::string(expected_description));
  }
  if (!(q.dimension == expected)) {
    std::ostringstream os;
    os << "'" << trim(text) << "' has dimension " << q.dimension.to_string() << ", expected "
       << expected_description << " (dimension " << expected.to_string() << ")";
    throw std::invalid_argument(os.str());
  }
  return q.value;
}

}  // namespace hphtsim::core
