// SPDX-License-Identifier: MIT
#include "hphtsim/core/config.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "hphtsim/core/error.hpp"

namespace hphtsim::core {

ConfigNode::ConfigNode(YAML::Node node, std::string path, std::shared_ptr<ConfigUsage> usage)
    : node_(std::move(node)), path_(std::move(path)), usage_(std::move(usage)) {}

std::string ConfigNode::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ConfigNode::fail(const std::string& message) const { throw ConfigError(path_, message); }
void ConfigNode::fail_key(std::string_view key, const std::string& message) const {
  throw ConfigError(child_path(key), message);
}

bool ConfigNode::has(std::string_view key) const {
  usage_->asked[path_].insert(std::string(key));
  return node_.IsMap() && node_[std::string(key)].IsDefined() && !node_[std::string(key)].IsNull();
}

std::optional<ConfigNode> ConfigNode::find(std::string_view key) const {
  if (!node_.IsMap()) fail("expected a mapping of keys");
  if (!has(key)) return std::nullopt;
  usage_->used.insert(child_path(key));
  return ConfigNode(node_[std::string(key)], child_path(key), usage_);
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
    std::string p = child_path(std::to_string(i));
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
      ConfigNode(kv.second, child_path(k), usage_).mark_used_recursive();
    }
  } else if (node_.IsSequence()) {
    for (std::size_t i = 0; i < node_.size(); ++i)
      ConfigNode(node_[i], child_path(std::to_string(i)), usage_).mark_used_recursive();
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

}  // namespace hphtsim::core
