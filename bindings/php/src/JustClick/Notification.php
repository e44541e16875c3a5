<?php

declare(strict_types=1);

namespace JustClick;

/**
 * A notification the service posted to the shop, verified by
 * {@see ClientInterface::verifyNotification()}.
 *
 * `event` is one of `new_order`, `cancel_order`, `payment`, `prepayment`,
 * `moneyback`, `subscribe`, `unsubscribe`. `verified` is true when the
 * `hash` matched the client's secret; it is false only for the
 * subscription events, which carry no hash (treat them as hints and
 * confirm with getLeadGroupStatuses()). `hashRule` says which documented
 * variant matched (`documented` or `empty_time`), null when not verified.
 * `fields` is the body as PHP's `$_POST` would hold it, without `hash`.
 *
 * Only `id`, `email` and the time field are signed: read sums and lines
 * from getOrderDetails() before acting on them. Plain, immutable data.
 */
final class Notification
{
    /**
     * @param array<string, mixed> $fields
     */
    public function __construct(
        public readonly string $event,
        public readonly bool $verified,
        public readonly ?string $hashRule,
        public readonly array $fields
    ) {
    }

    /**
     * Builds it from the document jc_verify_notification() writes.
     *
     * @param array<array-key, mixed> $doc
     *
     * @throws BadResponseException when the document lacks a field
     */
    public static function fromDocument(array $doc): self
    {
        $fields = $doc['fields'] ?? null;
        // json_decode gives [] for an empty object.
        if (!is_string($doc['event'] ?? null) || !is_bool($doc['verified'] ?? null) || !is_array($fields)) {
            throw new BadResponseException('jc_verify_notification returned an incomplete document');
        }
        $rule = $doc['hash_rule'] ?? null;
        /** @var array<string, mixed> $fields */
        return new self($doc['event'], $doc['verified'], is_string($rule) ? $rule : null, $fields);
    }

    /** A top-level field as text; null when absent or an array. */
    public function field(string $name): ?string
    {
        $v = $this->fields[$name] ?? null;
        return is_string($v) ? $v : null;
    }

    /** The order number (`id`) of an order event. */
    public function id(): ?string
    {
        return $this->field('id');
    }

    /** The customer's or subscriber's e-mail. */
    public function email(): ?string
    {
        return $this->field('email');
    }

    /** Payment time, UNIX seconds (`paid`), when sent. */
    public function paid(): ?int
    {
        return self::int($this->field('paid'));
    }

    /** Order creation time, UNIX seconds (`created`), when sent. */
    public function created(): ?int
    {
        return self::int($this->field('created'));
    }

    /**
     * The order lines (`items`), in the order sent: each an array of
     * strings such as `id`, `title`, `sum`, `price`, `pincode`, and
     * `partners` (a list of arrays). Not signed.
     *
     * @return list<array<array-key, mixed>>
     */
    public function items(): array
    {
        $items = $this->fields['items'] ?? [];
        return is_array($items) ? array_values(array_filter($items, 'is_array')) : [];
    }

    /**
     * The UTM tags (`utm[medium]`, ...), [] when none.
     *
     * @return array<string, string>
     */
    public function utm(): array
    {
        $utm = $this->fields['utm'] ?? [];
        return is_array($utm) ? array_filter($utm, 'is_string') : [];
    }

    private static function int(?string $v): ?int
    {
        return $v !== null && preg_match('/^[0-9]+$/D', $v) === 1 ? (int) $v : null;
    }
}
