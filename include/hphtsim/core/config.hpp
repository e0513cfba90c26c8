// SPDX-License-Identifier: MIT
// Strict reading of YAML configs. Every access goes through ConfigNode, which knows its dotted
// key path ("heater.power", "assembly.3.size"), so every error names the key and what was
// expected. Keys that the model never read are an error (AMReX's abort_on_unused_inputs):
// a typo cannot silently fall back to a default. A key written twice in one mapping, a key that
// is not a plain name, an alias that contains itself and a document nested deeper than
// max_config_depth are refused when the text is loaded (yaml-cpp keeps the first of two equal
// keys silently).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "hphtsim/core/units.hpp"

namespace hphtsim::core {

/// Book-keeping shared by all nodes of one document: which key paths were read.
struct ConfigUsage {
  std::set<std::string> used;                         ///< full paths that were read
  std::map<std::string, std::set<std::string>> asked;  ///< parent path -> keys asked for
};

class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::string path, std::shared_ptr<ConfigUsage> usage);

  const std::string& path() const { return path_; }
  /// The dotted path of child `key` ("heater" + "power" -> "heater.power").
  std::string key_path(std::string_view key) const;
  const YAML::Node& yaml() const { return node_; }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  bool has(std::string_view key) const;
  ConfigNode at(std::string_view key) const;  ///< required child of a map
  std::optional<ConfigNode> find(std::string_view key) const;
  std::vector<ConfigNode> items() const;            ///< elements of a sequence
  std::vector<std::string> keys() const;            ///< keys of a map, in document order

  /// Scalar readers for this node.
  double as_quantity(const Dimension& dim, std::string_view what) const;
  double as_number() const;
  int as_int() const;
  bool as_bool() const;
  std::string as_string() const;

  /// Shorthands for required / optional children.
  double quantity(std::string_view key, const Dimension& dim, std::string_view what) const;
  double quantity_or(std::string_view key, const Dimension& dim, std::string_view what, double fallback) const;
  double number(std::string_view key) const;
  double number_or(std::string_view key, double fallback) const;
  int integer(std::string_view key) const;
  int integer_or(std::string_view key, int fallback) const;
  std::string string(std::string_view key) const;
  std::string string_or(std::string_view key, std::string fallback) const;
  bool boolean_or(std::string_view key, bool fallback) const;
  /// A list of exactly n quantities ("center: [\"0 mm\", \"0 mm\", \"1 mm\"]").
  std::vector<double> quantities(std::string_view key, std::size_t n, const Dimension& dim, std::string_view what) const;

  /// Marks this node and everything below it as read (free-form sections such as comments).
  void mark_used_recursive() const;

  /// Throws ConfigError for this node's path.
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void fail_key(std::string_view key, const std::string& message) const;

 private:
  YAML::Node node_;
  std::string path_;
  std::shared_ptr<ConfigUsage> usage_;
};

/// Deepest nesting of mappings and lists a config may have (the default config nests 5 deep).
inline constexpr int max_config_depth = 64;
/// Largest config or materials-library file read (a config is a few kB).
inline constexpr std::uintmax_t max_config_file_bytes = std::uintmax_t(16) << 20;
/// Most nodes a config may expand to, counting each use of an alias (refuses "billion laughs").
inline constexpr std::size_t max_config_nodes = 1000000;

/// Range checks for values read from a config: each throws ConfigError naming the key, what was
/// expected and what was given. The ConfigNode forms quote the text as written ("-300 degC");
/// the key-path forms print the SI value, with `dim`'s base units when given.
void require_positive(const ConfigNode& node, double value);
void require_non_negative(const ConfigNode& node, double value);
void require_absolute_temperature(const ConfigNode& node, double kelvin);
void require_positive(const std::string& key, double value, const Dimension& dim = dim::none);
void require_non_negative(const std::string& key, double value, const Dimension& dim = dim::none);
void require_absolute_temperature(const std::string& key, double kelvin);

/// A parsed document with its directory (relative file names resolve against it).
class Config {
 public:
  /// Reads a YAML file; ConfigError if unreadable or malformed (with line and column).
  static Config load_file(const std::filesystem::path& path);
  static Config load_string(const std::string& text, const std::filesystem::path& base_dir = ".");

  /// Applies "key.path=value" (value parsed as YAML); ConfigError if malformed.
  void apply_override(const std::string& assignment);

  ConfigNode root() const;
  const std::filesystem::path& base_dir() const { return base_dir_; }
  /// The resolved document (after overrides) as YAML text.
  std::string to_yaml() const;
  /// ConfigError naming the first key that no reader asked for, with the keys allowed there.
  void check_all_used() const;

 private:
  YAML::Node doc_;
  std::filesystem::path base_dir_;
  std::shared_ptr<ConfigUsage> usage_ = std::make_shared<ConfigUsage>();
};

}  // namespace hphtsim::core
