#pragma once
// A uuid as 16 bytes, for the tables that hold one entry per upload: a
// 36-character string key costs a heap block and a string compare per probe,
// this costs neither. Only the canonical lower-case spelling parses, so a key
// always prints back as the very text it came from.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace partcheck::mock {

struct UuidKey {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend bool operator==(const UuidKey&, const UuidKey&) = default;
};

struct UuidKeyHash {
  // Random uuids are random bits already; the table mixes the result further.
  std::size_t operator()(const UuidKey& key) const noexcept {
    return static_cast<std::size_t>(key.high ^ (key.low * 0x9e3779b97f4a7c15ULL));
  }
};

namespace uuid_key_detail {
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
}  // namespace uuid_key_detail

// The key of `text` when it is a uuid in the 8-4-4-4-12 lower-case form.
inline std::optional<UuidKey> parse_uuid_key(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  UuidKey key;
  int nibbles = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    const int value = uuid_key_detail::hex_value(text[i]);
    if (value < 0) return std::nullopt;
    auto& half = nibbles < 16 ? key.high : key.low;
    half = (half << 4) | static_cast<std::uint64_t>(value);
    ++nibbles;
  }
  return key;
}

inline std::string format_uuid_key(const UuidKey& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(36, '-');
  std::size_t at = 0;
  for (int nibble = 0; nibble < 32; ++nibble) {
    if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
    const auto half = nibble < 16 ? key.high : key.low;
    text[at++] = kHex[(half >> (4 * (15 - nibble % 16))) & 0xf];
  }
  return text;
}

// A table keyed by names that are nearly always uuids (upload and file keys
// of a storage backend): those live in a flat hash table of 16-byte keys,
// anything else in a small ordered side table, so every name round-trips.
template <class Value>
class UuidKeyedMap {
 public:
  Value* find(std::string_view name) { return find_in(*this, name); }
  const Value* find(std::string_view name) const { return find_in(*this, name); }
  // The value for `name`, value-initialised when new.
  Value& operator[](std::string_view name) {
    if (auto key = parse_uuid_key(name)) return by_key_[*key];
    auto it = others_.find(name);
    if (it == others_.end()) it = others_.emplace(std::string(name), Value{}).first;
    return it->second;
  }
  bool erase(std::string_view name) {
    if (auto key = parse_uuid_key(name)) return by_key_.erase(*key) > 0;
    auto it = others_.find(name);
    if (it == others_.end()) return false;
    others_.erase(it);
    return true;
  }
  void clear() {
    by_key_ = {};  // gives the slots back, not only the entries
    others_.clear();
  }
  std::vector<std::string> names() const {
    std::vector<std::string> list;
    list.reserve(by_key_.size() + others_.size());
    for (const auto& [key, value] : by_key_) list.push_back(format_uuid_key(key));
    for (const auto& [name, value] : others_) list.push_back(name);
    return list;
  }
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& [key, value] : by_key_) visit(value);
    for (const auto& [name, value] : others_) visit(value);
  }

 private:
  template <class Self>
  static auto find_in(Self& self, std::string_view name) -> decltype(&self.by_key_.begin()->second) {
    if (auto key = parse_uuid_key(name)) {
      auto it = self.by_key_.find(*key);
      return it == self.by_key_.end() ? nullptr : &it->second;
    }
    auto it = self.others_.find(name);
    return it == self.others_.end() ? nullptr : &it->second;
  }

  boost::unordered_flat_map<UuidKey, Value, UuidKeyHash> by_key_;
  std::map<std::string, Value, std::less<>> others_;
};

}  // namespace partcheck::mock
