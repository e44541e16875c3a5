// include/justclick.hpp against the sandbox (JC_TEST_* environment), built
// as C++17 and C++20: options and their overloads, results rather than
// envelopes, one exception class per status, batches as outcomes, string
// arguments of every kind. Prints "PASS cpp_api: N checks".
#include "justclick.hpp"
#include "justclick.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

int passes = 0, failures = 0;

void check(bool ok, int line, const char *what) {
    if (ok) {
        passes++;
    } else {
        failures++;
        std::printf("cpp_api.cpp:%d: FAIL: %s\n", line, what);
    }
}
#define CHECK(cond) check((cond), __LINE__, #cond)

std::string env(const char *name) {
    const char *v = std::getenv(name);
    if (v == nullptr) {
        std::printf("FAIL cpp_api: %s is not set\n", name);
        std::exit(1);
    }
    return v;
}

bool contains(const std::string &s, const char *needle) {
    return s.find(needle) != std::string::npos;
}

// Runs `f`, which must throw exactly `E` with `status`; returns the error's
// message and document, or "" if it did not.
template <typename E, typename F> std::string expect_throw(F f, jc_status status, int line) {
    try {
        f();
        check(false, line, "no exception");
    } catch (const E &e) {
        check(e.status() == status, line, "status()");
        check(std::string(e.status_name()) == jc_status_name(status), line, "status_name()");
        return std::string(e.what()) + "|" + e.json();
    } catch (const std::exception &e) {
        check(false, line, e.what());
    }
    return "";
}
#define EXPECT_THROW(E, status, body) expect_throw<E>([&] { body; }, status, __LINE__)

// The error classes form the documented hierarchy.
static_assert(std::is_base_of<std::runtime_error, justclick::Error>::value, "Error");
static_assert(std::is_base_of<justclick::Error, justclick::ApiError>::value, "ApiError");
static_assert(std::is_base_of<justclick::Error, justclick::HttpStatusError>::value, "Http");
static_assert(std::is_base_of<justclick::Error, justclick::TimeoutError>::value, "Timeout");
static_assert(std::is_base_of<justclick::Error, justclick::TransportError>::value, "Transport");
static_assert(std::is_base_of<justclick::Error, justclick::BadResponseError>::value, "BadResp");
static_assert(std::is_base_of<justclick::Error, justclick::BadSignatureError>::value, "BadSig");
static_assert(std::is_base_of<justclick::Error, justclick::InvalidArgumentError>::value, "Inv");
static_assert(std::is_base_of<justclick::Error, justclick::PanicError>::value, "Panic");
// Options chain and are move-only; clients are move-only.
static_assert(std::is_same<decltype(std::declval<justclick::Options &>().set("k", 1)),
                           justclick::Options &>::value,
              "set() chains");
static_assert(!std::is_copy_constructible<justclick::Options>::value, "Options move-only");
// Which values set() takes: nothing converts to bool behind the caller's back.
template <typename V, typename = void> struct settable : std::false_type {};
template <typename V>
struct settable<V, std::void_t<decltype(std::declval<justclick::Options &>().set(
                       "k", std::declval<V>()))>> : std::true_type {};
static_assert(settable<int>::value && settable<long long>::value &&
                  settable<unsigned long long>::value && settable<short>::value,
              "integers");
static_assert(settable<bool>::value && settable<char *>::value && settable<const char *>::value &&
                  settable<std::string>::value && settable<std::string_view>::value,
              "bool and strings");
static_assert(!settable<double>::value && !settable<char>::value && !settable<float>::value,
              "no silent conversion to bool");
static_assert(std::is_nothrow_move_constructible<justclick::Client>::value, "Client moves");
static_assert(!std::is_copy_constructible<justclick::Client>::value, "Client move-only");

// Every status's document becomes its own exception class.
void mapping() {
    using namespace justclick;
    auto doc = [](const char *status) {
        return std::string("{\"ok\":false,\"status\":\"") + status + "\",\"message\":\"m\"}";
    };
    std::string got = EXPECT_THROW(ApiError, JC_ERR_API,
                                   detail::throw_error(JC_ERR_API,
                                                       "{\"ok\":false,\"status\":\"api\",\"message\":"
                                                       "\"m\",\"error_code\":7,\"error_text\":"
                                                       "\"\\u0442\\\"x\"}",
                                                       "f"));
    CHECK(got.rfind("m|{", 0) == 0);
    try {
        detail::throw_error(JC_ERR_API,
                            "{\"ok\":false,\"status\":\"api\",\"message\":\"m\",\"error_code\":7,"
                            "\"error_text\":\"\\u0442\\\"x\"}",
                            "f");
    } catch (const ApiError &e) {
        CHECK(e.code() == 7);
        CHECK(e.text() == "т\"x");
    }
    try {
        detail::throw_error(JC_ERR_HTTP_STATUS, doc("http_status") + ",\"http_status\":502}", "f");
    } catch (const HttpStatusError &e) {
        CHECK(e.http_status() == 502);
        CHECK(e.status() == JC_ERR_HTTP_STATUS);
    }
    EXPECT_THROW(TimeoutError, JC_ERR_TIMEOUT, detail::throw_error(JC_ERR_TIMEOUT, doc("timeout"), ""));
    EXPECT_THROW(TransportError, JC_ERR_TRANSPORT,
                 detail::throw_error(JC_ERR_TRANSPORT, doc("transport"), ""));
    EXPECT_THROW(BadResponseError, JC_ERR_BAD_RESPONSE,
                 detail::throw_error(JC_ERR_BAD_RESPONSE, doc("bad_response"), ""));
    EXPECT_THROW(BadSignatureError, JC_ERR_BAD_SIGNATURE,
                 detail::throw_error(JC_ERR_BAD_SIGNATURE, doc("bad_signature"), ""));
    EXPECT_THROW(InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                 detail::throw_error(JC_ERR_INVALID_ARGUMENT, doc("invalid_argument"), ""));
    EXPECT_THROW(PanicError, JC_ERR_PANIC, detail::throw_error(JC_ERR_PANIC, doc("panic"), ""));
    // Without a document, the fallback message.
    got = EXPECT_THROW(TimeoutError, JC_ERR_TIMEOUT, detail::throw_error(JC_ERR_TIMEOUT, "", "fb"));
    CHECK(got == "fb|");
    // The result of a success document, and a batch's elements.
    CHECK(detail::result_of("{\"ok\":true,\"error_code\":0,\"error_text\":\"a,\\\"result\\\":1\","
                            "\"result\":{\"x\":[1,\"}\"]}}") == "{\"x\":[1,\"}\"]}");
    CHECK(detail::result_of("{\"ok\":true,\"error_code\":0,\"error_text\":\"\",\"result\":null}") ==
          "null");
    // A documented special answer ends the document; it is not part of the
    // result, and an "outcome" key inside the result is not one.
    const char *dup = "{\"ok\":true,\"error_code\":601,\"error_text\":\"Order already exist\","
                      "\"result\":{\"bill_id\":\"1111\"},\"outcome\":\"already_exists\"}";
    CHECK(detail::result_of(dup) == "{\"bill_id\":\"1111\"}");
    CHECK(detail::outcome_of(dup) == "already_exists");
    const char *inner = "{\"ok\":true,\"error_code\":0,\"error_text\":\"OK\","
                        "\"result\":{\"outcome\":\"already_exists\"}}";
    CHECK(detail::outcome_of(inner).empty());
    CHECK(detail::outcome_of("{\"ok\":true,\"error_code\":0,\"error_text\":\"Queued\","
                             "\"result\":null,\"outcome\":\"unknown\"}") == "unknown");
    CHECK(detail::result_of(inner) == "{\"outcome\":\"already_exists\"}");
    std::vector<std::string> parts =
        detail::array_elements("[{\"a\":\"],{\\\"\"},{\"b\":[1,{\"c\":2}]}]");
    CHECK(parts.size() == 2);
    CHECK(parts.size() == 2 && parts[0] == "{\"a\":\"],{\\\"\"}" && parts[1] == "{\"b\":[1,{\"c\":2}]}");
    CHECK(detail::array_elements("[]").empty());
}

} // namespace

int main() {
    const std::string base_url = env("JC_TEST_BASE_URL"), login = env("JC_TEST_LOGIN"),
                      secret = env("JC_TEST_SECRET");
    mapping();

    // The overloads: an int and a char * must not become a bool (the
    // library would refuse "timeout_ms" as a boolean, "base_url" likewise).
    std::vector<char> url(base_url.begin(), base_url.end());
    url.push_back('\0');
    char *argv1 = url.data();
    justclick::Options options;
    options.set("timeout_ms", 30000).set("base_url", argv1).set("proxy", std::string());
    options.set("persistent", false).set("rate_limit_retries", 2u).set("idle_timeout_ms", 5000L);
    options.set(std::string_view("user_agentXYZ", 10), std::string_view("cpp-test/1 trailing", 10));
    CHECK(options.get() != nullptr);

    // Refused options: InvalidArgumentError naming the key, from set().
    std::string got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                                   options.set("timeout_ms", true));
    CHECK(contains(got, "timeout_ms"));
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       options.set("bogus", 1));
    CHECK(contains(got, "unknown option"));
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       options.set("timeout_ms", 0));
    CHECK(contains(got, "between 1 and"));
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       options.set("max_response_bytes", ~0ull));
    CHECK(contains(got, "out of range"));
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       options.set("base_url", std::string("http://x\0y", 10)));
    CHECK(contains(got, "value contains a NUL byte"));

    // A client-wide check fails in the constructor.
    {
        justclick::Options bad;
        bad.set("base_url", "http://example.com");
        got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                           justclick::Client(login, secret, bad));
        CHECK(contains(got, "cannot create the client") && contains(got, "base_url"));
    }
    // Default options: a client (no traffic).
    { const justclick::Client defaults(login, secret); CHECK(defaults.get() != nullptr); }

    justclick::Client moved(login, secret, options);
    const justclick::Client client(std::move(moved));
    // The builder can go; the client keeps its options.
    { justclick::Options gone(std::move(options)); }

    // Calls return the result, not the envelope.
    std::string bills = client.get_bills("client@example.com", "paid");
    CHECK(bills.rfind("{\"", 0) == 0 && contains(bills, "\"258368\":"));
    CHECK(!contains(bills, "\"ok\":"));
    std::string deleted = client.delete_order(std::string("1111"));
    CHECK(deleted == "null" || !contains(deleted, "\"ok\":"));
    // A string_view that is not NUL-terminated is copied, not over-read.
    std::string_view email("client@example.com,more", 18);
    CHECK(client.get_bills(email).rfind("{\"", 0) == 0);
    std::string generic = client.call("SandboxEcho", "{\"a\":1}");
    CHECK(!contains(generic, "\"ok\":"));

    // The API's own error.
    try {
        client.delete_order("1111");
        CHECK(false);
    } catch (const justclick::ApiError &e) {
        CHECK(e.code() == 200);
        CHECK(e.text() == "Заказ не существует");
        CHECK(e.status() == JC_ERR_API && std::string(e.status_name()) == "api");
        CHECK(e.json().rfind("{\"ok\":false,\"status\":\"api\"", 0) == 0);
    }
    // Arguments refused before any traffic.
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       client.get_bills(std::string("client@example.com\0junk", 23)));
    CHECK(contains(got, "email contains a NUL byte"));
    const char *null_text = nullptr;
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       client.delete_order(null_text));
    CHECK(contains(got, "bill_id is NULL"));
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       client.update_order_status("100000", "lost"));
    CHECK(got.find("|{\"ok\":false") != std::string::npos);

    // Batches: one outcome per call, failures inside, not thrown.
    std::vector<justclick::Outcome> outcomes = client.call_batch(
        "[{\"method\":\"GetBills\",\"params\":{\"email\":\"client@example.com\"}},"
        "{\"method\":\"DeleteOrder\",\"params\":{\"bill_id\":\"1111\"}},"
        "{\"method\":\"SandboxEcho\",\"params\":{\"s\":\"a,]}\\\"\"}}]",
        2);
    CHECK(outcomes.size() == 3);
    if (outcomes.size() == 3) {
        CHECK(outcomes[0].ok() && outcomes[0].result().rfind("{\"", 0) == 0);
        CHECK(!outcomes[1].ok() && outcomes[1].status() == JC_ERR_API);
        CHECK(std::string(outcomes[1].status_name()) == "api");
        try {
            outcomes[1].result();
            CHECK(false);
        } catch (const justclick::ApiError &e) {
            CHECK(e.code() == 200);
        }
        CHECK(outcomes[2].ok() && contains(outcomes[2].document(), "\"ok\":true"));
    }
    got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                       client.call_batch("not a list"));

    // The methods of the table, and their documented special answers.
    {
        std::string groups = client.get_all_groups();
        CHECK(groups.rfind("[", 0) == 0 && contains(groups, "\"rass_name\":\"second\""));
        const char *lead = "{\"rid\":[\"second\"],\"lead_email\":\"cpp-lead@example.com\"}";
        justclick::Reply first = client.add_lead_to_group(lead);
        CHECK(first.outcome.empty());
        justclick::Reply again = client.add_lead_to_group(lead);
        CHECK(again.outcome == "already_registered");
        std::string statuses =
            client.get_lead_group_statuses("{\"email\":\"cpp-lead@example.com\"}");
        CHECK(contains(statuses, "\"rass_name\":\"second\""));
        const char *order = "{\"goods\":[{\"good_name\":\"super_tovar\"}],"
                            "\"bill_email\":\"cpp-buyer@example.com\",\"bill_first_name\":\"C\"}";
        justclick::Reply created = client.create_order(order);
        CHECK(created.outcome.empty() && contains(created.result, "\"bill_id\":"));
        justclick::Reply duplicate = client.create_order(order);
        CHECK(duplicate.outcome == "already_exists" && duplicate.result == created.result);
        // Every other method of the table, against the sandbox's state.
        CHECK(contains(client.get_lead_groups("{\"email\":\"cpp-lead@example.com\"}"),
                       "\"rass_name\":\"second\""));
        CHECK(client.update_subscriber_data(
                  "{\"lead_email\":\"cpp-lead@example.com\",\"lead_city\":\"Kazan\"}") == "null");
        CHECK(client.get_count_subscribe("{\"group_name\":\"all\"}") != "0");
        CHECK(client.delete_subscribe("{\"lead_email\":\"cpp-lead@example.com\","
                                      "\"rass_name\":\"second\"}") == "null");
        std::string id;
        for (char ch : created.result)
            if (ch >= '0' && ch <= '9')
                id += ch;
        const std::string by_id = "{\"bill_id\":\"" + id + "\"}";
        const std::string want_id = "\"id\":\"" + id + "\"";
        CHECK(!id.empty() && contains(client.get_order_details(by_id), want_id.c_str()));
        CHECK(contains(client.get_order_info(by_id), want_id.c_str()));
        CHECK(contains(client.get_orders_with_goods(), want_id.c_str()));
        CHECK(contains(client.get_orders(), want_id.c_str()));
        CHECK(client.add_good("{\"good_name\":\"cpp_good\",\"good_type\":\"0\","
                              "\"good_title\":\"C++ good\",\"good_sum\":10}") == "null");
        CHECK(contains(client.get_all_goods(), "\"good_name\":\"cpp_good\""));
        CHECK(client.delete_good("{\"good_name\":\"cpp_good\"}") == "null");
        CHECK(!contains(client.get_all_goods(), "\"good_name\":\"cpp_good\""));
        CHECK(contains(client.get_partner_stats("{\"partner\":\"partner1\"}"), "\"earned_total\""));
        // Checked before any traffic: a missing required parameter, and none.
        got = EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                           client.get_order_details("{}"));
        CHECK(contains(got, "bill_id"));
        EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                     client.delete_good());
    }

    // Notifications: a payment body (hash made by PHP: md5(id . email . paid
    // . key)), verified with the account's key; tampered or another key fails.
    {
        const std::string body = "id=77&email=buyer%40example.com&paid=1700000500"
                                 "&last_payment_sum=990&items%5B0%5D%5Bid%5D=course"
                                 "&hash=5fcddd18fd01146a168ee9c69aee8ed3";
        justclick::Options o;
        o.set("base_url", base_url).set("proxy", "");
        const justclick::Client shop(login, "cpp-notify-key", o);
        justclick::Notification n = shop.verify_notification(body);
        CHECK(n.event() == "payment" && n.verified() && n.hash_rule() == "documented");
        CHECK(contains(n.json(), "\"last_payment_sum\":\"990\""));
        std::string tampered = body;
        tampered.replace(tampered.find("paid=1700000500"), 15, "paid=1700000501");
        EXPECT_THROW(justclick::BadSignatureError, JC_ERR_BAD_SIGNATURE,
                     shop.verify_notification(tampered));
        EXPECT_THROW(justclick::BadSignatureError, JC_ERR_BAD_SIGNATURE,
                     client.verify_notification(body));
        EXPECT_THROW(justclick::InvalidArgumentError, JC_ERR_INVALID_ARGUMENT,
                     shop.verify_notification(std::string_view("a=1")));
    }

    // Transport and signature failures.
    {
        justclick::Options closed;
        closed.set("base_url", "http://127.0.0.1:1").set("proxy", "").set("timeout_ms", 5000);
        const justclick::Client c(login, secret, closed);
        EXPECT_THROW(justclick::TransportError, JC_ERR_TRANSPORT, c.get_bills("a@example.com"));
    }
    {
        justclick::Options o;
        o.set("base_url", base_url).set("proxy", "");
        const justclick::Client c(login, "wrong-key-0123456789", o);
        EXPECT_THROW(justclick::BadSignatureError, JC_ERR_BAD_SIGNATURE,
                     c.get_bills("client@example.com"));
    }
    // An unknown login: error 5 signed with an empty secret is an ApiError
    // naming the login, not a bad signature.
    {
        justclick::Options o;
        o.set("base_url", env("JC_TEST_UNKNOWN_LOGIN_URL")).set("proxy", "");
        const justclick::Client c(login, secret, o);
        try {
            c.get_all_goods();
            CHECK(false);
        } catch (const justclick::ApiError &e) {
            CHECK(e.code() == 5);
            CHECK(e.text().rfind("Invalid user name (login '" + login + "' not found", 0) == 0);
        }
    }

    if (failures != 0) {
        std::printf("FAIL cpp_api: %d of %d checks failed\n", failures, failures + passes);
        return 1;
    }
    std::printf("PASS cpp_api: %d checks\n", passes);
    return 0;
}
