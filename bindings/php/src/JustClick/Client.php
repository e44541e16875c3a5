<?php

declare(strict_types=1);

namespace JustClick;

use JustClick\Engine\Engine;
use JustClick\Engine\FfiEngine;
use JustClick\Pure\Engine as PureEngine;

/**
 * A JustClick API client: libjustclick through PHP FFI where it can be
 * loaded, else the pure-PHP engine (ext-curl), with the same behaviour (see
 * the option `engine`).
 *
 * ```php
 * $jc = new \JustClick\Client('username', getenv('JUSTCLICK_SECRET'));
 * try {
 *     echo $jc->deleteOrder('1111');              // "Заказ удален"
 *     $bills = $jc->getBills('client@example.com', 'paid');
 * } catch (\JustClick\ApiException $e) {          // the service said no
 *     echo $e->getCode(), ' ', $e->getMessage();   // 200 Заказ не существует
 * } catch (\JustClick\ExceptionInterface $e) {    // anything else
 *     echo get_class($e), ': ', $e->getMessage();
 * }
 * ```
 *
 * Requests are signed, TLS certificates always verified, answers verified
 * before anything in them is returned, and connections kept alive for the
 * life of the object (so reuse one client for many calls).
 *
 * Return values: the three write methods return the service's `error_text`
 * (a confirmation such as "Заказ удален"); getBills() and call() return
 * the decoded `result` as PHP arrays (`json_decode(..., true)`), null when
 * the service sent none. The per-method calls (addLeadToGroup(),
 * createOrder(), getAllGoods(), ...: one per method of the README's table)
 * return what their ClientInterface documentation says, with special
 * answers (CreateOrder's "already exists") as flags, not exceptions;
 * verifyNotification() returns a {@see Notification}. Every failure is an exception implementing
 * {@see ExceptionInterface}. Wrong values raise {@see InvalidArgumentException}
 * before any network traffic; arguments of the wrong PHP type are PHP's own
 * \TypeError: `null` for a non-nullable parameter always, other types when
 * the calling file declares strict_types=1 (otherwise PHP converts as
 * usual). Order numbers may be int or string (1111 or "1111"), and integer
 * options strings of digits, as frameworks and getenv() hand them over.
 *
 * Strings must be UTF-8 (convert windows-1251 data with mb_convert_encoding
 * first). A string argument or option containing a NUL byte is refused with
 * InvalidArgumentException, because C would silently cut it there
 * ("1111\0junk" would delete order 1111); strings inside `$params` and
 * `$good` travel as JSON, are never cut and are sent with the NUL as %00.
 * A call blocks for at most the `timeout_ms` option; PHP's
 * max_execution_time does not interrupt it. callBatch() blocks until
 * `batch_timeout_ms` + `timeout_ms`; `batch_timeout_ms` defaults to the
 * script's remaining max_execution_time (see the constructor).
 *
 * The client cannot be cloned or serialized (it owns a native handle or
 * curl handles).
 * Type against {@see ClientInterface} to mock it. Use one client per
 * thread in ZTS builds; under PHP-FPM an object lives one request.
 */
final class Client implements ClientInterface
{
    /** The values of the option `engine`. */
    private const ENGINES = ['auto', 'ffi', 'php'];

    /**
     * Options whose names end in these take integers. Environment variables
     * and config files give strings, so a string of digits is accepted too.
     */
    private const INTEGER_OPTION_SUFFIXES = ['_ms', '_bytes', '_retries'];

    private Engine $engine;

    private string $login = '';

    /**
     * Creates a client for account `$login` (also its third-level domain,
     * `https://{login}.justclick.ru`) with API key `$secret`. No network I/O.
     *
     * `engine` (string, default `auto`): `auto` uses libjustclick through FFI
     * when it can be loaded in this context (the preloaded scope, or FFI::cdef
     * where allowed, with the library and its header found) and the pure-PHP
     * engine otherwise, with no error or warning; `ffi` requires FFI (a
     * LibraryException says what is missing); `php` uses the pure-PHP engine.
     * Both check, send and verify the same way; see engine().
     *
     * Options of both engines, as libjustclick defines them (unknown keys are
     * rejected):
     * - `base_url` (string): replaces `https://{login}.justclick.ru`, e.g.
     *   the local sandbox `http://127.0.0.1:8089`;
     * - `timeout_ms` (int, default 30000): overall limit per call;
     * - `connect_timeout_ms` (int, default 10000);
     * - `ca_file` (string): PEM file of CAs added to the bundled roots
     *   (verification cannot be turned off);
     * - `proxy` (string): `http://`, `https://`, `socks5://` or `socks5h://`
     *   URL, `""` for a direct connection; default: the environment as curl
     *   reads it (https_proxy / HTTPS_PROXY, lowercase http_proxy only, then
     *   all_proxy / ALL_PROXY, with no_proxy / NO_PROXY; HTTP_PROXY is never
     *   read: under CGI a visitor's `Proxy:` header becomes HTTP_PROXY);
     * - `allow_insecure_http` (bool, default false): allow an `http://`
     *   base_url to hosts other than loopback;
     * - `user_agent` (string), `max_response_bytes` (int, default 8 MiB);
     * - `rate_limit_retries` (int, default 3) and `rate_limit_backoff_ms`
     *   (int, default 250): retries of API error 8 in callBatch();
     * - `batch_timeout_ms` (int, 1..86400000): deadline of callBatch(), from
     *   its start: calls not started by then are never sent and come back as
     *   TimeoutException ("not sent: ..."); calls already sent keep their own
     *   `timeout_ms`. Default here: the script's remaining
     *   max_execution_time when that is set (see remainingExecutionMs(),
     *   computed once, when the client is created), else no deadline; pass
     *   `null` for no deadline.
     * - `persistent` (bool, default **true** here, false in C/Rust): clients
     *   with the same login, secret and options share one connection pool
     *   kept by libjustclick for the life of the worker process, so the next
     *   FPM request reuses this request's TLS connection (at most 16 pools
     *   per process; the secret is kept once, in the library); on the pure
     *   engine the connection is kept for the rest of the request (FPM) or
     *   process (CLI), as PHP frees all else when a request ends;
     * - `idle_timeout_ms` (int, default 30000): idle connections are not
     *   reused after this.
     *
     * Integer options (names ending in `_ms`, `_bytes`, `_retries`) also take
     * strings of digits ("30000", as read from the environment); anything
     * else for them (1.5, "30s", "") is refused.
     *
     * Options of the FFI engine (how libjustclick is found, see {@see Library};
     * with any of them `auto` means `ffi`, and `php` refuses them):
     * - `lib` (string): path of libjustclick.so, loaded with FFI::cdef;
     * - `header` (string): path of justclick_php.h for `lib`;
     * - `scope` (string): use this preloaded FFI scope (opcache.preload);
     * - `ffi` (\FFI): an instance you loaded yourself (FFI::load, FFI::scope).
     *
     * Without `lib`, `scope` or `ffi`, the preloaded scope JUSTCLICK is used
     * when it exists (PHP-FPM with preload.php), else the library from
     * JUSTCLICK_LIB, else the repository's release build.
     *
     * @param string               $login   the account login
     * @param string               $secret  the API key (never printed; the FFI engine leaves it to the
     *                                      library, the pure engine keeps it outside every object's properties)
     * @param array<string, mixed> $options see above
     *
     * @throws InvalidArgumentException for a bad login, secret or option
     * @throws LibraryException         when libjustclick cannot be loaded and the engine is `ffi`
     */
    public function __construct(
        string $login,
        #[\SensitiveParameter] string $secret,
        #[\SensitiveParameter] array $options = []
    ) {
        self::noNul($login, 'login');
        self::noNul($secret, 'secret');
        $engine = $options['engine'] ?? 'auto';
        if (!in_array($engine, self::ENGINES, true)) {
            throw new InvalidArgumentException(sprintf(
                'option "engine" must be one of %s, got %s',
                implode(', ', self::ENGINES),
                is_string($engine) ? '"' . substr($engine, 0, 40) . '"' : get_debug_type($engine)
            ));
        }
        unset($options['engine']);
        $ffiOptions = self::ffiOptions($options);
        $native = self::integerOptions(array_diff_key($options, array_flip(FfiEngine::PHP_OPTIONS)));
        foreach ($native as $name => $value) {
            if (is_string($value)) {
                self::noNul($value, "option \"$name\"");
            }
        }
        // PHP's default: every FPM request builds a new Client, and only the
        // engine's pool outlives it (see `persistent` above).
        $native += ['persistent' => true];
        if (!array_key_exists('batch_timeout_ms', $native)) {
            // A blocking call cannot be interrupted by max_execution_time:
            // make batches end by then instead.
            $remaining = self::remainingExecutionMs();
            if ($remaining !== null) {
                $native['batch_timeout_ms'] = $remaining;
            }
        }
        if ($engine === 'auto') {
            // Options that say how to load the library ask for FFI: a failure
            // to load it is then the caller's to see, not a silent fallback.
            $engine = $ffiOptions !== [] || FfiEngine::available() ? 'ffi' : 'php';
        }
        if ($engine === 'php' && $ffiOptions !== []) {
            throw new InvalidArgumentException(sprintf(
                'option "%s" says how to load libjustclick, which the engine "php" does not use; '
                . 'drop it, or choose the engine "ffi" or "auto"',
                array_key_first($ffiOptions)
            ));
        }
        $this->engine = $engine === 'ffi'
            ? new FfiEngine($login, $secret, $native, $ffiOptions)
            : new PureEngine($login, $secret, $native);
        $this->login = $login;
    }

    /**
     * The script's remaining max_execution_time in milliseconds (the ini
     * value minus the time since the request started, at least 1, at most
     * one day), or null when max_execution_time is 0 (unlimited, the CLI
     * default). The default of the `batch_timeout_ms` option.
     */
    public static function remainingExecutionMs(): ?int
    {
        $limit = (int) ini_get('max_execution_time');
        if ($limit <= 0) {
            return null;
        }
        $start = $_SERVER['REQUEST_TIME_FLOAT'] ?? null;
        $elapsed = is_float($start) ? max(0.0, microtime(true) - $start) : 0.0;
        return (int) min(86_400_000, max(1, floor(($limit - $elapsed) * 1000)));
    }

    /**
     * Frees the engine: the native client (its connections and the secret
     * are kept by the library when persistent, the default) or the pure
     * engine's secret. Any call afterwards throws \LogicException.
     */
    public function __destruct()
    {
        $this->engine->close();
    }

    /**
     * Forbidden: a clone would share (and free twice) the engine's handles.
     */
    private function __clone()
    {
    }

    /**
     * Forbidden: a native handle cannot be serialized.
     *
     * @return array<string, mixed>
     *
     * @throws \LogicException always
     */
    public function __serialize(): array
    {
        throw new \LogicException('a JustClick\Client cannot be serialized; create a new one instead');
    }

    /**
     * Forbidden: a native handle cannot be unserialized.
     *
     * @param array<string, mixed> $data ignored
     *
     * @throws \LogicException always
     */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('a JustClick\Client cannot be unserialized; create a new one instead');
    }

    /**
     * What var_dump() and print_r() show (never the secret: the FFI engine
     * leaves it to the library, the pure engine keeps it outside every
     * object's properties, so var_export() cannot show it either).
     *
     * @return array<string, string>
     */
    public function __debugInfo(): array
    {
        return ['login' => $this->login, 'engine' => $this->engine->name(), 'library' => $this->engine->library()];
    }

    /**
     * {@inheritDoc}
     */
    public function deleteOrder(int|string $billId): string
    {
        return $this->engine->deleteOrder(self::id($billId, 'billId'))['error_text'];
    }

    /**
     * {@inheritDoc}
     */
    public function updateOrderStatus(
        int|string $billId,
        string $status,
        ?int $date = null,
        int|string|null $rpo = null
    ): string {
        $billId = self::id($billId, 'billId');
        self::noNul($status, 'status');
        if ($rpo !== null) {
            $rpo = self::id($rpo, 'rpo');
        }
        if ($date !== null && $date <= 0) {
            throw new InvalidArgumentException("date must be a positive UNIX timestamp, got $date");
        }
        return $this->engine->updateOrderStatus($billId, $status, $date ?? 0, $rpo)['error_text'];
    }

    /**
     * {@inheritDoc}
     */
    public function getBills(string $email, ?string $payStatus = null): array
    {
        self::noNul($email, 'email');
        if ($payStatus !== null) {
            self::noNul($payStatus, 'payStatus');
        }
        $result = $this->engine->getBills($email, $payStatus)['result'];
        if (!is_array($result)) {
            throw new BadResponseException('GetBills returned no list of orders');
        }
        return $result;
    }

    /**
     * {@inheritDoc}
     */
    public function updateGood(array $good): string
    {
        return $this->engine->updateGood($good)['error_text'];
    }

    // generated:begin methods (tests/generated.rs; make header)

    /**
     * {@inheritDoc}
     */
    public function addLeadToGroup(
        array $params = [],
        array|string|null $rid = null,
        ?string $leadEmail = null,
        ?string $leadName = null,
        ?string $leadPhone = null,
        ?string $leadCity = null,
        ?string $tag = null
    ): array {
        $params = self::named($params, [
            'rid' => $rid,
            'lead_email' => $leadEmail,
            'lead_name' => $leadName,
            'lead_phone' => $leadPhone,
            'lead_city' => $leadCity,
            'tag' => $tag,
        ]);
        $doc = $this->method('add_lead_to_group', $params);
        return [
            'error_text' => $doc['error_text'],
            'alreadyRegistered' => ($doc['outcome'] ?? null) === 'already_registered',
            'outcome' => $doc['outcome'] ?? null,
        ];
    }

    /**
     * {@inheritDoc}
     */
    public function updateSubscriberData(array $params): string
    {
        return $this->method('update_subscriber_data', $params)['error_text'];
    }

    /**
     * {@inheritDoc}
     */
    public function deleteSubscribe(array $params): string
    {
        return $this->method('delete_subscribe', $params)['error_text'];
    }

    /**
     * {@inheritDoc}
     */
    public function getLeadGroupStatuses(array $params): array
    {
        return self::arrayResult($this->method('get_lead_group_statuses', $params), 'GetLeadGroupStatuses');
    }

    /**
     * {@inheritDoc}
     */
    public function getLeadGroups(array $params): array
    {
        return self::arrayResult($this->method('get_lead_groups', $params), 'GetLeadGroups');
    }

    /**
     * {@inheritDoc}
     */
    public function getAllGroups(array $params = []): array
    {
        return self::arrayResult($this->method('get_all_groups', $params), 'GetAllGroups');
    }

    /**
     * {@inheritDoc}
     */
    public function getCountSubscribe(array $params): int
    {
        $count = $this->method('get_count_subscribe', $params)['result'] ?? null;
        if (is_string($count) && preg_match('/^[0-9]+$/D', $count) === 1) {
            $count = (int) $count;
        }
        if (!is_int($count)) {
            throw new BadResponseException('GetCountSubscribe returned no number');
        }
        return $count;
    }

    /**
     * {@inheritDoc}
     */
    public function createOrder(
        array $params = [],
        ?array $goods = null,
        ?string $billEmail = null,
        ?string $billFirstName = null,
        ?string $billPhone = null
    ): array {
        $params = self::named($params, [
            'goods' => $goods,
            'bill_email' => $billEmail,
            'bill_first_name' => $billFirstName,
            'bill_phone' => $billPhone,
        ]);
        $doc = $this->method('create_order', $params);
        $billId = $doc['result']['bill_id'] ?? null;
        if (is_int($billId)) {
            $billId = (string) $billId;
        }
        if (!is_string($billId) || $billId === '') {
            throw new BadResponseException('CreateOrder returned no bill_id');
        }
        return ['bill_id' => $billId, 'alreadyExisted' => ($doc['outcome'] ?? null) === 'already_exists'];
    }

    /**
     * {@inheritDoc}
     */
    public function getOrderDetails(
        array $params = [],
        int|string|null $billId = null,
        ?bool $goodInfo = null
    ): array {
        $params = self::named($params, [
            'bill_id' => $billId,
            'good_info' => $goodInfo,
        ]);
        return self::arrayResult($this->method('get_order_details', $params), 'getOrderDetails');
    }

    /**
     * {@inheritDoc}
     */
    public function getOrderInfo(array $params): array
    {
        return self::arrayResult($this->method('get_order_info', $params), 'GetOrderInfo');
    }

    /**
     * {@inheritDoc}
     */
    public function getOrdersWithGoods(array $params = []): array
    {
        return self::arrayResult($this->method('get_orders_with_goods', $params), 'getOrdersWithGoods');
    }

    /**
     * {@inheritDoc}
     */
    public function getOrders(array $params = []): array
    {
        return self::arrayResult($this->method('get_orders', $params), 'GetOrders');
    }

    /**
     * {@inheritDoc}
     */
    public function addGood(array $params): string
    {
        return $this->method('add_good', $params)['error_text'];
    }

    /**
     * {@inheritDoc}
     */
    public function deleteGood(array $params): string
    {
        return $this->method('delete_good', $params)['error_text'];
    }

    /**
     * {@inheritDoc}
     */
    public function getAllGoods(array $params = []): array
    {
        return self::arrayResult($this->method('get_all_goods', $params), 'GetAllGoods');
    }

    /**
     * {@inheritDoc}
     */
    public function getPartnerStats(array $params): array
    {
        return self::arrayResult($this->method('get_partner_stats', $params), 'GetPartnerStats');
    }

    // generated:end

    /**
     * {@inheritDoc}
     */
    public function verifyNotification(string $body): Notification
    {
        return Notification::fromDocument($this->engine->verifyNotification($body));
    }

    /**
     * {@inheritDoc}
     */
    public function call(string $method, array $params = []): mixed
    {
        self::noNul($method, 'method');
        return $this->engine->call($method, $params)['result'];
    }

    /**
     * {@inheritDoc}
     */
    public function callBatch(array $calls, int $concurrency = 8): array
    {
        if ($concurrency < 1 || $concurrency > 0xFFFFFFFF) {
            throw new InvalidArgumentException("concurrency must be between 1 and 64, got $concurrency");
        }
        if ($calls === []) {
            return [];
        }
        $list = [];
        foreach ($calls as $key => $call) {
            $list[] = self::batchItem($key, $call);
        }
        $outcomes = $this->engine->batch($list, $concurrency);
        $out = [];
        $i = 0;
        foreach ($calls as $key => $_) {
            $outcome = $outcomes[$i++];
            $out[$key] = is_array($outcome) ? ($outcome['result'] ?? null) : $outcome;
        }
        return $out;
    }

    /**
     * {@inheritDoc}
     */
    public function libraryVersion(): string
    {
        return $this->engine->libraryVersion();
    }

    /**
     * {@inheritDoc}
     */
    public function library(): string
    {
        return $this->engine->library();
    }

    /**
     * {@inheritDoc}
     */
    public function engine(): string
    {
        return $this->engine->name();
    }

    /**
     * Runs the table method `$snake` and returns the success document.
     *
     * @param array<array-key, mixed> $params
     *
     * @return array<array-key, mixed>
     */
    private function method(string $snake, array $params): array
    {
        return $this->engine->method($snake, $params);
    }

    /**
     * `$params` with the named arguments that were given (not null) in
     * front, under their documented names; a name given both ways is
     * refused rather than one silently winning.
     *
     * @param array<array-key, mixed> $params
     * @param array<string, mixed>    $named documented name => named argument
     *
     * @return array<array-key, mixed>
     */
    private static function named(array $params, array $named): array
    {
        $out = [];
        foreach ($named as $name => $value) {
            if ($value === null) {
                continue;
            }
            if (array_key_exists($name, $params)) {
                throw new InvalidArgumentException("parameter $name is given both in \$params and as a named argument");
            }
            $out[$name] = $value;
        }
        return $out + $params;
    }

    /**
     * The `result` of a success document as an array ([] for none).
     *
     * @param array<array-key, mixed> $doc
     *
     * @return array<array-key, mixed>
     */
    private static function arrayResult(array $doc, string $method): array
    {
        $result = $doc['result'] ?? [];
        if (!is_array($result)) {
            throw new BadResponseException("$method returned a result that is not a list or an object");
        }
        return $result;
    }

    /**
     * The options that say how to load libjustclick (see {@see FfiEngine}),
     * checked; null values mean "not given".
     *
     * @param array<string, mixed> $options
     *
     * @return array<string, mixed>
     */
    private static function ffiOptions(array $options): array
    {
        $options = array_filter(
            array_intersect_key($options, array_flip(FfiEngine::PHP_OPTIONS)),
            static fn ($v) => $v !== null
        );
        foreach (['lib', 'header', 'scope'] as $name) {
            if (array_key_exists($name, $options) && !is_string($options[$name])) {
                throw new InvalidArgumentException("option \"$name\" must be a string");
            }
        }
        if (array_key_exists('ffi', $options) && !$options['ffi'] instanceof \FFI) {
            throw new InvalidArgumentException('option "ffi" must be an \\FFI instance');
        }
        $given = array_intersect(['lib', 'scope', 'ffi'], array_keys($options));
        if (count($given) > 1) {
            throw new InvalidArgumentException(
                'give at most one of the options "lib", "scope" and "ffi", got ' . implode(', ', $given)
            );
        }
        if (isset($options['header']) && (isset($options['scope']) || isset($options['ffi']))) {
            throw new InvalidArgumentException('option "header" only applies with "lib" or the default lookup');
        }
        foreach ($options as $name => $value) {
            if (is_string($value)) {
                self::noNul($value, "option \"$name\"");
            }
        }
        return $options;
    }

    /**
     * One element of a batch in the library's form.
     *
     * @return array{method: string, params: array<array-key, mixed>, idempotent?: bool}
     */
    private static function batchItem(int|string $key, mixed $call): array
    {
        if (!is_array($call)) {
            throw new InvalidArgumentException("calls[$key] must be an array with a \"method\"");
        }
        $unknown = array_diff(array_keys($call), ['method', 'params', 'idempotent']);
        if ($unknown !== []) {
            throw new InvalidArgumentException(
                "calls[$key] has unknown keys: " . implode(', ', $unknown) . ' (allowed: method, params, idempotent)'
            );
        }
        if (!is_string($call['method'] ?? null)) {
            throw new InvalidArgumentException("calls[$key][\"method\"] must be a string");
        }
        self::noNul($call['method'], "calls[$key][\"method\"]");
        $params = $call['params'] ?? [];
        if (!is_array($params)) {
            throw new InvalidArgumentException("calls[$key][\"params\"] must be an array");
        }
        $item = ['method' => $call['method'], 'params' => $params];
        if (array_key_exists('idempotent', $call)) {
            if (!is_bool($call['idempotent'])) {
                throw new InvalidArgumentException("calls[$key][\"idempotent\"] must be a bool");
            }
            $item['idempotent'] = $call['idempotent'];
        }
        return $item;
    }

    /**
     * The options with integer ones given as strings of digits turned into
     * ints; any other value for them (a float, a bool, "30s", "") refused.
     *
     * @param array<array-key, mixed> $options
     *
     * @return array<array-key, mixed>
     */
    private static function integerOptions(array $options): array
    {
        foreach ($options as $name => $value) {
            $integer = false;
            foreach (self::INTEGER_OPTION_SUFFIXES as $suffix) {
                $integer = $integer || str_ends_with((string) $name, $suffix);
            }
            if (!$integer || $value === null || is_int($value)) {
                continue;
            }
            $int = is_string($value) && preg_match('/^-?[0-9]+$/D', $value) === 1
                ? filter_var($value, FILTER_VALIDATE_INT)
                : false;
            if ($int === false) {
                $shown = is_string($value)
                    ? '"' . (strlen($value) > 40 ? substr($value, 0, 40) . '...' : $value) . '"'
                    : get_debug_type($value);
                throw new InvalidArgumentException(
                    sprintf('option "%s" must be an integer or a string of digits, got %s', $name, $shown)
                );
            }
            $options[$name] = $int;
        }
        return $options;
    }

    /**
     * An order number (or tracking number): frameworks hand them over as int
     * or string; both are sent as the same digits.
     */
    private static function id(int|string $value, string $name): string
    {
        if (is_int($value)) {
            if ($value < 0) {
                throw new InvalidArgumentException("$name must not be negative, got $value");
            }
            return (string) $value;
        }
        self::noNul($value, $name);
        return $value;
    }

    /**
     * A NUL byte would silently cut the string in C ("1111\0junk" would
     * become order 1111), so it is refused.
     */
    private static function noNul(string $value, string $name): void
    {
        if (str_contains($value, "\0")) {
            throw new InvalidArgumentException("$name contains a NUL byte");
        }
    }
}
