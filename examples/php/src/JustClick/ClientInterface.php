<?php

declare(strict_types=1);

namespace JustClick;

/**
 * The JustClick API as {@see Client} offers it: type against this interface
 * to replace the client with a mock or a fake in tests
 * (`$this->createMock(\JustClick\ClientInterface::class)`).
 *
 * Every failure is an exception implementing {@see ExceptionInterface};
 * wrong values raise {@see InvalidArgumentException} before any network
 * traffic. Implementations are not meant to be shared between threads.
 */
interface ClientInterface
{
    /**
     * DeleteOrder: deletes order `$billId`.
     *
     * @param int|string $billId the order number, e.g. "1111" or 1111 (an int must be >= 0)
     *
     * @return string the service's confirmation (error_text), e.g. "Заказ удален"
     *
     * @throws ApiException e.g. 200 when the order does not exist
     * @throws ExceptionInterface any other failure (see {@see ExceptionInterface})
     */
    public function deleteOrder(int|string $billId): string;

    /**
     * UpdateOrderStatus: sets order `$billId` to `$status`.
     *
     * @param int|string  $billId the order number (an int must be >= 0)
     * @param string      $status `sent` (mailed), `paid`, `return` or `cancel`
     * @param int|null    $date   UNIX timestamp of mailing or payment: required for
     *                            `sent` and `paid`; null = not given; must be > 0
     * @param int|string|null $rpo postal tracking number: required for `sent`;
     *                            null or "" = not given
     *
     * @return string the service's confirmation (error_text)
     *
     * @throws InvalidArgumentException for an unknown status, a missing date or rpo, a date <= 0
     * @throws ApiException             e.g. 200 when the order does not exist
     * @throws ExceptionInterface       any other failure
     */
    public function updateOrderStatus(
        int|string $billId,
        string $status,
        ?int $date = null,
        int|string|null $rpo = null
    ): string;

    /**
     * GetBills: the orders of the customer with e-mail `$email`, with the
     * goods in each.
     *
     * @param string      $email     the customer's e-mail (required)
     * @param string|null $payStatus `paid`, `waiting` or `cancel`; null or "" = all orders
     *
     * @return array<int|string, array<int|string, array{good_name: string, good_title: string}>>
     *         bill_id => good_id => ['good_name' => ..., 'good_title' => ...]; numeric
     *         ids become int keys (PHP array semantics)
     *
     * @throws ApiException             400 when the customer has no (matching) orders
     * @throws InvalidArgumentException for a malformed e-mail or pay status
     * @throws ExceptionInterface       any other failure
     */
    public function getBills(string $email, ?string $payStatus = null): array;

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
     * @throws ExceptionInterface       any other failure
     */
    public function updateGood(array $good): string;

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
     * @throws ExceptionInterface       any other failure
     */
    public function call(string $method, array $params = []): mixed;

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
     *     if ($r instanceof \JustClick\ExceptionInterface) { // this call failed
     *         echo "$key: ", get_class($r), ' ', $r->getMessage(), "\n";
     *     } else {                                           // this call succeeded
     *         var_dump($r);
     *     }
     * }
     * ```
     *
     * One failing call never fails the others.
     *
     * @template K of array-key
     *
     * @param array<K, array{method: string, params?: array<array-key, mixed>, idempotent?: bool}> $calls
     * @param int $concurrency requests in flight at most (1..64)
     *
     * @return array<K, mixed> per call: its result, or the ExceptionInterface object it would have thrown
     *
     * @throws InvalidArgumentException for a malformed list (the whole batch is refused)
     * @throws ExceptionInterface       when the batch as a whole could not run
     */
    public function callBatch(array $calls, int $concurrency = 8): array;

    /**
     * The version of the loaded libjustclick.
     *
     * @return string e.g. "0.1.0"
     */
    public function libraryVersion(): string;

    /**
     * How libjustclick was loaded.
     *
     * @return string e.g. `FFI::cdef(/path/libjustclick.so)` or `FFI::scope(JUSTCLICK)`
     */
    public function library(): string;
}
