// justclick.hpp: a small C++17 RAII wrapper over the justclick C ABI.
//
// - justclick::Client owns a jc_client (std::unique_ptr with jc_client_free);
//   it is move-only, and its methods are const: one Client may be shared by
//   any number of threads, like the const jc_client * underneath.
// - Every string the library returns is held in a justclick::String
//   (std::unique_ptr with jc_string_free) the moment it arrives, so it is
//   freed exactly once even when an exception is thrown.
// - A failed call throws justclick::Error (status, status name, message and
//   the failure document as JSON); API errors throw justclick::ApiError with
//   the service's code and text, HTTP errors justclick::HttpStatusError with
//   the HTTP status. Successful calls return the success document as JSON
//   text: {"ok":true,"error_code":0,"error_text":"...","result":...}; parse
//   it with the JSON library of your choice.
//
// Header-only; link with -ljustclick. Copy it into your project freely.
#ifndef JUSTCLICK_HPP
#define JUSTCLICK_HPP

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "justclick.h"

namespace justclick {

struct StringDeleter {
    void operator()(char *s) const noexcept { jc_string_free(s); }
};
/// A string owned by the library, freed with jc_string_free.
using String = std::unique_ptr<char, StringDeleter>;

struct ClientDeleter {
    void operator()(jc_client *c) const noexcept { jc_client_free(c); }
};

/// Any failure: the jc_status, its name, the message and (for calls) the
/// failure document {"ok":false,"status":...,"message":...}.
class Error : public std::runtime_error {
  public:
    Error(jc_status status, const std::string &message, std::string json = {})
        : std::runtime_error(message), status_(status), json_(std::move(json)) {}
    jc_status status() const noexcept { return status_; }
    const char *status_name() const noexcept { return jc_status_name(status_); }
    /// The failure document (empty for jc_client_new and wrapper checks).
    const std::string &json() const noexcept { return json_; }

  private:
    jc_status status_;
    std::string json_;
};

/// The service answered (correctly signed) with error_code != 0.
class ApiError : public Error {
  public:
    ApiError(const std::string &message, std::string json, long long code, std::string text)
        : Error(JC_ERR_API, message, std::move(json)), code_(code), text_(std::move(text)) {}
    long long code() const noexcept { return code_; }
    const std::string &text() const noexcept { return text_; }

  private:
    long long code_;
    std::string text_;
};

/// The server answered with an HTTP status other than 200.
class HttpStatusError : public Error {
  public:
    HttpStatusError(const std::string &message, std::string json, int http_status)
        : Error(JC_ERR_HTTP_STATUS, message, std::move(json)), http_status_(http_status) {}
    int http_status() const noexcept { return http_status_; }

  private:
    int http_status_;
};

namespace detail {

inline void append_utf8(std::string &out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// The string value of top-level `"key":` in a failure document. Failure
/// documents hold only strings, numbers and booleans, and a quote inside a
/// string is always escaped, so `"key":` is found only where it is a key.
inline std::string string_field(std::string_view doc, std::string_view key) {
    std::string pattern = "\"" + std::string(key) + "\":\"";
    std::size_t at = doc.find(pattern);
    std::string out;
    if (at == std::string_view::npos)
        return out;
    for (std::size_t i = at + pattern.size(); i < doc.size() && doc[i] != '"'; i++) {
        if (doc[i] != '\\' || i + 1 >= doc.size()) {
            out += doc[i];
            continue;
        }
        char e = doc[++i];
        switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
            if (i + 4 >= doc.size())
                return out;
            unsigned long cp = std::strtoul(std::string(doc.substr(i + 1, 4)).c_str(), nullptr, 16);
            i += 4;
            // A surrogate pair: \uD83D\uDE00
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < doc.size() && doc[i + 1] == '\\' &&
                doc[i + 2] == 'u') {
                unsigned long low =
                    std::strtoul(std::string(doc.substr(i + 3, 4)).c_str(), nullptr, 16);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                i += 6;
            }
            append_utf8(out, cp);
            break;
        }
        default: out += e; break; // \" \\ \/
        }
    }
    return out;
}

/// The integer value of top-level `"key":` in a failure document, or 0.
inline long long int_field(std::string_view doc, std::string_view key) {
    std::string pattern = "\"" + std::string(key) + "\":";
    std::size_t at = doc.find(pattern);
    if (at == std::string_view::npos)
        return 0;
    return std::strtoll(std::string(doc.substr(at + pattern.size(), 24)).c_str(), nullptr, 10);
}

/// Takes ownership of `raw` at once, then returns it or throws.
inline std::string check(jc_status status, char *raw) {
    String owned(raw);
    std::string json = owned ? std::string(owned.get()) : std::string();
    if (status == JC_OK)
        return json;
    std::string message = string_field(json, "message");
    if (message.empty())
        message = std::string(jc_status_name(status)) + ": " + jc_last_error_message();
    switch (status) {
    case JC_ERR_API:
        throw ApiError(message, json, int_field(json, "error_code"),
                       string_field(json, "error_text"));
    case JC_ERR_HTTP_STATUS:
        throw HttpStatusError(message, json, static_cast<int>(int_field(json, "http_status")));
    default:
        throw Error(status, message, json);
    }
}

/// C strings end at the first NUL: a std::string holding one would be cut
/// silently ("1111\0junk" would become order 1111), so it is refused.
inline const char *c_str(const std::string &s, const char *name) {
    if (s.find('\0') != std::string::npos)
        throw Error(JC_ERR_INVALID_ARGUMENT, std::string(name) + " contains a NUL byte");
    return s.c_str();
}

} // namespace detail

/// The library version (e.g. "0.1.0").
inline std::string version() { return jc_version(); }

/// A JustClick API client. Move-only; const methods are thread-safe.
class Client {
  public:
    /// `options_json`: "" for defaults, or a JSON object (see justclick.h),
    /// e.g. R"({"timeout_ms":10000,"batch_timeout_ms":60000})".
    Client(const std::string &login, const std::string &secret,
           const std::string &options_json = {}) {
        jc_client *raw = nullptr;
        jc_status st = jc_client_new(detail::c_str(login, "login"),
                                     detail::c_str(secret, "secret"),
                                     options_json.empty()
                                         ? nullptr
                                         : detail::c_str(options_json, "options_json"),
                                     &raw);
        handle_.reset(raw);
        if (st != JC_OK)
            throw Error(st, std::string("cannot create the client: ") + jc_last_error_message());
    }

    std::string delete_order(const std::string &bill_id) const {
        char *out = nullptr;
        jc_status st = jc_delete_order(handle_.get(), detail::c_str(bill_id, "bill_id"), &out);
        return detail::check(st, out);
    }

    /// `date` <= 0 and `rpo` "" mean "not given".
    std::string update_order_status(const std::string &bill_id, const std::string &status,
                                    std::int64_t date = 0, const std::string &rpo = {}) const {
        char *out = nullptr;
        jc_status st = jc_update_order_status(handle_.get(), detail::c_str(bill_id, "bill_id"),
                                              detail::c_str(status, "status"), date,
                                              detail::c_str(rpo, "rpo"), &out);
        return detail::check(st, out);
    }

    /// `pay_status` "" means all orders.
    std::string get_bills(const std::string &email, const std::string &pay_status = {}) const {
        char *out = nullptr;
        jc_status st = jc_get_bills(handle_.get(), detail::c_str(email, "email"),
                                    detail::c_str(pay_status, "pay_status"), &out);
        return detail::check(st, out);
    }

    std::string update_good(const std::string &good_json) const {
        char *out = nullptr;
        jc_status st =
            jc_update_good(handle_.get(), detail::c_str(good_json, "good_json"), &out);
        return detail::check(st, out);
    }

    /// Any API method; `params_json` "" means no parameters.
    std::string call(const std::string &method, const std::string &params_json = {}) const {
        char *out = nullptr;
        jc_status st = jc_call(handle_.get(), detail::c_str(method, "method"),
                               detail::c_str(params_json, "params_json"), &out);
        return detail::check(st, out);
    }

    /// A JSON array of documents, one per call; failed calls do not throw
    /// (look at each document's "ok"), a malformed list does. Blocks until
    /// every call has ended: with the option `batch_timeout_ms`, calls not
    /// started by that deadline are never sent (status "timeout", message
    /// "not sent: ...") and this returns by batch_timeout_ms + timeout_ms;
    /// without it (the default) there is no deadline (bound in justclick.h).
    std::string call_batch(const std::string &calls_json, std::uint32_t concurrency = 8) const {
        char *out = nullptr;
        jc_status st = jc_call_batch(handle_.get(), detail::c_str(calls_json, "calls_json"),
                                     concurrency, &out);
        return detail::check(st, out);
    }

    const jc_client *get() const noexcept { return handle_.get(); }

  private:
    std::unique_ptr<jc_client, ClientDeleter> handle_;
};

} // namespace justclick

#endif // JUSTCLICK_HPP
