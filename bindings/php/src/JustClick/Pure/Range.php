<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\ApiException;
use JustClick\BadResponseException;
use JustClick\InvalidArgumentException;

/**
 * getOrdersWithGoods over any date range, as the library does it
 * (src/api/range.rs, src/calendar.rs), as pure functions for the pure-PHP
 * engine.
 *
 * The service serves at most a month per call and silently moves the start
 * of a longer range forward, so a range is split into chunks of at most 28
 * days, each starting on the day the previous one ends (every boundary day
 * is asked for twice, whichever way the service reads an end date or a time
 * zone), and the chunks' orders are merged: kept once by `id`, sorted by
 * `created` (stable).
 *
 * The engine's loop, which is the library's (`run()` is it): `parts()` (before any traffic;
 * it may refuse the range), then for each part in order one signed call
 * and `orders(Response::answer(...))`; the first part that fails (transport,
 * HTTP status, bad answer, signature, or an API error other than the "no
 * orders" codes 400 and 401) fails the whole call with that exception, and
 * the later parts are not sent. Then `result()` of all parts is the success
 * document. Even one part goes through `orders()` and `result()`: its
 * orders are deduplicated and sorted too, an object of orders becomes a
 * list, and "no orders" is a success with an empty list.
 *
 * @internal
 */
final class Range
{
    /** Longest chunk sent in one call, in days (both ends included). */
    public const CHUNK_DAYS = 28;

    /** The service's "no orders" answers: an empty chunk is not an error. */
    public const NOT_FOUND_CODES = [400, 401];

    private function __construct()
    {
    }

    /**
     * The parameters of each call for validated getOrdersWithGoods
     * parameters: the caller's own unchanged when the range is one chunk
     * (or has no begin_date), else per chunk `begin_date`, `end_date` (left
     * out of the last chunk when the caller gave none: the service then
     * ends at "now") and the other parameters in their order.
     *
     * @param array<string, mixed> $params validated (dates as dd.mm.yyyy strings)
     * @param int|null             $now    UNIX time for "today" (default: now)
     *
     * @return list<array<string, mixed>>
     *
     * @throws InvalidArgumentException begin_date is after the end
     */
    public static function parts(array $params, ?int $now = null): array
    {
        $first = self::dayOf($params, 'begin_date');
        if ($first === null) {
            return [$params];
        }
        $givenEnd = self::dayOf($params, 'end_date');
        $last = $givenEnd ?? self::todayMoscow($now);
        if ($first > $last) {
            $end = $givenEnd !== null ? 'end_date' : 'today (Moscow time), the default end_date';
            throw new InvalidArgumentException(
                'begin_date ' . self::dmy($first) . " is after $end " . self::dmy($last)
            );
        }
        $pieces = self::chunks($first, $last);
        if (count($pieces) <= 1) {
            return [$params];
        }
        $hasEnd = array_key_exists('end_date', $params) && $params['end_date'] !== null;
        $out = [];
        $lastPiece = count($pieces) - 1;
        foreach ($pieces as $i => [$a, $b]) {
            $chunk = ['begin_date' => self::dmy($a)];
            if ($hasEnd || $i < $lastPiece) {
                $chunk['end_date'] = self::dmy($b);
            }
            foreach ($params as $k => $v) {
                if ($k !== 'begin_date' && $k !== 'end_date') {
                    $chunk[$k] = $v;
                }
            }
            $out[] = $chunk;
        }
        return $out;
    }

    /**
     * The whole call, the library's loop: `$send` sends one part's
     * parameters and returns its verified answer (Response::answer); the
     * first failure ends the call (later parts are not sent).
     *
     * @param array<string, mixed>                                   $params validated
     * @param callable(array<string, mixed>): array<array-key, mixed> $send
     *
     * @return array{ok: true, error_code: 0, error_text: string, result: list<mixed>}
     *
     * @throws \JustClick\ExceptionInterface the range is refused, or a part failed
     */
    public static function run(array $params, callable $send, ?int $now = null): array
    {
        $results = [];
        foreach (self::parts($params, $now) as $part) {
            $results[] = self::orders($send($part));
        }
        return self::result($results);
    }

    /**
     * Day ranges of at most CHUNK_DAYS days covering `$first..=$last`, each
     * starting on the day the previous one ends.
     *
     * @return list<array{0: int, 1: int}>
     */
    public static function chunks(int $first, int $last): array
    {
        $out = [];
        $start = $first;
        while (true) {
            $end = min($start + self::CHUNK_DAYS - 1, $last);
            $out[] = [$start, $end];
            if ($end >= $last) {
                return $out;
            }
            $start = $end;
        }
    }

    /**
     * One part's text and orders from its verified answer (orders_of):
     * the answer as a table call shapes it, its `result` as a list of
     * orders (an object's values in order, none for null); API errors 400
     * and 401 are their text and no orders.
     *
     * @param array<array-key, mixed> $answer what Response::answer() returned
     *
     * @return array{text: string, orders: list<mixed>}
     *
     * @throws ApiException         any other API error
     * @throws BadResponseException the result is not a list of orders
     */
    public static function orders(array $answer): array
    {
        try {
            $doc = Response::success('getOrdersWithGoods', $answer);
        } catch (ApiException $e) {
            if (in_array($e->getCode(), self::NOT_FOUND_CODES, true)) {
                return ['text' => $e->getMessage(), 'orders' => []];
            }
            throw $e;
        }
        $result = $doc['result'];
        if ($result === null) {
            return ['text' => $doc['error_text'], 'orders' => []];
        }
        if (!is_array($result)) {
            $types = $answer['types'] ?? null;
            $type = is_array($types) ? ($types['result'] ?? null) : null;
            throw new BadResponseException(
                'getOrdersWithGoods result is not a list of orders (got '
                . Text::quote(Response::serdeText($result, is_string($type) ? $type : null)) . ')'
            );
        }
        return ['text' => $doc['error_text'], 'orders' => array_values($result)];
    }

    /**
     * The success document of the whole call from its parts in order:
     * `error_text` of the first part with orders (else of the first part),
     * `result` the merged orders.
     *
     * @param list<array{text: string, orders: list<mixed>}> $parts
     *
     * @return array{ok: true, error_code: 0, error_text: string, result: list<mixed>}
     */
    public static function result(array $parts): array
    {
        $text = null;
        foreach ($parts as $p) {
            if ($p['orders'] !== []) {
                $text = $p['text'];
                break;
            }
        }
        $text ??= $parts[0]['text'] ?? '';
        return [
            'ok' => true,
            'error_code' => 0,
            'error_text' => $text,
            'result' => self::merge(array_column($parts, 'orders')),
        ];
    }

    /**
     * Merges the order lists of consecutive chunks (merge): kept in the
     * chunks' order, an order seen twice kept once (the same `id`, a
     * string or a number; without one, the same value), then sorted by
     * `created` (stable; a number or a string of an i64, else 0).
     *
     * @param list<list<mixed>> $parts
     *
     * @return list<mixed>
     */
    public static function merge(array $parts): array
    {
        $seen = [];
        $out = [];
        foreach ($parts as $orders) {
            foreach ($orders as $order) {
                $id = is_array($order) ? ($order['id'] ?? null) : null;
                if (is_string($id)) {
                    $key = "id:$id";
                } elseif (is_int($id)) {
                    $key = "id:$id";
                } elseif (is_float($id)) {
                    $key = 'id:' . Response::formatFloat($id);
                } else {
                    $key = 'json:' . self::canonical($order);
                }
                if (!isset($seen[$key])) {
                    $seen[$key] = true;
                    $out[] = $order;
                }
            }
        }
        $keyed = [];
        foreach ($out as $i => $order) {
            $keyed[] = [self::created($order), $i, $order];
        }
        usort($keyed, static fn (array $a, array $b): int => [$a[0], $a[1]] <=> [$b[0], $b[1]]);
        return array_column($keyed, 2);
    }

    /** Today in Moscow (UTC+3, the service's clock) as a day number. */
    public static function todayMoscow(?int $now = null): int
    {
        $x = ($now ?? time()) + 3 * 3600;
        return intdiv($x - (($x % 86400) + 86400) % 86400, 86400);
    }

    /** Days since 1970-01-01 of a date (proleptic Gregorian). */
    public static function daysFromCivil(int $y, int $m, int $d): int
    {
        $y = $m <= 2 ? $y - 1 : $y;
        $era = intdiv($y >= 0 ? $y : $y - 399, 400);
        $yoe = $y - $era * 400;
        $doy = intdiv(153 * ($m > 2 ? $m - 3 : $m + 9) + 2, 5) + $d - 1;
        $doe = $yoe * 365 + intdiv($yoe, 4) - intdiv($yoe, 100) + $doy;
        return $era * 146097 + $doe - 719468;
    }

    /** `dd.mm.yyyy` of a day number. */
    public static function dmy(int $day): string
    {
        $z = $day + 719468;
        $era = intdiv($z >= 0 ? $z : $z - 146096, 146097);
        $doe = $z - $era * 146097;
        $yoe = intdiv($doe - intdiv($doe, 1460) + intdiv($doe, 36524) - intdiv($doe, 146096), 365);
        $doy = $doe - (365 * $yoe + intdiv($yoe, 4) - intdiv($yoe, 100));
        $mp = intdiv(5 * $doy + 2, 153);
        $d = $doy - intdiv(153 * $mp + 2, 5) + 1;
        $m = $mp < 10 ? $mp + 3 : $mp - 9;
        $y = $yoe + $era * 400 + ($m <= 2 ? 1 : 0);
        return sprintf('%02d.%02d.%04d', $d, $m, $y);
    }

    /** The day number of a real `dd.mm.yyyy` date of the years 1970..=9999, else null. */
    public static function parseDmy(string $s): ?int
    {
        if (preg_match('/\A([0-9]{2})\.([0-9]{2})\.([0-9]{4})\z/', $s, $m) !== 1) {
            return null;
        }
        [$d, $mo, $y] = [(int) $m[1], (int) $m[2], (int) $m[3]];
        if ($y < 1970 || $mo < 1 || $mo > 12 || $d < 1 || $d > self::daysInMonth($y, $mo)) {
            return null;
        }
        return self::daysFromCivil($y, $mo, $d);
    }

    /** Days in `$month` (1..=12) of `$year`. */
    public static function daysInMonth(int $year, int $month): int
    {
        return match ($month) {
            1, 3, 5, 7, 8, 10, 12 => 31,
            4, 6, 9, 11 => 30,
            2 => ($year % 4 === 0 && $year % 100 !== 0) || $year % 400 === 0 ? 29 : 28,
            default => 0,
        };
    }

    /** @param array<string, mixed> $params */
    private static function dayOf(array $params, string $key): ?int
    {
        $v = $params[$key] ?? null;
        return is_string($v) ? self::parseDmy($v) : null;
    }

    /** An order's `created` as the library sorts by it. */
    private static function created(mixed $order): int
    {
        $c = is_array($order) ? ($order['created'] ?? null) : null;
        if (is_int($c)) {
            return $c;
        }
        if (!is_string($c)) {
            return 0; // a float, or none: 0 (a u64 beyond i64 arrives as a string: 0 too)
        }
        $c = (string) preg_replace('/\A[\x{9}-\x{d}\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+|[\x{9}-\x{d}\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+\z/u', '', $c);
        if (preg_match('/\A([+-]?)0*([0-9]+)\z/', $c, $m) !== 1) {
            return 0;
        }
        $digits = ltrim($m[2], '0');
        $negative = $m[1] === '-';
        $limit = $negative ? '9223372036854775808' : '9223372036854775807';
        if (strlen($digits) > 19 || (strlen($digits) === 19 && strcmp($digits, $limit) > 0)) {
            return 0;
        }
        $digits = $digits === '' ? '0' : $digits;
        return (int) ($negative ? '-' . $digits : $digits);
    }

    /**
     * An encoding of a PHP value that two orders share exactly when they
     * are equal (types, keys, order), for the "same order without id" rule.
     */
    private static function canonical(mixed $v): string
    {
        if (is_array($v)) {
            $s = 'a' . count($v) . '{';
            foreach ($v as $k => $item) {
                $s .= (is_int($k) ? 'i' . $k : 's' . strlen($k) . ':' . $k) . '=' . self::canonical($item) . ';';
            }
            return $s . '}';
        }
        return match (true) {
            $v === null => 'n',
            is_bool($v) => $v ? 't' : 'f',
            is_int($v) => 'i' . $v,
            is_float($v) => 'd' . Response::formatFloat($v),
            is_string($v) => 's' . strlen($v) . ':' . $v,
            default => 'x',
        };
    }
}
