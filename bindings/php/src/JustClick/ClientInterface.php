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

    // generated:begin methods (tests/generated.rs; make header)

    /**
     * AddLeadToGroup: adds a contact to one or more groups, like a
     * subscription form.
     *
     * Give the documented parameters as `$params`, as named arguments
     * (`addLeadToGroup(rid: ..., leadEmail: ...)`), or both (a name given
     * twice is refused). Required: `rid` (a list of names or ids; one is
     * accepted) and `lead_email`; optional `lead_name`, `lead_phone`,
     * `lead_city`, `tag`, `doneurl2`, `activation`, `utm` (an object of UTM
     * tags), `aff`, `ad`, `noaff`.
     *
     * @param array<string, mixed> $params documented names => values
     * @param string|list<string>|null $rid `rid`
     * @param string|null $leadEmail `lead_email`
     * @param string|null $leadName `lead_name`
     * @param string|null $leadPhone `lead_phone`
     * @param string|null $leadCity `lead_city`
     * @param string|null $tag `tag`
     *
     * @return array{error_text: string, alreadyRegistered: bool, outcome: string|null}
     *         alreadyRegistered: the contact was in every group already (nothing changed); outcome:
     *         null for a subscription, 'already_registered', or 'unknown' when the service answered
     *         code 0 with a text the library does not know (error_text holds it; it proves no
     *         subscription: confirm with getLeadGroupStatuses)
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ApiException             e.g. 103 when no given group exists or may be subscribed to
     * @throws ExceptionInterface       any other failure
     */
    public function addLeadToGroup(
        array $params = [],
        array|string|null $rid = null,
        ?string $leadEmail = null,
        ?string $leadName = null,
        ?string $leadPhone = null,
        ?string $leadCity = null,
        ?string $tag = null
    ): array;

    /**
     * UpdateSubscriberData: replaces the name, phone, city or tags of a
     * contact found by e-mail.
     *
     * Required: `lead_email`; optional `lead_name`, `lead_phone`,
     * `lead_city`, `lead_tags`.
     *
     * @param array{lead_email: string, lead_name?: string, lead_phone?: string, lead_city?: string, lead_tags?: string} $params
     *
     * @return string the service's confirmation (error_text)
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function updateSubscriberData(array $params): string;

    /**
     * DeleteSubscribe: unsubscribes a contact from a group (or a list of
     * groups).
     *
     * Required: `lead_email` and `rass_name` (one name or id, or a list of
     * them).
     *
     * @param array{lead_email: string, rass_name: string|list<string>} $params
     *
     * @return string the service's confirmation (error_text)
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function deleteSubscribe(array $params): string;

    /**
     * GetLeadGroupStatuses: lists a contact's groups with its status in each
     * and the subscription time.
     *
     * Required: `email`.
     *
     * @param array{email: string} $params
     *
     * @return list<array{rass_name: string, rass_title: string, rass_status: string,
     *         subscription_time?: int|string}>
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getLeadGroupStatuses(array $params): array;

    /**
     * GetLeadGroups (deprecated): lists a contact's groups (use
     * GetLeadGroupStatuses).
     *
     * Required: `email`.
     *
     * @param array{email: string} $params
     *
     * @return list<array{rass_name: string, rass_title: string, rass_id?: string}>
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getLeadGroups(array $params): array;

    /**
     * GetAllGroups: lists every group of the account that can be subscribed
     * to.
     *
     * No parameters: `$params` may be empty.
     *
     * @param array<string, mixed> $params none are documented
     *
     * @return list<array{rass_name: string, rass_title: string, rass_id?: string}>
     *
     * @throws InvalidArgumentException for any parameter (none are documented; no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getAllGroups(array $params = []): array;

    /**
     * GetCountSubscribe: counts the contacts of a group (or `unique` / `all`
     * of the account).
     *
     * Required: `group_name`.
     *
     * @param array{group_name: string} $params
     *
     * @return int the number of contacts
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws BadResponseException     when the answer lacks what the method returns
     * @throws ExceptionInterface       any other failure
     */
    public function getCountSubscribe(array $params): int;

    /**
     * CreateOrder: creates an order of existing products for one customer.
     *
     * Give the documented parameters as `$params`, as named arguments
     * (`createOrder(goods: ..., billEmail: ...)`), or both (a name given
     * twice is refused). Required: `goods` (a non-empty list of
     * `{"good_name":...,"good_sum":...}`) and `bill_email`; optional
     * `bill_first_name`, `bill_surname`, `bill_otchestvo`, `bill_phone`,
     * `bill_country`, `bill_region`, `bill_city`, `bill_address`,
     * `bill_postal_code`, `bill_kupon`, `bill_tag`, `bill_comment`,
     * `bill_ip`, `bill_timer_kill` (a boolean or UNIX seconds),
     * `bill_created` (UNIX seconds), `bill_domain`, `utm` (an object of UTM
     * tags), `bill_aff`, `bill_aff_name`, `bill_paff`, `bill_paff_name`,
     * `bill_ad_id`.
     *
     * @param array<string, mixed> $params documented names => values
     * @param list<array{good_name: string, good_sum?: int|float|string}>|null $goods `goods`
     * @param string|null $billEmail `bill_email`
     * @param string|null $billFirstName `bill_first_name`
     * @param string|null $billPhone `bill_phone`
     *
     * @return array{bill_id: string, alreadyExisted: bool} alreadyExisted: the identical order
     *         existed already (the service's code 601) and bill_id is that order
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws BadResponseException     when the answer lacks what the method returns
     * @throws ExceptionInterface       any other failure
     */
    public function createOrder(
        array $params = [],
        ?array $goods = null,
        ?string $billEmail = null,
        ?string $billFirstName = null,
        ?string $billPhone = null
    ): array;

    /**
     * getOrderDetails: returns one order with its lines, partners and payment
     * link.
     *
     * Give the documented parameters as `$params`, as named arguments
     * (`getOrderDetails(billId: ..., goodInfo: ...)`), or both (a name given
     * twice is refused). Required: `bill_id`; optional `good_info`.
     *
     * @param array<string, mixed> $params documented names => values
     * @param int|string|null $billId `bill_id`
     * @param bool|null $goodInfo `good_info`
     *
     * @return array<string, mixed> the order: `id`, `email`, `pay_status`, `items` (each with
     *         `good_name`, `good_sum`, ...), partners and the payment link
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getOrderDetails(
        array $params = [],
        int|string|null $billId = null,
        ?bool $goodInfo = null
    ): array;

    /**
     * GetOrderInfo (deprecated): returns one order as a one-element list (use
     * getOrderDetails).
     *
     * Required: `bill_id`; optional `good_info`.
     *
     * @param array{bill_id: int|string, good_info?: bool} $params
     *
     * @return list<array<string, mixed>> the orders, in creation order
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getOrderInfo(array $params): array;

    /**
     * getOrdersWithGoods: lists the orders created in a date range, with
     * lines and partners (any range: split by the library).
     *
     * Optional `begin_date` (dd.mm.yyyy), `end_date` (dd.mm.yyyy), `paid`,
     * `goods` (one name or id, or a list of them); `$params` may be empty.
     *
     * @param array{begin_date?: string, end_date?: string, paid?: bool, goods?: string|list<string>} $params
     *
     * @return list<array<string, mixed>> the orders, in creation order
     *
     * @throws InvalidArgumentException for unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getOrdersWithGoods(array $params = []): array;

    /**
     * GetOrders (deprecated): lists the orders created or paid in a range
     * (use getOrdersWithGoods).
     *
     * Optional `date_s` (UNIX seconds), `date_e` (UNIX seconds), `paid`,
     * `goods` (one name or id, or a list of them); `$params` may be empty.
     *
     * @param array{date_s?: int, date_e?: int, paid?: bool, goods?: string|list<string>} $params
     *
     * @return list<array<string, mixed>> the orders, in creation order
     *
     * @throws InvalidArgumentException for unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getOrders(array $params = []): array;

    /**
     * AddGood: creates a product (every UpdateGood field is accepted too).
     *
     * Required: `good_name`, `good_type` (one of `1`, `0`), `good_title` and
     * `good_sum`. Every UpdateGood field is accepted too.
     *
     * @param array<string, mixed> $params
     *
     * @return string the service's confirmation (error_text)
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function addGood(array $params): string;

    /**
     * DeleteGood: deletes a product.
     *
     * Required: `good_name`.
     *
     * @param array{good_name: string} $params
     *
     * @return string the service's confirmation (error_text)
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function deleteGood(array $params): string;

    /**
     * GetAllGoods: lists every product of the shop.
     *
     * No parameters: `$params` may be empty.
     *
     * @param array<string, mixed> $params none are documented
     *
     * @return list<array{good_name: string, good_title: string, good_id?: string, good_type?:
     *         int|string, good_sum?: int|float|string}>
     *
     * @throws InvalidArgumentException for any parameter (none are documented; no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getAllGoods(array $params = []): array;

    /**
     * GetPartnerStats: returns an affiliate partner's earnings, clicks, leads
     * and sales.
     *
     * Required: `partner`; optional `date_from` (YYYY-MM-DD), `date_to`
     * (YYYY-MM-DD).
     *
     * @param array{partner: string, date_from?: string, date_to?: string} $params
     *
     * @return array<string, mixed> `earned_total`, `topay_total`, `clicks_total`, `leads_total`,
     *         `sales_total` and the rest the service sends
     *
     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)
     * @throws ExceptionInterface       any other failure
     */
    public function getPartnerStats(array $params): array;

    // generated:end

    /**
     * Verifies a notification the service posted to the shop:
     * `$jc->verifyNotification(file_get_contents('php://input'))`.
     *
     * The raw body is parsed as PHP fills `$_POST`, the event recognised
     * and, for order events, `hash` checked in constant time against this
     * client's secret. No network traffic.
     *
     * @param string $body the raw request body (any bytes)
     *
     * @return Notification the event and its fields; `verified` is false only for the
     *         subscription events, which carry no hash
     *
     * @throws BadSignatureException    a missing or wrong `hash` on an order event: reject it (403)
     * @throws InvalidArgumentException a body that is no JustClick notification
     * @throws ExceptionInterface       any other failure
     */
    public function verifyNotification(string $body): Notification;

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
     * The version of the loaded libjustclick (the FFI engine) or of this
     * package (the pure-PHP engine, which is built from the same table).
     *
     * @return string e.g. "0.1.0"
     */
    public function libraryVersion(): string;

    /**
     * How libjustclick was loaded, or where the pure-PHP engine's code is.
     *
     * @return string e.g. `FFI::cdef(/path/libjustclick.so)`, `FFI::scope(JUSTCLICK)` or `pure PHP (/path/src/JustClick)`
     */
    public function library(): string;

    /**
     * Which engine serves this client: `ffi` (libjustclick through PHP FFI)
     * or `php` (the pure-PHP engine). Both behave the same; see the
     * constructor's `engine` option.
     *
     * @return string `ffi` or `php`
     */
    public function engine(): string;
}
