// justclick.hpp: the C++17 interface of justclick, header-only, over the C
// ABI of justclick.h (installed next to it; link with -ljustclick, or use
// `pkg-config --cflags --libs justclick`).
//
// - justclick::Client owns a jc_client and is move-only; its methods are
//   const and thread-safe: share one Client between threads, so that its
//   kept-alive connections are reused.
// - justclick::Options builds the client's options (set(key, value),
//   chainable) over the C options builder: same keys, types and bounds as
//   the JSON form documented at jc_client_new in justclick.h.
// - A call returns its `result` as JSON text ("null" when the service sent
//   none); parse it with the JSON library of your choice. A failed call
//   throws a justclick::Error subclass named after its status: ApiError
//   (code(), text()), HttpStatusError (http_status()), TimeoutError,
//   TransportError, BadResponseError, BadSignatureError,
//   InvalidArgumentError, PanicError. call_batch() returns one Outcome per
//   call instead of throwing for a failed call.
// - String arguments (justclick::Text) are a string literal or const char *
//   (passed as they are: read up to the first NUL, like C), a std::string
//   (its c_str(), no copy; refused if it contains a NUL byte) or a
//   std::string_view (copied, because a view need not end with a NUL; short
//   ones fit in std::string's inline buffer). Nothing allocates for a
//   literal.
// - Every string the library returns is freed exactly once, also when an
//   exception is thrown.
#ifndef JUSTCLICK_HPP
#define JUSTCLICK_HPP

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "justclick.hpp needs C++17 or later (use justclick.h from C)"
#endif

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "justclick.h"

namespace justclick {

/// Any failure: the jc_status, its name, the message and, for calls, the
/// failure document {"ok":false,"status":...,"message":...} (empty when
/// the failure has none, e.g. creating a client or setting an option).
class Error : public std::runtime_error {
  public:
    Error(jc_status status, const std::string &message, std::string json = {})
        : std::runtime_error(message), status_(status), json_(std::move(json)) {}
    jc_status status() const noexcept { return status_; }
    /// jc_status_name(): "api", "timeout", ... (static, never freed).
    const char *status_name() const noexcept { return jc_status_name(status_); }
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
    /// The service's error_code (e.g. 200: no such order).
    long long code() const noexcept { return code_; }
    /// The service's error_text.
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

#define JUSTCLICK_HPP_ERROR(Name, status_value)                                              \
    class Name : public Error {                                                          \
      public:                                                                            \
        explicit Name(const std::string &message, std::string json = {})                 \
            : Error(status_value, message, std::move(json)) {}                           \
    };
/// The connect or overall timeout fired (or a batch call was not sent).
JUSTCLICK_HPP_ERROR(TimeoutError, JC_ERR_TIMEOUT)
/// DNS, connect, TLS or I/O failure.
JUSTCLICK_HPP_ERROR(TransportError, JC_ERR_TRANSPORT)
/// The body was not a JustClick answer.
JUSTCLICK_HPP_ERROR(BadResponseError, JC_ERR_BAD_RESPONSE)
/// The response signature is missing or wrong (e.g. a wrong secret).
JUSTCLICK_HPP_ERROR(BadSignatureError, JC_ERR_BAD_SIGNATURE)
/// An argument or option was refused before any traffic (also a NUL byte
/// inside a string argument).
JUSTCLICK_HPP_ERROR(InvalidArgumentError, JC_ERR_INVALID_ARGUMENT)
/// A bug in the library was caught (please report it); nothing crashed.
JUSTCLICK_HPP_ERROR(PanicError, JC_ERR_PANIC)
#undef JUSTCLICK_HPP_ERROR

/// A string argument on its way to C, which needs it NUL-terminated (see
/// the top of this file). Made implicitly from what is passed; do not keep
/// one beyond the call it is made for.
class Text {
  public:
    /// Used as it is; NULL is refused when the text is used.
    Text(const char *s) noexcept : ptr_(s), checked_(true) {}
    /// Its c_str(), unless it holds a NUL byte (refused when used).
    Text(const std::string &s) noexcept : ptr_(s.c_str()), size_(s.size()) {}
    /// Copied with a NUL appended (no heap allocation for short views).
    Text(std::string_view s) : owned_(s), ptr_(owned_.c_str()), size_(s.size()) {}
    Text(std::nullptr_t) = delete;
    Text(const Text &) = delete;
    Text &operator=(const Text &) = delete;

    /// The NUL-terminated text; throws InvalidArgumentError naming `name`
    /// if it is NULL or holds a NUL byte (C would cut it there silently:
    /// "1111\0junk" would become order 1111).
    const char *c_str(const char *name) const {
        if (ptr_ == nullptr)
            throw InvalidArgumentError(std::string(name) + " is NULL");
        if (!checked_ && std::strlen(ptr_) != size_)
            throw InvalidArgumentError(std::string(name) + " contains a NUL byte");
        return ptr_;
    }

  private:
    std::string owned_;
    const char *ptr_;
    std::size_t size_ = 0;
    bool checked_ = false;
};

namespace detail {

struct StringDeleter {
    void operator()(char *s) const noexcept { jc_string_free(s); }
};
/// A string owned by the library, freed with jc_string_free.
using String = std::unique_ptr<char, StringDeleter>;

inline void append_utf8(std::string &out, unsigned long cp) {
    auto byte = [&out](unsigned long b) { out += static_cast<char>(b); };
    if (cp < 0x80) {
        byte(cp);
    } else if (cp < 0x800) {
        byte(0xC0 | (cp >> 6));
        byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        byte(0xE0 | (cp >> 12));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    } else {
        byte(0xF0 | (cp >> 18));
        byte(0x80 | ((cp >> 12) & 0x3F));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    }
}

/// The string value of `"key":` in a failure document. Failure documents
/// are flat (strings, numbers, booleans) and a quote inside a string is
/// always escaped, so `"key":"` is found only where it is a key.
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

/// The integer value of `"key":` in a failure document, or 0.
inline long long int_field(std::string_view doc, std::string_view key) {
    std::string pattern = "\"" + std::string(key) + "\":";
    std::size_t at = doc.find(pattern);
    if (at == std::string_view::npos)
        return 0;
    return std::strtoll(std::string(doc.substr(at + pattern.size(), 24)).c_str(), nullptr, 10);
}

/// The `result` of a success document, as JSON text. It is the last key
/// (justclick.h fixes the order), and `,"result":` cannot occur inside a
/// string of the document (its quotes would be escaped).
/// The documented special answer a success document ends with
/// (`,"outcome":"already_exists"}`), or "" for an ordinary success. Read from
/// the end, where the library always writes it, so a `result` that happens
/// to contain an "outcome" key cannot be mistaken for it.
inline std::string_view outcome_of(std::string_view doc) {
    static constexpr std::string_view names[] = {"already_exists", "already_registered", "unknown"};
    for (std::string_view name : names) {
        std::string tail = ",\"outcome\":\"" + std::string(name) + "\"}";
        if (doc.size() >= tail.size() && doc.substr(doc.size() - tail.size()) == tail)
            return name;
    }
    return {};
}

/// The `result` of a success document as JSON text ("null" if none).
inline std::string result_of(std::string_view doc) {
    const std::string_view key = ",\"result\":";
    std::size_t at = doc.find(key);
    if (at == std::string_view::npos || doc.empty() || doc.back() != '}')
        return "null";
    at += key.size();
    std::string_view outcome = outcome_of(doc);
    // `,"outcome":"` is 12 bytes, then the name and its closing quote.
    std::size_t end = doc.size() - 1 - (outcome.empty() ? 0 : 12 + outcome.size() + 1);
    if (end < at)
        return "null";
    return std::string(doc.substr(at, end - at));
}

/// The value of the first `"key":true|false` (flat part of a document).
inline bool bool_field(std::string_view doc, std::string_view key) {
    return doc.find("\"" + std::string(key) + "\":true") != std::string_view::npos;
}

/// The status named `name` in a document (JC_ERR_PANIC if none matches).
inline jc_status status_named(const std::string &name) {
    for (std::uint32_t n = 0; n < 64; n++) {
        const char *known = jc_status_name(n);
        if (std::strcmp(known, "unknown") == 0)
            break;
        if (name == known)
            return static_cast<jc_status>(n);
    }
    return JC_ERR_PANIC;
}

/// Throws the exception for `status` (not JC_OK): `json` is the failure
/// document if any, `fallback` the message when it has none.
[[noreturn]] inline void throw_error(jc_status status, std::string json,
                                     const std::string &fallback) {
    std::string message = string_field(json, "message");
    if (message.empty())
        message = fallback;
    switch (status) {
    case JC_ERR_API: {
        long long code = int_field(json, "error_code");
        std::string text = string_field(json, "error_text");
        throw ApiError(message, std::move(json), code, std::move(text));
    }
    case JC_ERR_HTTP_STATUS: {
        int http = static_cast<int>(int_field(json, "http_status"));
        throw HttpStatusError(message, std::move(json), http);
    }
    case JC_ERR_TIMEOUT: throw TimeoutError(message, std::move(json));
    case JC_ERR_TRANSPORT: throw TransportError(message, std::move(json));
    case JC_ERR_BAD_RESPONSE: throw BadResponseError(message, std::move(json));
    case JC_ERR_BAD_SIGNATURE: throw BadSignatureError(message, std::move(json));
    case JC_ERR_INVALID_ARGUMENT: throw InvalidArgumentError(message, std::move(json));
    case JC_ERR_PANIC: throw PanicError(message, std::move(json));
    default: throw Error(status, message, std::move(json)); // JC_ERR_NULL_ARGUMENT
    }
}

/// Throws for a failed status-only function (no document).
inline void check_status(jc_status status, const char *what) {
    if (status != JC_OK)
        throw_error(status, {},
                    std::string(what) + ": " + jc_status_name(status) + ": " +
                        jc_last_error_message());
}

/// Takes ownership of a call's document at once, then returns it or throws.
inline std::string document(jc_status status, char *raw) {
    String owned(raw);
    std::string json = owned ? std::string(owned.get()) : std::string();
    if (status != JC_OK)
        throw_error(status, std::move(json),
                    std::string(jc_status_name(status)) + ": " + jc_last_error_message());
    return json;
}

/// The elements of a JSON array as text (a batch's documents).
inline std::vector<std::string> array_elements(std::string_view array) {
    std::vector<std::string> out;
    int depth = 0;
    bool in_string = false;
    std::size_t start = 1;
    for (std::size_t i = 0; i < array.size(); i++) {
        char c = array[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0 && i > start)
                out.emplace_back(array.substr(start, i - start));
        } else if (c == ',' && depth == 1) {
            out.emplace_back(array.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

} // namespace detail

/// The outcome of one call of a batch.
class Outcome {
  public:
    explicit Outcome(std::string document)
        : document_(std::move(document)),
          status_(document_.rfind("{\"ok\":true", 0) == 0
                      ? JC_OK
                      : detail::status_named(detail::string_field(document_, "status"))) {}
    bool ok() const noexcept { return status_ == JC_OK; }
    jc_status status() const noexcept { return status_; }
    const char *status_name() const noexcept { return jc_status_name(status_); }
    /// The call's whole document (the schema of a single call).
    const std::string &document() const noexcept { return document_; }
    /// The call's `result` as JSON text; throws the call's Error if it
    /// failed.
    std::string result() const {
        if (!ok())
            detail::throw_error(status_, document_, document_);
        return detail::result_of(document_);
    }

  private:
    std::string document_;
    jc_status status_;
};

/// The library version at run time (e.g. "0.1.0"); JUSTCLICK_VERSION_STRING
/// is the version of the header.
inline std::string version() { return jc_version(); }

/// Client options, chainable:
///   justclick::Options().set("base_url", url).set("timeout_ms", 10000)
/// Keys, types and bounds as for jc_client_new; an unknown key, a wrong
/// type or an out-of-range value throws InvalidArgumentError from set().
/// Move-only; may be freed before or reused after the clients made from it.
/// Not thread-safe while being set.
class Options {
  public:
    /// Every option at its default (allocates nothing until set()).
    Options() noexcept = default;

    Options &set(const Text &key, const char *value) {
        return apply(jc_options_set_str(handle(), key.c_str("key"), Text(value).c_str("value")));
    }
    Options &set(const Text &key, const std::string &value) {
        return apply(jc_options_set_str(handle(), key.c_str("key"), Text(value).c_str("value")));
    }
    Options &set(const Text &key, std::string_view value) {
        return apply(jc_options_set_str(handle(), key.c_str("key"), Text(value).c_str("value")));
    }
    /// A bool only: nothing else (a pointer, a double, a char, an enum)
    /// converts to it silently, so such a call does not compile.
    template <typename T, typename std::enable_if<std::is_same<T, bool>::value, int>::type = 0>
    Options &set(const Text &key, T value) {
        return apply(jc_options_set_bool(handle(), key.c_str("key"), value));
    }
    /// Any integer type (int, long, std::uint64_t, ...); bool and the
    /// character types are not integers here.
    template <typename T,
              typename std::enable_if<std::is_integral<T>::value && !std::is_same<T, bool>::value &&
                                          !std::is_same<T, char>::value &&
                                          !std::is_same<T, signed char>::value &&
                                          !std::is_same<T, unsigned char>::value &&
                                          !std::is_same<T, wchar_t>::value &&
                                          !std::is_same<T, char16_t>::value &&
                                          !std::is_same<T, char32_t>::value,
                                      int>::type = 0>
    Options &set(const Text &key, T value) {
        const char *k = key.c_str("key");
        if constexpr (std::is_unsigned<T>::value) {
            if (value > static_cast<std::make_unsigned<std::int64_t>::type>(
                            std::numeric_limits<std::int64_t>::max()))
                throw InvalidArgumentError(std::string("option '") + k +
                                           "' is out of range: " + std::to_string(value));
        }
        return apply(jc_options_set_int(handle(), k, static_cast<std::int64_t>(value)));
    }

    /// The C builder, or NULL when nothing was set (every default).
    const jc_options *get() const noexcept { return handle_.get(); }

  private:
    struct Deleter {
        void operator()(jc_options *o) const noexcept { jc_options_free(o); }
    };

    jc_options *handle() {
        if (!handle_) {
            jc_options *raw = nullptr;
            detail::check_status(jc_options_new(&raw), "jc_options_new");
            handle_.reset(raw);
        }
        return handle_.get();
    }

    Options &apply(jc_status status) {
        if (status != JC_OK)
            detail::throw_error(status, {}, jc_last_error_message());
        return *this;
    }

    std::unique_ptr<jc_options, Deleter> handle_;
};

/// A JustClick API client. Move-only; const methods are thread-safe.
/// What a method with a documented special answer returns: its `result`
/// (JSON text) and the outcome, "" for an ordinary success or
/// "already_exists" (CreateOrder: the same order exists, `result` carries its
/// bill_id), "already_registered" (AddLeadToGroup: nothing changed) or
/// "unknown" (AddLeadToGroup answered code 0 with a text the library does not
/// know: it proves no subscription; the document's error_text holds it).
struct Reply {
    std::string result;
    std::string outcome;
};

/// A verified notification (see jc_verify_notification): the event
/// ("new_order", "cancel_order", "payment", "prepayment", "moneyback",
/// "subscribe", "unsubscribe"), whether its hash was checked (false only for
/// the subscription events, which carry none: confirm them with
/// get_lead_group_statuses), the hash rule that matched ("documented",
/// "empty_time", "" when unsigned) and the whole document, whose "fields"
/// object holds the posted data without the hash.
class Notification {
  public:
    explicit Notification(std::string document)
        : json_(std::move(document)), event_(detail::string_field(flat(), "event")),
          hash_rule_(detail::string_field(flat(), "hash_rule")),
          verified_(detail::bool_field(flat(), "verified")) {}
    const std::string &event() const noexcept { return event_; }
    bool verified() const noexcept { return verified_; }
    const std::string &hash_rule() const noexcept { return hash_rule_; }
    /// {"ok":true,"event":...,"verified":...,"hash_rule":...,"fields":{...}}
    const std::string &json() const noexcept { return json_; }

  private:
    /// The document before "fields": the keys read above are there, never
    /// inside the posted data.
    std::string_view flat() const noexcept {
        std::string_view doc = json_;
        return doc.substr(0, doc.find(",\"fields\":"));
    }
    std::string json_;
    std::string event_;
    std::string hash_rule_;
    bool verified_;
};

class Client {
  public:
    /// A client for account `login` with API key `secret` (copied). Throws
    /// InvalidArgumentError for an unusable option (e.g. an `http://` base
    /// URL to a non-loopback host). Does no network I/O.
    Client(const Text &login, const Text &secret, const Options &options = {}) {
        jc_client *raw = nullptr;
        jc_status st = jc_client_new_with_options(login.c_str("login"), secret.c_str("secret"),
                                                  options.get(), &raw);
        handle_.reset(raw);
        if (st != JC_OK)
            detail::throw_error(st, {},
                                std::string("cannot create the client: ") +
                                    jc_last_error_message());
    }

    // ---- The API methods: each is its jc_* function without the prefix,
    // ---- returns the call's `result` as JSON text and throws on failure.
    // ---- New jc_* call functions get their method here, in header order.

    /// DeleteOrder.
    std::string delete_order(const Text &bill_id) const {
        char *out = nullptr;
        jc_status st = jc_delete_order(handle_.get(), bill_id.c_str("bill_id"), &out);
        return detail::result_of(detail::document(st, out));
    }

    /// UpdateOrderStatus; `date` <= 0 and `rpo` "" mean "not given".
    std::string update_order_status(const Text &bill_id, const Text &status,
                                    std::int64_t date = 0, const Text &rpo = "") const {
        char *out = nullptr;
        jc_status st = jc_update_order_status(handle_.get(), bill_id.c_str("bill_id"),
                                              status.c_str("status"), date, rpo.c_str("rpo"),
                                              &out);
        return detail::result_of(detail::document(st, out));
    }

    /// GetBills; `pay_status` "" means all orders.
    std::string get_bills(const Text &email, const Text &pay_status = "") const {
        char *out = nullptr;
        jc_status st = jc_get_bills(handle_.get(), email.c_str("email"),
                                    pay_status.c_str("pay_status"), &out);
        return detail::result_of(detail::document(st, out));
    }

    /// UpdateGood; `good_json` is a JSON object (see jc_update_good).
    std::string update_good(const Text &good_json) const {
        char *out = nullptr;
        jc_status st = jc_update_good(handle_.get(), good_json.c_str("good_json"), &out);
        return detail::result_of(detail::document(st, out));
    }

    // The methods of the table (see jc_add_lead_to_group and the rest in
    // justclick.h): `params_json` is a JSON object of the documented names
    // ("" = none, for methods without required parameters); invalid
    // parameters throw InvalidArgumentError before any traffic.
    // generated:begin methods (tests/generated.rs; make header)

    /// AddLeadToGroup; see Reply for its documented special answer.
    Reply add_lead_to_group(const Text &params_json = "") const {
        return with_outcome(jc_add_lead_to_group, params_json);
    }

    /// UpdateSubscriberData.
    std::string update_subscriber_data(const Text &params_json = "") const {
        return detail::result_of(method(jc_update_subscriber_data, params_json));
    }

    /// DeleteSubscribe.
    std::string delete_subscribe(const Text &params_json = "") const {
        return detail::result_of(method(jc_delete_subscribe, params_json));
    }

    /// GetLeadGroupStatuses.
    std::string get_lead_group_statuses(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_lead_group_statuses, params_json));
    }

    /// GetLeadGroups (deprecated).
    std::string get_lead_groups(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_lead_groups, params_json));
    }

    /// GetAllGroups.
    std::string get_all_groups(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_all_groups, params_json));
    }

    /// GetCountSubscribe.
    std::string get_count_subscribe(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_count_subscribe, params_json));
    }

    /// CreateOrder; see Reply for its documented special answer.
    Reply create_order(const Text &params_json = "") const {
        return with_outcome(jc_create_order, params_json);
    }

    /// getOrderDetails.
    std::string get_order_details(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_order_details, params_json));
    }

    /// GetOrderInfo (deprecated).
    std::string get_order_info(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_order_info, params_json));
    }

    /// getOrdersWithGoods (any date range).
    std::string get_orders_with_goods(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_orders_with_goods, params_json));
    }

    /// GetOrders (deprecated).
    std::string get_orders(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_orders, params_json));
    }

    /// AddGood.
    std::string add_good(const Text &params_json = "") const {
        return detail::result_of(method(jc_add_good, params_json));
    }

    /// DeleteGood.
    std::string delete_good(const Text &params_json = "") const {
        return detail::result_of(method(jc_delete_good, params_json));
    }

    /// GetAllGoods.
    std::string get_all_goods(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_all_goods, params_json));
    }

    /// GetPartnerStats.
    std::string get_partner_stats(const Text &params_json = "") const {
        return detail::result_of(method(jc_get_partner_stats, params_json));
    }

    // generated:end

    /// Verifies a notification the shop received: `body` is the raw
    /// application/x-www-form-urlencoded request body (any bytes). Throws
    /// BadSignatureError for a wrong or missing hash, InvalidArgumentError
    /// for a body that is no notification.
    Notification verify_notification(std::string_view body) const {
        char *out = nullptr;
        jc_status st = jc_verify_notification(handle_.get(), body.data(), body.size(), &out);
        return Notification(detail::document(st, out));
    }

    // ---- (end of the API methods)

    /// Any API method; `params_json` "" means no parameters.
    std::string call(const Text &method, const Text &params_json = "") const {
        char *out = nullptr;
        jc_status st = jc_call(handle_.get(), method.c_str("method"),
                               params_json.c_str("params_json"), &out);
        return detail::result_of(detail::document(st, out));
    }

    /// Many calls at once (see jc_call_batch): one Outcome per call, in
    /// order; a failed call does not throw, a malformed list does. Blocks
    /// until every call has ended (bounded by the `batch_timeout_ms`
    /// option, unbounded by default).
    std::vector<Outcome> call_batch(const Text &calls_json, std::uint32_t concurrency = 8) const {
        char *out = nullptr;
        jc_status st =
            jc_call_batch(handle_.get(), calls_json.c_str("calls_json"), concurrency, &out);
        std::vector<Outcome> outcomes;
        for (std::string &doc : detail::array_elements(detail::document(st, out)))
            outcomes.emplace_back(std::move(doc));
        return outcomes;
    }

    /// The C handle, for functions this header does not wrap.
    const jc_client *get() const noexcept { return handle_.get(); }

  private:
    using MethodFn = jc_status (*)(const jc_client *, const char *, char **);

    /// A table method's success document; "" params are passed as NULL.
    std::string method(MethodFn fn, const Text &params_json) const {
        const char *params = params_json.c_str("params_json");
        char *out = nullptr;
        jc_status st = fn(handle_.get(), *params == '\0' ? nullptr : params, &out);
        return detail::document(st, out);
    }

    Reply with_outcome(MethodFn fn, const Text &params_json) const {
        std::string doc = method(fn, params_json);
        return Reply{detail::result_of(doc), std::string(detail::outcome_of(doc))};
    }

    struct Deleter {
        void operator()(jc_client *c) const noexcept { jc_client_free(c); }
    };
    std::unique_ptr<jc_client, Deleter> handle_;
};

} // namespace justclick

#endif // JUSTCLICK_HPP
