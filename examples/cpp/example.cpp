// justclick from C++17 with justclick.hpp (installed next to justclick.h):
// options, every endpoint, a generic call, a batch, and errors as
// exceptions.
//
// Configuration comes from the environment, so the same binary runs against
// the local sandbox or a real account:
//   JUSTCLICK_LOGIN     account login (required)
//   JUSTCLICK_SECRET    API key (required; never printed)
//   JUSTCLICK_BASE_URL  e.g. http://127.0.0.1:8080 for the sandbox
//                       (default https://LOGIN.justclick.ru)
//   JUSTCLICK_CA_FILE   extra CA certificates (PEM), e.g. the sandbox's test CA
//
// The orders and products used below are the sandbox's seed data; the exit
// status is 0 when every call ended as expected there.
//
// Build (after `make install`):
//   c++ -std=c++17 example.cpp $(pkg-config --cflags --libs justclick)
// or from the source tree:
//   c++ -std=c++17 -Iinclude examples/cpp/example.cpp -Ltarget/release -ljustclick
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>

#include "justclick.hpp"

namespace {

int surprises = 0;

std::string env(const char *name) {
    const char *v = std::getenv(name);
    return v != nullptr ? v : "";
}

void line(const std::string &what, const std::string &outcome, const std::string &detail) {
    std::printf("%-34s %-16s %s\n", what.c_str(), outcome.c_str(), detail.c_str());
}

// Runs one call that should succeed and prints its document.
void expect_ok(const std::string &what, const std::function<std::string()> &call) {
    try {
        line(what, "ok", call());
    } catch (const justclick::Error &e) {
        surprises++;
        line(what, std::string("UNEXPECTED ") + e.status_name(),
             e.json().empty() ? e.what() : e.json());
    }
}

} // namespace

int main() {
    const std::string login = env("JUSTCLICK_LOGIN"), secret = env("JUSTCLICK_SECRET");
    const std::string base_url = env("JUSTCLICK_BASE_URL"), ca_file = env("JUSTCLICK_CA_FILE");
    if (login.empty() || secret.empty()) {
        std::cerr << "set JUSTCLICK_LOGIN and JUSTCLICK_SECRET (and JUSTCLICK_BASE_URL for the "
                     "sandbox)\n";
        return 2;
    }
    try {
        // Options without JSON: set() picks the overload from the value's
        // type (an int, a std::string, a const char *, a bool) and chains.
        justclick::Options options;
        options.set("timeout_ms", 15000);
        if (!base_url.empty())
            options.set("base_url", base_url);
        if (!ca_file.empty())
            options.set("ca_file", ca_file);
        const justclick::Client client(login, secret, options);
        std::printf("justclick %s (C++), account %s at %s\n\n", justclick::version().c_str(),
                    login.c_str(),
                    base_url.empty() ? "https://<login>.justclick.ru" : base_url.c_str());

        expect_ok("DeleteOrder 1111", [&] { return client.delete_order("1111"); });
        expect_ok("UpdateOrderStatus 100000 sent", [&] {
            return client.update_order_status("100000", "sent", 1362254400, "10000000000000");
        });
        expect_ok("GetBills client@example.com paid",
                  [&] { return client.get_bills("client@example.com", "paid"); });
        expect_ok("UpdateGood super_tovar", [&] {
            return client.update_good("{\"good_name\":\"super_tovar\",\"good_title\":"
                                      "\"Супер набор из 10 DVD\",\"good_sum\":\"999887\"}");
        });
        expect_ok("GetAllGoods (call)", [&] { return client.call("GetAllGoods"); });
        // A batch: one Outcome per call; a failed call does not throw.
        expect_ok("2 calls with call_batch", [&] {
            std::string summary;
            for (const justclick::Outcome &o : client.call_batch(
                     "[{\"method\":\"GetBills\",\"params\":{\"email\":\"client@example.com\","
                     "\"pay_status\":\"cancel\"}},"
                     "{\"method\":\"GetBills\",\"params\":{\"email\":\"nobody@example.com\"}}]",
                     2))
                summary += std::string(summary.empty() ? "" : ", ") + o.status_name() + " " +
                           (o.ok() ? o.result() : o.document());
            return summary;
        });

        // Handled errors: the API's own error, and an argument refused before
        // any traffic.
        try {
            client.delete_order("1111");
            surprises++;
            line("DeleteOrder 1111 again", "UNEXPECTED ok", "");
        } catch (const justclick::ApiError &e) {
            line("DeleteOrder 1111 again", e.status_name(),
                 "handled: code " + std::to_string(e.code()) + ", " + e.text());
        }
        try {
            client.get_bills(std::string("client@example.com\0junk", 23));
            surprises++;
            line("GetBills with a NUL byte", "UNEXPECTED ok", "");
        } catch (const justclick::Error &e) {
            bool ok = e.status() == JC_ERR_INVALID_ARGUMENT;
            surprises += !ok;
            line("GetBills with a NUL byte", e.status_name(),
                 std::string(ok ? "handled: " : "UNEXPECTED: ") + e.what());
        }
    } catch (const justclick::Error &e) {
        // Anything else, e.g. a bad option: jc_client_new's message.
        std::fprintf(stderr, "%s: %s\n", e.status_name(), e.what());
        return 1;
    }
    if (surprises != 0) {
        std::printf("%d call(s) did not end as expected\n", surprises);
        return 1;
    }
    std::printf("all calls ended as expected\n");
    return 0;
}
