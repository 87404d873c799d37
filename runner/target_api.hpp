#pragma once
// The endpoints the reference defines, as this target speaks them: the
// requests (auth, move, get-link, directory listing) and how their answers
// are read where the reference fixes no field (a moved file's id, a listing's
// entries). The probe (probe.hpp) and the executor share these, so a target
// is spoken to the same way when it is probed and when it is judged.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/http_client.hpp"
#include "runner/target.hpp"

namespace partcheck::runner {

// `Authorization: Bearer`, `X-Token`, a wrong key of either kind, or none.
// Throws std::invalid_argument for another mode.
void add_auth(Headers& headers, const std::string& mode, const std::string& api_key);

// A POST with a JSON body.
HttpRequest json_request(const std::string& target, const std::string& body);

// POST {base}/disk/file/move?directoryID=dir with {"files": files}.
HttpRequest move_request(const Target& target, const std::string& directory, const nlohmann::json& files);
// GET|POST {base}/disk/file/{id}/get-link
HttpRequest get_link_request(const Target& target, const std::string& id, const std::string& method = "GET");
// The listing of one directory in the form the target takes (api.list_body).
HttpRequest list_request(const Target& target, const std::string& directory);

enum class Listed { Yes, No, Unknown };
// Whether a listing shows `name` as a value of some entry. Unknown when the
// body is not JSON, or when the listing says it holds more entries than it
// returned (`result.total` above the entries given): absence is then unproven.
Listed listing_shows(const std::string& body, const std::string& name);
// The id (`__id`, else `id`) of the entry whose some value is `name`.
std::optional<std::string> id_in_listing(const std::string& body, const std::string& name);

// The id of the `index`-th moved file in a move's answer (api.move_id_path).
std::optional<std::string> id_from_move(const Target& target, const std::string& body, std::size_t index);

// Every string value of a JSON document that is a uuid, with its dotted path
// ("files.0.__id"), in document order.
std::vector<std::pair<std::string, std::string>> uuid_values(const nlohmann::json& doc);

}  // namespace partcheck::runner
