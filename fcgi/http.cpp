// Small HTTP helpers.
#include "http.hpp"

namespace msk {

std::string url_decode(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                   isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::optional<std::string> Request::query_param(const std::string &name) const {
    size_t pos = 0;
    while (pos <= query.size()) {
        size_t end = query.find('&', pos);
        if (end == std::string::npos) end = query.size();
        std::string part = query.substr(pos, end - pos);
        size_t eq = part.find('=');
        std::string key = url_decode(part.substr(0, eq));
        if (key == name) return eq == std::string::npos ? std::string() : url_decode(part.substr(eq + 1));
        pos = end + 1;
    }
    return std::nullopt;
}

std::string cookie_value(const std::string &header, const std::string &name) {
    size_t pos = 0;
    while (pos < header.size()) {
        size_t end = header.find(';', pos);
        if (end == std::string::npos) end = header.size();
        size_t b = header.find_first_not_of(' ', pos);
        if (b < end) {
            size_t eq = header.find('=', b);
            if (eq < end && header.compare(b, eq - b, name) == 0 && eq - b == name.size())
                return header.substr(eq + 1, end - eq - 1);
        }
        pos = end + 1;
    }
    return {};
}

const char *status_text(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        case 507: return "Insufficient Storage";
        default: return "Status";
    }
}

}  // namespace msk
