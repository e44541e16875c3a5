<?php

declare(strict_types=1);

namespace JustClick;

use FFI;
use FFI\CData;

/**
 * A JustClick API client over libjustclick (PHP FFI).
 *
 * ```php
 * $jc = new \JustClick\Client('username', getenv('JUSTCLICK_SECRET'));
 * try {
 *     echo $jc->deleteOrder('1111');              // "Заказ удален"
 *     $bills = $jc->getBills('client@example.com', 'paid');
 * } catch (\JustClick\ApiException $e) {          // the service said no
 *     echo $e->getCode(), ' ', $e->getMessage();   // 200 Заказ не существует
 * } catch (\JustClick\Exception $e) {             // anything else
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
 * the service sent none. Every failure is an exception implementing
 * {@see Exception}. Wrong values raise {@see InvalidArgumentException}
 * before any network traffic; arguments of the wrong PHP type are PHP's own
 * \TypeError: `null` for a non-nullable parameter always, other types when
 * the calling file declares strict_types=1 (otherwise PHP converts as usual,
 * e.g. the seeds' int order number 1111 to "1111").
 *
 * Strings must be UTF-8 (convert windows-1251 data with mb_convert_encoding
 * first). A string argument or option containing a NUL byte is refused with
 * InvalidArgumentException, because C would silently cut it there
 * ("1111\0junk" would delete order 1111); strings inside `$params` and
 * `$good` travel as JSON, are never cut and are sent with the NUL as %00.
 * A call blocks for at most the `timeout_ms` option; PHP's
 * max_execution_time does not interrupt it.
 *
 * The client cannot be cloned or serialized (it owns a native handle).
 */
final class Client
{
    /** Options handled in PHP; all others go to jc_client_new(). */
    private const PHP_OPTIONS = ['lib', 'header', 'scope', 'ffi'];

    /** Flags for every JSON sent to the library. */
    private const JSON_OUT = JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES;

    /** Nesting accepted in answers (the library itself stops at 128). */
    private const JSON_DEPTH = 1024;

    private FFI $ffi;

    /** @var CData|null the jc_client*; null once freed or if construction failed */
    private ?CData $handle = null;

    private string $login;

    private string $library;

    /**
     * Creates a client for account `$login` (also its third-level domain,
     * `https://{login}.justclick.ru`) with API key `$secret`. No network I/O.
     *
     * Options handled by libjustclick (unknown keys are rejected):
     * - `base_url` (string): replaces `https://{login}.justclick.ru`, e.g.
     *   the local sandbox `http://127.0.0.1:8089`;
     * - `timeout_ms` (int, default 30000): overall limit per call;
     * - `connect_timeout_ms` (int, default 10000);
     * - `ca_file` (string): PEM file of CAs added to the bundled roots
     *   (verification cannot be turned off);
     * - `proxy` (string): proxy URL, `""` for a direct connection; default:
     *   the HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY environment;
     * - `user_agent` (string), `max_response_bytes` (int, default 8 MiB);
     * - `rate_limit_retries` (int, default 3) and `rate_limit_backoff_ms`
     *   (int, default 250): retries of API error 8 in callBatch().
     *
     * Options handled here (how libjustclick is found, see {@see Library}):
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
     * @param string               $secret  the API key (never stored in PHP, never printed)
     * @param array<string, mixed> $options see above
     *
     * @throws InvalidArgumentException for a bad login, secret or option
     * @throws LibraryException         when libjustclick cannot be loaded
     */
    public function __construct(
        string $login,
        #[\SensitiveParameter] string $secret,
        #[\SensitiveParameter] array $options = []
    ) {
        self::noNul($login, 'login');
        self::noNul($secret, 'secret');
        [$this->ffi, $this->library] = self::openLibrary($options);
        $native = array_diff_key($options, array_flip(self::PHP_OPTIONS));
        $json = $native === [] ? null : self::encode((object) $native, 'options');
        $handle = $this->ffi->new('jc_client*');
        $status = $this->ffi->jc_client_new($login, $secret, $json, FFI::addr($handle));
        if ($status !== 0) {
            throw Outcome::exception([
                'ok' => false,
                'status' => $this->ffi->jc_status_name($status),
                'message' => $this->ffi->jc_last_error_message(),
            ]);
        }
        if (FFI::isNull($handle)) {
            throw new PanicException('jc_client_new succeeded but returned no client');
        }
        $this->handle = $handle;
        $this->login = $login;
    }

    /**
     * Frees the native client (closes its connections, wipes the secret).
     */
    public function __destruct()
    {
        if ($this->handle !== null) {
            $handle = $this->handle;
            $this->handle = null;
            $this->ffi->jc_client_free($handle);
        }
    }

    /**
     * Forbidden: a clone would free the native client a second time.
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
     * What var_dump() and print_r() show (never the secret, which PHP does
     * not hold anyway).
     *
     * @return array<string, string>
     */
    public function __debugInfo(): array
    {
        return ['login' => $this->login ?? '', 'library' => $this->library ?? ''];
    }

    /**
     * DeleteOrder: deletes order `$billId`.
     *
     * @param string $billId the order number, e.g. "1111"
     *
     * @return string the service's confirmation (error_text), e.g. "Заказ удален"
     *
     * @throws ApiException e.g. 200 when the order does not exist
     * @throws Exception    any other failure (see {@see Exception})
     */
    public function deleteOrder(string $billId): string
    {
        self::noNul($billId, 'billId');
        return $this->run('jc_delete_order', [$billId])['error_text'];
    }

    /**
     * UpdateOrderStatus: sets order `$billId` to `$status`.
     *
     * @param string      $billId the order number
     * @param string      $status `sent` (mailed), `paid`, `return` or `cancel`
     * @param int|null    $date   UNIX timestamp of mailing or payment: required for
     *                            `sent` and `paid`; null = not given; must be > 0
     * @param string|null $rpo    postal tracking number: required for `sent`;
     *                            null or "" = not given
     *
     * @return string the service's confirmation (error_text)
     *
     * @throws InvalidArgumentException for an unknown status, a missing date or rpo, a date <= 0
     * @throws ApiException             e.g. 200 when the order does not exist
     * @throws Exception                any other failure
     */
    public function updateOrderStatus(string $billId, string $status, ?int $date = null, ?string $rpo = null): string
    {
        self::noNul($billId, 'billId');
        self::noNul($status, 'status');
        if ($rpo !== null) {
            self::noNul($rpo, 'rpo');
        }
        if ($date !== null && $date <= 0) {
            throw new InvalidArgumentException("date must be a positive UNIX timestamp, got $date");
        }
        return $this->run('jc_update_order_status', [$billId, $status, $date ?? 0, $rpo])['error_text'];
    }

    /**
     * GetBills: the orders of the customer with e-mail `$email`, with the
     * goods in each.
     *
     * @param string      $email     the customer's e-mail (required)
     * @param string|null $payStatus `paid`, `waiting` or `cancel`; null or "" = all orders
     *
     * @return array<array-key, array<array-key, array{good_name: string, good_title: string}>>
     *         bill_id => good_id => ['good_name' => ..., 'good_title' => ...]; numeric
     *         ids become int keys (PHP array semantics)
     *
     * @throws ApiException             400 when the customer has no (matching) orders
     * @throws InvalidArgumentException for a malformed e-mail or pay status
     * @throws Exception                any other failure
     */
    public function getBills(string $email, ?string $payStatus = null): array
    {
        self::noNul($email, 'email');
        if ($payStatus !== null) {
            self::noNul($payStatus, 'payStatus');
        }
        $result = $this->run('jc_get_bills', [$email, $payStatus])['result'];
        if (!is_array($result)) {
            throw new BadResponseException('GetBills returned no list of orders');
        }
        return $result;
    }

    /**
     * UpdateGood: replaces settings of an existing product.
     *
     * `$good` holds `good_name` (required) and any UpdateGood fields
     * (`good_title`, `good_sum`, `good_partner_SL_link`, ...; names are
     * case-sensitive, unknown names are rejected, null means not given).
     * Note: the service stores `good_sum` as 0 when it is not sent. The
     * fields are sent in the API's documented order (good_name, good_title,
     * parent_id, good_sum, ...), whatever the order of `$good`.
     *
     * @param array<string, string|int|float|bool|null> $good the fields
     *
     * @return string the service's confirmation (error_text), e.g. "Продукт обновлен"
     *
     * @throws InvalidArgumentException for unknown fields, wrong types or values
     * @throws Exception                any other failure
     */
    public function updateGood(array $good): string
    {
        return $this->run('jc_update_good', [self::encode((object) $good, 'good')])['error_text'];
    }

    /**
     * Calls any API method (AddLeadToGroup, GetAllGoods, CreateOrder, ...),
     * signed like the others.
     *
     * `$params` is sent in order exactly as PHP's http_build_query() would
     * send it: nested arrays as `key[sub]=...`, lists as `key[0]=...`, null
     * skipped, true/false as 1/0, floats as http_build_query() writes them
     * with the default `precision` of 14 (`1/3` as 0.33333333333333, 1e20
     * as 1.0E+20). Keys PHP would mangle (`.`, space, `[`, `]`, control
     * bytes, empty, array keys starting with `__Host-` or `__Secure-`),
     * `hash` and more than 999 values are rejected. Strings inside `$params`
     * are never cut at a NUL byte (it is sent as %00, like
     * http_build_query).
     *
     * @param string               $method the API method, letters and digits
     * @param array<array-key, mixed> $params the parameters
     *
     * @return mixed the decoded `result` (arrays, not objects), null if none
     *
     * @throws ApiException             the service's error
     * @throws InvalidArgumentException for a bad method name or parameter
     * @throws Exception                any other failure
     */
    public function call(string $method, array $params = []): mixed
    {
        self::noNul($method, 'method');
        $json = $params === [] ? null : self::encode((object) $params, 'params');
        return $this->run('jc_call', [$method, $json])['result'];
    }

    /**
     * Runs many calls with at most `$concurrency` (1..64) in flight over the
     * client's kept-alive connections, and waits for all of them.
     *
     * Each element of `$calls` is `['method' => 'GetBills', 'params' =>
     * [...], 'idempotent' => false]` (`params` and `idempotent` optional).
     * API error 8 (request limit) is retried with backoff (options
     * `rate_limit_retries`, `rate_limit_backoff_ms`) only for DeleteOrder,
     * UpdateOrderStatus, GetBills, UpdateGood and calls marked idempotent.
     *
     * The answer has the same keys as `$calls`, in the same order. Each
     * value is EITHER the call's decoded `result` (as call() returns it:
     * an array, a scalar or null - never an object) OR, when that call
     * failed, the exception object it would have thrown (not thrown here):
     *
     * ```php
     * foreach ($jc->callBatch($calls) as $key => $r) {
     *     if ($r instanceof \JustClick\Exception) { // this call failed
     *         echo "$key: ", get_class($r), ' ', $r->getMessage(), "\n";
     *     } else {                                  // this call succeeded
     *         var_dump($r);
     *     }
     * }
     * ```
     *
     * One failing call never fails the others.
     *
     * @param array<array-key, array{method: string, params?: array<array-key, mixed>, idempotent?: bool}> $calls
     * @param int $concurrency requests in flight at most (1..64)
     *
     * @return array<array-key, mixed|Exception> per call: result, or exception object
     *
     * @throws InvalidArgumentException for a malformed list (the whole batch is refused)
     * @throws Exception                when the batch as a whole could not run
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
        $docs = $this->run('jc_call_batch', [self::encode($list, 'calls'), $concurrency], true);
        if (!array_is_list($docs) || count($docs) !== count($list)) {
            throw new BadResponseException(sprintf(
                'jc_call_batch returned %d outcomes for %d calls',
                count($docs),
                count($list)
            ));
        }
        $out = [];
        $i = 0;
        foreach ($calls as $key => $_) {
            $doc = $docs[$i++];
            $out[$key] = is_array($doc) && ($doc['ok'] ?? false) === true
                ? ($doc['result'] ?? null)
                : Outcome::exception(is_array($doc) ? $doc : []);
        }
        return $out;
    }

    /**
     * The version of the loaded libjustclick, e.g. "0.1.0".
     */
    public function libraryVersion(): string
    {
        return $this->ffi->jc_version();
    }

    /**
     * How libjustclick was loaded, e.g. `FFI::cdef(/path/libjustclick.so)`
     * or `FFI::scope(JUSTCLICK)`.
     */
    public function library(): string
    {
        return $this->library;
    }

    /**
     * Runs one C call that ends with a `char **out_json`, frees the string
     * and returns the success document (or, for a batch, the array of
     * documents).
     *
     * @param string       $function the jc_* function
     * @param list<mixed>  $args     its arguments before out_json
     * @param bool         $batch    the answer is a list of documents
     *
     * @return array<array-key, mixed>
     */
    private function run(string $function, array $args, bool $batch = false): array
    {
        if ($this->handle === null) {
            throw new \LogicException('this JustClick\Client has been freed');
        }
        $out = $this->ffi->new('char*');
        array_unshift($args, $this->handle);
        $args[] = FFI::addr($out);
        $json = null;
        try {
            $status = $this->ffi->$function(...$args);
            if (!FFI::isNull($out)) {
                $json = FFI::string($out);
            }
        } finally {
            if (!FFI::isNull($out)) {
                $this->ffi->jc_string_free($out);
            }
        }
        if ($json === null) {
            throw Outcome::exception([
                'ok' => false,
                'status' => $this->ffi->jc_status_name($status),
                'message' => $this->ffi->jc_last_error_message(),
            ]);
        }
        $doc = Outcome::decode($json);
        if ($batch && $status === 0 && array_is_list($doc)) {
            return $doc;
        }
        if (($doc['ok'] ?? null) !== true || $status !== 0) {
            if (($doc['ok'] ?? null) === true) {
                $doc = [
                    'ok' => false,
                    'status' => 'panic',
                    'message' => "$function returned status $status with a success document",
                ];
            }
            throw Outcome::exception($doc);
        }
        if (!is_string($doc['error_text'] ?? null)) {
            throw new BadResponseException("$function returned a document without error_text");
        }
        return $doc;
    }

    /**
     * @param array<string, mixed> $options
     *
     * @return array{0: FFI, 1: string}
     */
    private static function openLibrary(array $options): array
    {
        // null means "not given", as for the library's own options.
        $options = array_filter(
            array_intersect_key($options, array_flip(self::PHP_OPTIONS)),
            static fn ($v) => $v !== null
        ) + array_diff_key($options, array_flip(self::PHP_OPTIONS));
        foreach (['lib', 'header', 'scope'] as $name) {
            if (array_key_exists($name, $options) && !is_string($options[$name])) {
                throw new InvalidArgumentException("option \"$name\" must be a string");
            }
        }
        if (array_key_exists('ffi', $options) && !$options['ffi'] instanceof FFI) {
            throw new InvalidArgumentException('option "ffi" must be an \FFI instance');
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
        if (isset($options['ffi'])) {
            return [$options['ffi'], 'FFI instance given by the caller'];
        }
        if (isset($options['scope'])) {
            return [Library::fromScope($options['scope']), "FFI::scope({$options['scope']})"];
        }
        if (!isset($options['lib']) && !isset($options['header'])) {
            $scoped = Library::tryScope();
            if ($scoped !== null) {
                return [$scoped, 'FFI::scope(' . Library::SCOPE . ')'];
            }
        }
        $ffi = Library::fromPath($options['lib'] ?? null, $options['header'] ?? null);
        $path = realpath($options['lib'] ?? Library::defaultPath());
        return [$ffi, "FFI::cdef($path)"];
    }

    /**
     * One element of a batch in the library's form.
     *
     * @return array{method: string, params: object, idempotent?: bool}
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
        $item = ['method' => $call['method'], 'params' => (object) $params];
        if (array_key_exists('idempotent', $call)) {
            if (!is_bool($call['idempotent'])) {
                throw new InvalidArgumentException("calls[$key][\"idempotent\"] must be a bool");
            }
            $item['idempotent'] = $call['idempotent'];
        }
        return $item;
    }

    /**
     * JSON for the library; JsonException (invalid UTF-8, INF, NAN, too
     * deep, a resource) becomes InvalidArgumentException.
     */
    private static function encode(mixed $value, string $what): string
    {
        try {
            return json_encode($value, self::JSON_OUT, self::JSON_DEPTH);
        } catch (\JsonException $e) {
            throw new InvalidArgumentException("$what cannot be sent: " . $e->getMessage(), 0, $e);
        }
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
