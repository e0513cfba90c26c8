// SPDX-License-Identifier: MIT
#include "hphtsim/core/config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "hphtsim/core/error.hpp"

namespace hphtsim::core {

ConfigNode::ConfigNode(YAML::Node node, std::string path, std::shared_ptr<ConfigUsage> usage)
    : node_(std::move(node)), path_(std::move(path)), usage_(std::move(usage)) {}

std::string ConfigNode::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ConfigNode::fail(const std::string& message) const { throw ConfigError(path_, message); }
void ConfigNode::fail_key(std::string_view key, const std::string& message) const {
  throw ConfigError(key_path(key), message);
}

bool ConfigNode::has(std::string_view key) const {
  usage_->asked[path_].insert(std::string(key));
  return node_.IsMap() && node_[std::string(key)].IsDefined() && !node_[std::string(key)].IsNull();
}

std::optional<ConfigNode> ConfigNode::find(std::string_view key) const {
  if (!node_.IsMap()) fail("expected a mapping of keys");
  if (!has(key)) return std::nullopt;
  usage_->used.insert(key_path(key));
  return ConfigNode(node_[std::string(key)], key_path(key), usage_);
}

ConfigNode ConfigNode::at(std::string_view key) const {
  auto c = find(key);
  if (!c) fail_key(key, "missing required key");
  return *c;
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!node_.IsSequence()) fail("expected a list");
  std::vector<ConfigNode> out;
  for (std::size_t i = 0; i < node_.size(); ++i) {
    std::string p = key_path(std::to_string(i));
    usage_->used.insert(p);
    out.emplace_back(node_[i], p, usage_);
  }
  return out;
}

std::vector<std::string> ConfigNode::keys() const {
  if (!node_.IsMap()) fail("expected a mapping of keys");
  std::vector<std::string> out;
  for (const auto& kv : node_) out.push_back(kv.first.as<std::string>());
  return out;
}

std::string ConfigNode::as_string() const {
  if (!node_.IsScalar()) fail("expected a single value");
  return node_.Scalar();
}

double ConfigNode::as_quantity(const Dimension& dim, std::string_view what) const {
  if (!node_.IsScalar()) fail("expected " + std::string(what));
  try {
    return parse_quantity_as(node_.Scalar(), dim, what);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
}

double ConfigNode::as_number() const {
  std::string s = as_string();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  while (end && *end == ' ') ++end;
  if (end == s.c_str() || (end && *end != '\0') || !std::isfinite(v))
    fail("'" + s + "' is not a plain number (this key takes no unit)");
  return v;
}

int ConfigNode::as_int() const {
  double v = as_number();
  if (v != std::floor(v) || std::abs(v) > 1e9) fail("'" + as_string() + "' is not an integer");
  return int(v);
}

bool ConfigNode::as_bool() const {
  std::string s = as_string();
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail("'" + s + "' is not true or false");
}

double ConfigNode::quantity(std::string_view key, const Dimension& dim, std::string_view what) const {
  return at(key).as_quantity(dim, what);
}
double ConfigNode::quantity_or(std::string_view key, const Dimension& dim, std::string_view what,
                               double fallback) const {
  auto c = find(key);
  return c ? c->as_quantity(dim, what) : fallback;
}
double ConfigNode::number(std::string_view key) const { return at(key).as_number(); }
double ConfigNode::number_or(std::string_view key, double fallback) const {
  auto c = find(key);
  return c ? c->as_number() : fallback;
}
int ConfigNode::integer(std::string_view key) const { return at(key).as_int(); }
int ConfigNode::integer_or(std::string_view key, int fallback) const {
  auto c = find(key);
  return c ? c->as_int() : fallback;
}
std::string ConfigNode::string(std::string_view key) const { return at(key).as_string(); }
std::string ConfigNode::string_or(std::string_view key, std::string fallback) const {
  auto c = find(key);
  return c ? c->as_string() : fallback;
}
bool ConfigNode::boolean_or(std::string_view key, bool fallback) const {
  auto c = find(key);
  return c ? c->as_bool() : fallback;
}

std::vector<double> ConfigNode::quantities(std::string_view key, std::size_t n, const Dimension& dim,
                                           std::string_view what) const {
  ConfigNode list = at(key);
  if (!list.is_sequence() || list.yaml().size() != n)
    list.fail("expected a list of " + std::to_string(n) + " values, each " + std::string(what));
  std::vector<double> out;
  for (const auto& item : list.items()) out.push_back(item.as_quantity(dim, what));
  return out;
}

void ConfigNode::mark_used_recursive() const {
  usage_->used.insert(path_);
  if (node_.IsMap()) {
    for (const auto& kv : node_) {
      std::string k = kv.first.as<std::string>();
      usage_->asked[path_].insert(k);
      ConfigNode(kv.second, key_path(k), usage_).mark_used_recursive();
    }
  } else if (node_.IsSequence()) {
    for (std::size_t i = 0; i < node_.size(); ++i)
      ConfigNode(node_[i], key_path(std::to_string(i)), usage_).mark_used_recursive();
  }
}

namespace {

std::string parser_message(const YAML::Exception& e) {
  std::ostringstream os;
  os << "malformed YAML";
  if (e.mark.line >= 0) os << " at line " << e.mark.line + 1 << ", column " << e.mark.column + 1;
  os << ": " << e.msg;
  return os.str();
}

std::string at_line(const YAML::Mark& mark) {
  return mark.line >= 0 ? " at line " + std::to_string(mark.line + 1) : std::string();
}

// Refuses what yaml-cpp accepts but a config must not hold: a key written twice in one mapping
// (yaml-cpp keeps both pairs and lookups see the first), keys that are lists or mappings, an
// alias inside the node it names (a cycle: every walk over the tree would recurse forever),
// nesting deeper than max_config_depth, and aliases that expand to more than max_config_nodes.
class DocumentChecker {
 public:
  explicit DocumentChecker(std::string prefix) : prefix_(std::move(prefix)) {}
  void check(const YAML::Node& node, const std::string& path, int depth) {
    if (++nodes_ > max_config_nodes)
      throw ConfigError(path, prefix_ + "the document expands to more than " + std::to_string(max_config_nodes) +
                                  " values (through aliases)");
    if (!node.IsMap() && !node.IsSequence()) return;
    if (depth > max_config_depth)
      throw ConfigError(path, prefix_ + "nested more than " + std::to_string(max_config_depth) + " levels deep");
    for (const auto& a : ancestors_)
      if (a.is(node))
        throw ConfigError(path, prefix_ + "an alias" + at_line(node.Mark()) + " refers to a node that contains it");
    ancestors_.push_back(node);
    if (node.IsMap()) {
      std::map<std::string, YAML::Mark> seen;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar() && !kv.first.IsNull())
          throw ConfigError(path, prefix_ + "a key" + at_line(kv.first.Mark()) +
                                      " is a list or mapping; keys must be plain names");
        std::string key = kv.first.IsNull() ? std::string("null") : kv.first.Scalar();
        std::string p = path.empty() ? key : path + "." + key;
        auto [it, fresh] = seen.emplace(key, kv.first.Mark());
        if (!fresh)
          throw ConfigError(p, prefix_ + "duplicate key: written" + at_line(it->second) + " and again" +
                                   at_line(kv.first.Mark()) + " (a key may appear once in a mapping)");
        check(kv.second, p, depth + 1);
      }
    } else {
      for (std::size_t i = 0; i < node.size(); ++i)
        check(node[i], path.empty() ? std::to_string(i) : path + "." + std::to_string(i), depth + 1);
    }
    ancestors_.pop_back();
  }

 private:
  std::string prefix_;
  std::vector<YAML::Node> ancestors_;
  std::size_t nodes_ = 0;
};

void check_unused(const YAML::Node& node, const std::string& path, const ConfigUsage& usage) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      std::string p = path.empty() ? key : path + "." + key;
      if (!usage.used.count(p)) {
        std::string allowed;
        if (auto it = usage.asked.find(path); it != usage.asked.end())
          for (const auto& k : it->second) allowed += (allowed.empty() ? "" : ", ") + k;
        throw ConfigError(p, "unknown key" + (allowed.empty() ? std::string() : " (allowed here: " + allowed + ")"));
      }
      check_unused(kv.second, p, usage);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      check_unused(node[i], path.empty() ? std::to_string(i) : path + "." + std::to_string(i), usage);
  }
}

}  // namespace

Config Config::load_file(const std::filesystem::path& path) {
  // Only regular files of sane size: a device (/dev/zero, a FIFO) would be read forever.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw ConfigError("", "cannot read config file '" + path.string() + "': not a regular file");
  if (!ec && std::filesystem::is_regular_file(status) && std::filesystem::file_size(path, ec) > max_config_file_bytes)
    throw ConfigError("", "config file '" + path.string() + "' is larger than " +
                              std::to_string(max_config_file_bytes >> 20) + " MiB; a config is a few kB");
  std::ifstream in(path);
  if (!in) throw ConfigError("", "cannot read config file '" + path.string() + "': " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  auto dir = path.parent_path();
  try {
    return load_string(ss.str(), dir.empty() ? std::filesystem::path(".") : dir);
  } catch (const ConfigError& e) {
    throw ConfigError(e.key(), std::string(e.what()).substr(e.key().empty() ? 0 : e.key().size() + 2) +
                                   " (in " + path.string() + ")");
  }
}

Config Config::load_string(const std::string& text, const std::filesystem::path& base_dir) {
  Config c;
  c.base_dir_ = base_dir;
  try {
    c.doc_ = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError("", parser_message(e));
  }
  if (!c.doc_.IsMap()) throw ConfigError("", "the config must be a mapping of keys at its top level");
  DocumentChecker("").check(c.doc_, "", 0);
  return c;
}

void Config::apply_override(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("", "override '" + assignment + "' is not of the form key.path=value");
  std::string key = assignment.substr(0, eq);
  std::string value_text = assignment.substr(eq + 1);
  YAML::Node value;
  try {
    value = YAML::Load(value_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(key, "override value: " + parser_message(e));
  }
  // The value is checked like a document (an override replaces a key; inside its value a key
  // still may appear only once).
  DocumentChecker("override value: ").check(value, key, 1);
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string part; std::getline(ss, part, '.');) {
    if (part.empty()) throw ConfigError(key, "empty segment in override key");
    parts.push_back(part);
  }
  // Walk with explicit node handles: yaml-cpp's operator[] on a const path must not create.
  YAML::Node node = doc_;
  std::string walked;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    walked += (walked.empty() ? "" : ".") + part;
    bool last = i + 1 == parts.size();
    if (node.IsSequence()) {
      char* end = nullptr;
      long idx = std::strtol(part.c_str(), &end, 10);
      if (*end != '\0' || idx < 0 || std::size_t(idx) >= node.size())
        throw ConfigError(walked, "no list element " + part + " (the list has " + std::to_string(node.size()) + ")");
      if (last) {
        node[std::size_t(idx)] = value;
        return;
      }
      node.reset(node[std::size_t(idx)]);
    } else {
      if (!node.IsMap() && !node.IsNull())
        throw ConfigError(walked, "cannot set a key below a single value");
      if (last) {
        node[part] = value;
        return;
      }
      YAML::Node next = node[part];
      if (!next.IsDefined() || next.IsNull()) {
        node[part] = YAML::Node(YAML::NodeType::Map);
        next = node[part];
      }
      node.reset(next);
    }
  }
}

ConfigNode Config::root() const { return ConfigNode(doc_, "", usage_); }

std::string Config::to_yaml() const {
  YAML::Emitter out;
  out << doc_;
  return std::string(out.c_str()) + "\n";
}

void Config::check_all_used() const { check_unused(doc_, "", *usage_); }

namespace {
std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
std::string given(const ConfigNode& node) {
  return node.is_scalar() ? "; got '" + node.yaml().Scalar() + "'" : std::string();
}
std::string given(double value, const Dimension& dim) {
  return "; got " + format_value(value) + (dim == dim::none ? std::string() : " " + dim.to_string());
}
constexpr const char* absolute_zero = "must be an absolute temperature above 0 K (-273.15 degC)";
}  // namespace

void require_positive(const ConfigNode& node, double value) {
  if (!(value > 0.0)) throw ConfigError(node.path(), "must be positive" + given(node));
}
void require_non_negative(const ConfigNode& node, double value) {
  if (!(value >= 0.0)) throw ConfigError(node.path(), "must not be negative" + given(node));
}
void require_absolute_temperature(const ConfigNode& node, double kelvin) {
  if (!(kelvin > 0.0))
    throw ConfigError(node.path(), absolute_zero + given(node) + " = " + format_value(kelvin) + " K");
}
void require_positive(const std::string& key, double value, const Dimension& dim) {
  if (!(value > 0.0)) throw ConfigError(key, "must be positive" + given(value, dim));
}
void require_non_negative(const std::string& key, double value, const Dimension& dim) {
  if (!(value >= 0.0)) throw ConfigError(key, "must not be negative" + given(value, dim));
}
void require_absolute_temperature(const std::string& key, double kelvin) {
  if (!(kelvin > 0.0))
    throw ConfigError(key, absolute_zero + given(kelvin, dim::temperature) + " (" + format_value(kelvin - 273.15) + " degC)");
}

}  // namespace hphtsim::core
